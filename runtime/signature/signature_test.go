package signature

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const (
	token    = "12345"
	basicURL = "https://mycompany.com/myapp.php?foo=1&bar=2"
	basicSig = "RSOYDt4T1cUTdK1PDd93/VVr8B8=" // official vector tw-official-basic
	formCT   = "application/x-www-form-urlencoded"
	jsonCT   = "application/json"
	metaBody = "test"
	metaSig  = "sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221"
)

// basicBody is the form body of tw-official-basic.
const basicBody = "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212"

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestVerifyTwilioErrors(t *testing.T) {
	jsonBody := `{"property": "value", "boolean": true}`
	jsonURL, jsonSig := TwilioSignJSON(token, basicURL, []byte(jsonBody))
	tests := []struct {
		name, token, url, ct, body, header, want string
		is                                       error
	}{
		{"valid form", token, basicURL, formCT, basicBody, basicSig, "", nil},
		{"form content type with charset", token, basicURL, "Application/X-WWW-Form-Urlencoded; charset=UTF-8", basicBody, basicSig, "", nil},
		{"empty header", token, basicURL, formCT, basicBody, "", "twilio: signature header missing", ErrMissing},
		{"empty token", "", basicURL, formCT, basicBody, basicSig, "twilio: empty auth token: signature mismatch", ErrMismatch},
		{"leading space", token, basicURL, formCT, basicBody, " " + basicSig, "twilio: signature mismatch", ErrMismatch},
		{"trailing newline", token, basicURL, formCT, basicBody, basicSig + "\n", "twilio: signature mismatch", ErrMismatch},
		{"unpadded base64", token, basicURL, formCT, basicBody, strings.TrimSuffix(basicSig, "="), "twilio: signature mismatch", ErrMismatch},
		{"very long header", token, basicURL, formCT, basicBody, strings.Repeat(basicSig, 40000), "twilio: signature mismatch", ErrMismatch},
		{"wrong token", "54321", basicURL, formCT, basicBody, basicSig, "twilio: signature mismatch", ErrMismatch},
		{"param added", token, basicURL, formCT, basicBody + "&Extra=1", basicSig, "twilio: signature mismatch", ErrMismatch},
		{"param dropped", token, basicURL, formCT, strings.TrimSuffix(basicBody, "&To=%2B18005551212"), basicSig, "twilio: signature mismatch", ErrMismatch},
		{"default port signed, request has none", token, basicURL, formCT, basicBody, TwilioSign(token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", mustForm(basicBody)), "", nil},
		{"custom port signed, request has none", token, basicURL, formCT, basicBody, TwilioSign(token, "https://mycompany.com:8443/myapp.php?foo=1&bar=2", mustForm(basicBody)), "twilio: signature mismatch", ErrMismatch},
		{"query changed", token, basicURL + "&x=1", formCT, basicBody, basicSig, "twilio: signature mismatch", ErrMismatch},
		{"lower-cased host of mixed-case signature", token, "https://mycompany.com/myapp.php?foo=1&bar=2", formCT, basicBody, "g9IN/x4Cft2g517EjYvEvM/W7LU=", "twilio: signature mismatch", ErrMismatch},
		{"bad escape", token, basicURL, formCT, basicBody + "&Body=100%", basicSig, `twilio: malformed form body: invalid URL escape "%"`, ErrMalformed},
		{"bad escape hex", token, basicURL, formCT, "Body=%zz&" + basicBody, basicSig, `twilio: malformed form body: invalid URL escape "%zz"`, ErrMalformed},
		{"semicolon separator", token, basicURL, formCT, "a=1;b=2", basicSig, "twilio: malformed form body: invalid semicolon separator in query", ErrMalformed},
		{"valid json", token, jsonURL, jsonCT, jsonBody, jsonSig, "", nil},
		{"json charset", token, jsonURL, "application/json; charset=utf-8", jsonBody, jsonSig, "", nil},
		{"json body changed", token, jsonURL, jsonCT, jsonBody + " ", jsonSig, "twilio: body does not match bodySHA256: signature mismatch", ErrMismatch},
		{"json bodySHA256 upper-case", token, upperDigest(jsonURL), jsonCT, jsonBody, TwilioSign(token, upperDigest(jsonURL), nil), "twilio: body does not match bodySHA256: signature mismatch", ErrMismatch},
		{"json url signature wrong", token, jsonURL, jsonCT, jsonBody, basicSig, "twilio: signature mismatch", ErrMismatch},
		{"json missing bodySHA256", token, basicURL, jsonCT, jsonBody, basicSig, "twilio: signature mismatch", ErrMismatch},
		{"json missing bodySHA256 bad escape", token, basicURL, jsonCT, `{"p": "100%"}`, basicSig, "twilio: no bodySHA256 in URL and body is not a form: signature mismatch", ErrMismatch},
		{"json empty bodySHA256", token, basicURL + "&bodySHA256=", jsonCT, jsonBody, TwilioSign(token, basicURL+"&bodySHA256=", nil), "twilio: signature mismatch", ErrMismatch},
		{"json missing bodySHA256 form body (twilio-go)", token, basicURL, jsonCT, basicBody, basicSig, "", nil},
		{"form content type ignores bodySHA256", token, jsonURL, formCT, jsonBody, jsonSig, "twilio: signature mismatch", ErrMismatch},
		{"GET without body", token, basicURL, "", "", TwilioSign(token, basicURL, nil), "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyTwilio(tc.token, tc.url, tc.ct, []byte(tc.body), tc.header)
			if got := errString(err); got != tc.want {
				t.Fatalf("error = %q, want %q", got, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("error %v does not wrap %v", err, tc.is)
			}
		})
	}
}

// mustForm decodes a form body known to be valid.
func mustForm(body string) url.Values {
	v, err := ParseForm([]byte(body))
	if err != nil {
		panic(err)
	}
	return v
}

// upperDigest upper-cases the hex value of bodySHA256 in u.
func upperDigest(u string) string {
	i := strings.Index(u, "bodySHA256=") + len("bodySHA256=")
	return u[:i] + strings.ToUpper(u[i:])
}

func TestVerifyMetaErrors(t *testing.T) {
	tests := []struct {
		name, secret, body, header, want string
		is                               error
	}{
		{"valid", "TEST_APP_SECRET", metaBody, metaSig, "", nil},
		{"empty header", "TEST_APP_SECRET", metaBody, "", "meta: signature header missing", ErrMissing},
		{"empty secret", "", metaBody, MetaSign("", []byte(metaBody)), "meta: empty app secret: signature mismatch", ErrMismatch},
		{"bare hex", "TEST_APP_SECRET", metaBody, strings.TrimPrefix(metaSig, "sha256="), `meta: header does not start with "sha256=": signature mismatch`, ErrMismatch},
		{"upper-case prefix", "TEST_APP_SECRET", metaBody, "SHA256=" + strings.TrimPrefix(metaSig, "sha256="), `meta: header does not start with "sha256=": signature mismatch`, ErrMismatch},
		{"legacy sha1", "TEST_APP_SECRET", metaBody, "sha1=0c61947b610d4f45e65f3d680e26027121ec2413", `meta: header does not start with "sha256=": signature mismatch`, ErrMismatch},
		{"upper-case hex", "TEST_APP_SECRET", metaBody, "sha256=" + strings.ToUpper(strings.TrimPrefix(metaSig, "sha256=")), "meta: signature mismatch", ErrMismatch},
		{"leading space", "TEST_APP_SECRET", metaBody, " " + metaSig, `meta: header does not start with "sha256=": signature mismatch`, ErrMismatch},
		{"trailing space", "TEST_APP_SECRET", metaBody, metaSig + " ", "meta: signature mismatch", ErrMismatch},
		{"truncated", "TEST_APP_SECRET", metaBody, metaSig[:len(metaSig)-1], "meta: signature mismatch", ErrMismatch},
		{"very long header", "TEST_APP_SECRET", metaBody, metaSig + strings.Repeat("0", 1<<20), "meta: signature mismatch", ErrMismatch},
		{"wrong secret", "OTHER", metaBody, metaSig, "meta: signature mismatch", ErrMismatch},
		{"body changed", "TEST_APP_SECRET", metaBody + "\n", metaSig, "meta: signature mismatch", ErrMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyMeta(tc.secret, []byte(tc.body), tc.header)
			if got := errString(err); got != tc.want {
				t.Fatalf("error = %q, want %q", got, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("error %v does not wrap %v", err, tc.is)
			}
		})
	}
}

// TestMetaReserialized shows why the raw bytes must be hashed: Meta sends "\/" and
// "\u00e4" escapes, and re-encoding the parsed JSON changes the bytes.
func TestMetaReserialized(t *testing.T) {
	raw := []byte(`{"text":{"body":"J\u00fcrgen http:\/\/x"}}`)
	re := []byte(`{"text":{"body":"Jürgen http://x"}}`)
	header := MetaSign("s", raw)
	if err := VerifyMeta("s", raw, header); err != nil {
		t.Fatalf("raw bytes: %v", err)
	}
	if got := errString(VerifyMeta("s", re, header)); got != "meta: signature mismatch" {
		t.Fatalf("re-serialised body: error = %q", got)
	}
}

func TestParseForm(t *testing.T) {
	tests := []struct {
		name, body string
		want       url.Values
		err        string
	}{
		{"empty", "", url.Values{}, ""},
		{"plus and escapes", "a=1+2&b=%2B3&c=%C3%BC", url.Values{"a": {"1 2"}, "b": {"+3"}, "c": {"ü"}}, ""},
		{"empty value and bare name", "a=&b", url.Values{"a": {""}, "b": {""}}, ""},
		{"repeated names keep order", "d=5&d=1&d=1", url.Values{"d": {"5", "1", "1"}}, ""},
		{"empty pairs skipped", "&&a=1&", url.Values{"a": {"1"}}, ""},
		{"bad escape at end", "a=1&b=%4", nil, `malformed form body: invalid URL escape "%4"`},
		{"bad escape in name", "%G1=x&a=1", nil, `malformed form body: invalid URL escape "%G1"`},
		{"bad escape keeps nothing", "a=1&b=%zz&c=3", nil, `malformed form body: invalid URL escape "%zz"`},
		{"semicolon", "a=1;b=2", nil, "malformed form body: invalid semicolon separator in query"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseForm([]byte(tc.body))
			if e := errString(err); e != tc.err {
				t.Fatalf("error = %q, want %q", e, tc.err)
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("values = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTwilioURL(t *testing.T) {
	tests := []struct {
		name, public, scheme, host, uri, want string
	}{
		{"from request", "", "https", "h.example", "/voice?x=%27a%27", "https://h.example/voice?x=%27a%27"},
		{"from request with port", "", "http", "h.example:8080", "/v", "http://h.example:8080/v"},
		{"public base", "https://user:pw@h.example:8443/prefix", "http", "127.0.0.1:80", "/voice?a=b", "https://user:pw@h.example:8443/prefix/voice?a=b"},
		{"public base, raw query kept", "https://h.example", "http", "ignored", "/v?Body=It's+%C3%BC", "https://h.example/v?Body=It's+%C3%BC"},
		{"empty request URI", "https://h.example", "", "", "", "https://h.example"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := TwilioURL(tc.public, tc.scheme, tc.host, tc.uri); got != tc.want {
				t.Fatalf("TwilioURL = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParsePublicURL(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"unset", "", "", ""},
		{"host only", "https://hooks.example.com", "https://hooks.example.com", ""},
		{"trailing slash dropped", "https://hooks.example.com/", "https://hooks.example.com", ""},
		{"every trailing slash dropped", "http://h.example/pre//", "http://h.example/pre", ""},
		{"userinfo, port and prefix kept as written", "https://u:p%40@H.example:8443/Pre%2Fx",
			"https://u:p%40@H.example:8443/Pre%2Fx", ""},
		{"no scheme", "hooks.example.com", "",
			`"hooks.example.com" is not an absolute http(s) URL such as https://hooks.example.com`},
		{"relative path", "/voice", "",
			`"/voice" is not an absolute http(s) URL such as https://hooks.example.com`},
		{"other scheme", "ftp://h.example", "",
			`"ftp://h.example" is not an absolute http(s) URL such as https://hooks.example.com`},
		{"no host", "https:///voice", "",
			`"https:///voice" is not an absolute http(s) URL such as https://hooks.example.com`},
		{"opaque", "https:h.example", "",
			`"https:h.example" is not an absolute http(s) URL such as https://hooks.example.com`},
		{"bad port", "https://h.example:x", "",
			`"https://h.example:x" is not an absolute http(s) URL such as https://hooks.example.com`},
		{"query", "https://h.example/?a=1", "", `"https://h.example/?a=1" must not have a query or fragment`},
		{"empty query", "https://h.example?", "", `"https://h.example?" must not have a query or fragment`},
		{"fragment", "https://h.example/#top", "", `"https://h.example/#top" must not have a query or fragment`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePublicURL(tc.in)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tc.want || gotErr != tc.err {
				t.Errorf("ParsePublicURL(%q) = %q, %q; want %q, %q", tc.in, got, gotErr, tc.want, tc.err)
			}
		})
	}
}

func TestTogglePort(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"https add", "https://h/x?y=1", "https://h:443/x?y=1", true},
		{"http add", "http://h/x", "http://h:80/x", true},
		{"other scheme adds 80", "ftp://h/x", "ftp://h:80/x", true},
		{"upper-case scheme kept", "HTTPS://H/x", "HTTPS://H:443/x", true},
		{"strip custom", "https://h:1234/x", "https://h/x", true},
		{"strip empty port", "https://h:/x", "https://h/x", true},
		{"no path", "https://h", "https://h:443", true},
		{"query only", "https://h?a=b:c", "https://h:443?a=b:c", true},
		{"userinfo with colon", "https://u:p@h/x", "https://u:p@h:443/x", true},
		{"userinfo with port", "https://u:p@h:8443/x", "https://u:p@h/x", true},
		{"at sign in query", "https://h/x?e=a@b:1", "https://h:443/x?e=a@b:1", true},
		{"ipv6 add", "https://[::1]/x", "https://[::1]:443/x", true},
		{"ipv6 strip", "http://[::1]:8080/x", "http://[::1]/x", true},
		{"escapes untouched", "https://h/a%2Fb?q=It's", "https://h:443/a%2Fb?q=It's", true},
		{"no scheme", "h/x", "", false},
		{"empty host", "https:///x", "", false},
		{"bad port", "https://h:abc/x", "", false},
		{"bare ipv6", "https://::1/x", "", false},
		{"ipv6 junk", "https://[::1]x/y", "", false},
		{"ipv6 unclosed", "https://[::1/y", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := togglePort(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("togglePort(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	incoming, err := os.ReadFile(filepath.Join(fixturesDir, "twilio-voice-incoming.form"))
	if err != nil {
		t.Fatal(err)
	}
	whatsapp, err := os.ReadFile(filepath.Join(fixturesDir, "whatsapp-text.json"))
	if err != nil {
		t.Fatal(err)
	}
	forms := []struct{ name, url, body string }{
		{"fixture incoming call", "https://hooks.example.com/voice/main", string(incoming)},
		{"custom port", "https://hooks.example.com:8443/p/voice?x=%27y%27", "Digits=1&Digits=1&Digits=0"},
		{"empty values and unicode", "http://u:p@Hooks.Example.com/v", "A=&B&SpeechResult=J%C3%BCrgen+%26+co"},
		{"no params", "https://h.example/v", ""},
	}
	for _, tc := range forms {
		t.Run("twilio form/"+tc.name, func(t *testing.T) {
			params, err := ParseForm([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			sig := TwilioSign(token, tc.url, params)
			if err := VerifyTwilio(token, tc.url, formCT, []byte(tc.body), sig); err != nil {
				t.Fatalf("verify: %v", err)
			}
		})
	}
	for _, u := range []string{"https://h.example/v", "https://h.example/v?a=1", "https://h.example/v?"} {
		t.Run("twilio json/"+u, func(t *testing.T) {
			signed, sig := TwilioSignJSON(token, u, whatsapp)
			if !strings.HasPrefix(signed, u) || !strings.Contains(signed, "bodySHA256=") {
				t.Fatalf("TwilioSignJSON url = %q", signed)
			}
			if err := VerifyTwilio(token, signed, jsonCT, whatsapp, sig); err != nil {
				t.Fatalf("verify %q: %v", signed, err)
			}
		})
	}
	t.Run("meta fixture", func(t *testing.T) {
		if err := VerifyMeta("app-secret", whatsapp, MetaSign("app-secret", whatsapp)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTwilioSignJSONURL(t *testing.T) {
	const digest = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a" // sha256("{}")
	tests := []struct{ name, in, want string }{
		{"no query", "https://h/x", "https://h/x?bodySHA256=" + digest},
		{"query", "https://h/x?a=1", "https://h/x?a=1&bodySHA256=" + digest},
		{"empty query", "https://h/x?", "https://h/x?bodySHA256=" + digest},
		{"trailing ampersand", "https://h/x?a=1&", "https://h/x?a=1&bodySHA256=" + digest},
		{"question mark in query", "https://h/x??", "https://h/x??&bodySHA256=" + digest},
		{"fragment", "https://h/x?a#f?b", "https://h/x?a&bodySHA256=" + digest + "#f?b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, sig := TwilioSignJSON(token, tc.in, []byte("{}"))
			if got != tc.want || sig != TwilioSign(token, tc.want, nil) {
				t.Fatalf("TwilioSignJSON = %q, %q", got, sig)
			}
		})
	}
}

func TestTwilioSignDoesNotModifyParams(t *testing.T) {
	params := url.Values{"D": {"5", "1", "1"}}
	TwilioSign(token, basicURL, params)
	if want := []string{"5", "1", "1"}; !reflect.DeepEqual(params["D"], want) {
		t.Fatalf("params changed to %v", params["D"])
	}
}

// FuzzParseForm checks that ParseForm never panics, never returns a partial parse,
// and agrees with url.ParseQuery whenever that reports no error.
func FuzzParseForm(f *testing.F) {
	for _, seed := range []string{
		"", basicBody, "a=1&a=2&b", "a=%zz&b=1", "b=100%", "%", "a=1;b=2", "x=%C3%BC+y", "&&=&",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := ParseForm(body)
		want, wantErr := url.ParseQuery(string(body))
		switch {
		case (err == nil) != (wantErr == nil):
			t.Fatalf("ParseForm error %v, ParseQuery error %v", err, wantErr)
		case err != nil && got != nil:
			t.Fatalf("partial result %v returned with error %v", got, err)
		case err != nil && !errors.Is(err, ErrMalformed):
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		case err == nil && !reflect.DeepEqual(got, want):
			t.Fatalf("ParseForm = %v, ParseQuery = %v", got, want)
		}
	})
}

// FuzzVerifyTwilio checks that VerifyTwilio never panics, always returns one of the
// sentinel errors, and accepts what TwilioSign / TwilioSignJSON produce.
func FuzzVerifyTwilio(f *testing.F) {
	f.Add(basicURL, formCT, []byte(basicBody), basicSig)
	f.Add("https://[::1]:99/x?bodySHA256=ab", jsonCT, []byte("{}"), "")
	f.Add("HTTP://u:p@H:/x?a=%zz", "text/plain", []byte("a=%"), "x")
	f.Add("://", "", []byte(nil), basicSig)
	f.Add("??", "0", []byte("0"), "0")
	f.Add("https://h/x#f?bodySHA256=1", jsonCT, []byte("{}"), "")
	f.Fuzz(func(t *testing.T, rawURL, contentType string, body []byte, header string) {
		err := VerifyTwilio(token, rawURL, contentType, body, header)
		if err != nil && !errors.Is(err, ErrMissing) && !errors.Is(err, ErrMismatch) &&
			!errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v wraps no sentinel", err)
		}
		if params, perr := ParseForm(body); perr == nil {
			sig := TwilioSign(token, rawURL, params)
			if err := VerifyTwilio(token, rawURL, formCT, body, sig); err != nil {
				t.Fatalf("form round trip: %v", err)
			}
		}
		signed, sig := TwilioSignJSON(token, rawURL, body)
		if _, ok := queryParam(rawURL, bodySHA256Param); !ok {
			if err := VerifyTwilio(token, signed, jsonCT, body, sig); err != nil {
				t.Fatalf("json round trip %q: %v", signed, err)
			}
		}
	})
}
