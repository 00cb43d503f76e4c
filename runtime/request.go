package runtime

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"
)

// BodyString gives the body as text. It is converted once per request, so
// that reading the body in a loop does not copy it every time.
func (r *Request) BodyString() string {
	if !r.bodyConv {
		r.bodyStr, r.bodyConv = string(r.Body), true
	}
	return r.bodyStr
}

// FormValue gives a field of the request's form body, "" if absent. The body
// is parsed once, as application/x-www-form-urlencoded or multipart/form-data
// according to Content-Type; other content types have no fields. A body that
// cannot be read as its declared form (a bad % escape, a broken multipart) is
// an error wrapping ErrBadRequest, every time it is asked.
func (r *Request) FormValue(name string) (string, error) {
	if !r.formRead {
		r.formRead = true
		r.form, r.formErr = r.parseForm()
	}
	if r.formErr != nil {
		return "", r.formErr
	}
	return r.form.Get(name), nil
}

func (r *Request) parseForm() (url.Values, error) {
	ct := r.HeaderValue("Content-Type")
	if ct == "" {
		return url.Values{}, nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, BadRequest("unreadable Content-Type: "+err.Error(), err)
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		// ParseQuery keeps what it could read before a bad escape; a half-read
		// form is not served.
		v, err := url.ParseQuery(string(r.Body))
		if err != nil {
			return nil, BadRequest("unreadable form body: "+err.Error(), err)
		}
		return v, nil
	case "multipart/form-data":
		return parseMultipart(r.Body, params["boundary"])
	}
	return url.Values{}, nil
}

// parseMultipart reads the non-file fields of a multipart body, in memory
// (the server has already bounded the body; nothing goes to temp files).
func parseMultipart(body []byte, boundary string) (url.Values, error) {
	if boundary == "" {
		return nil, BadRequest("unreadable form body: multipart without boundary", nil)
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	v := url.Values{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return v, nil
		}
		if err != nil {
			return nil, BadRequest("unreadable form body: "+err.Error(), err)
		}
		name := p.FormName()
		if name == "" || p.FileName() != "" {
			continue
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, BadRequest("unreadable form body: "+err.Error(), err)
		}
		v.Add(name, string(b))
	}
}

// QueryValue gives a query-string value, "" if absent. The query is parsed
// once and leniently: a bad escape only loses the pair it is in. A short
// query (a webhook's usual few parameters) is scanned at each call
// instead, as ParseQuery would read it: no map, no allocation.
func (r *Request) QueryValue(name string) string {
	if r.query == nil && len(r.RawQuery) <= maxScannedQuery {
		return scanQuery(r.RawQuery, name)
	}
	if r.query == nil {
		r.query, _ = url.ParseQuery(r.RawQuery) // lenient by design
	}
	return r.query.Get(name)
}

// maxScannedQuery is the longest query QueryValue scans rather than parses:
// a scan costs about what a map lookup does up to there. (ParseQuery's cap
// on the number of parameters, 10000 unless GODEBUG lowers it, is far above
// what 256 bytes hold.)
const maxScannedQuery = 256

// scanQuery is url.ParseQuery(query).Get(name): the first pair whose key
// unescapes to name and whose value unescapes, skipping empty pairs and
// those holding a semicolon, as ParseQuery does. One pass over the bytes;
// only a key or value with an escape is unescaped.
func scanQuery(query, name string) string {
	for start := 0; start < len(query); {
		end, eq, semi, keyEsc, valEsc := start, -1, false, false, false
		for ; end < len(query) && query[end] != '&'; end++ {
			switch query[end] {
			case ';':
				semi = true
			case '=':
				if eq < 0 {
					eq = end
				}
			case '%', '+':
				if eq < 0 {
					keyEsc = true
				} else {
					valEsc = true
				}
			}
		}
		key, value := query[start:end], ""
		if eq >= 0 {
			key, value = query[start:eq], query[eq+1:end]
		}
		empty := end == start
		start = end + 1
		if empty || semi {
			continue
		}
		if v, ok := queryPair(key, value, name, keyEsc, valEsc); ok {
			return v
		}
	}
	return ""
}

// queryPair gives the unescaped value of key=value when key unescapes to
// name and value unescapes.
func queryPair(key, value, name string, keyEsc, valEsc bool) (string, bool) {
	if keyEsc {
		k, err := url.QueryUnescape(key)
		if err != nil || k != name {
			return "", false
		}
	} else if key != name {
		return "", false
	}
	if valEsc {
		v, err := url.QueryUnescape(value)
		return v, err == nil
	}
	return value, true
}

// HeaderValue gives a request header, name case-insensitive, "" if absent.
func (r *Request) HeaderValue(name string) string { return r.Header.Get(name) }

// PathValue gives the :name segment of the route path, "" if absent. An exact
// match wins; otherwise the name is matched without regard to case.
func (r *Request) PathValue(name string) string {
	if v, ok := r.Params[name]; ok {
		return v
	}
	for k, v := range r.Params {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
