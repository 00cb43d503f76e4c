package signature

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
)

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
