package runtime

import (
	"net/http"
	"net/textproto"
)

// Response is the buffered answer of a handler run. ExecSteps fills one the
// caller owns: a caller that reuses it from run to run (the server pools
// them) keeps its Header's and Body's memory, so a run makes no map, no
// header slice and no body buffer of its own.
type Response struct {
	Status int
	Header Header
	Body   []byte

	// th is the emptied Thread of the last run, which the next run into
	// this Response takes instead of going to the Machine's pool: a caller
	// that reuses its Responses saves a pool's Get and Put a run.
	th *Thread
}

// reset empties r for a new run, keeping its memory.
func (r *Response) reset() {
	if len(r.Header) > 0 {
		// No string of the last run stays reachable. Not a range loop, which
		// the compiler makes a call to the bulk barrier: there are few.
		for i := len(r.Header) - 1; i >= 0; i-- {
			r.Header[i] = HeaderField{}
		}
		r.Header = r.Header[:0]
	}
	r.Status, r.Body = 0, r.Body[:0]
}

// Header is a response's headers as SET RESPONSE HEADER leaves them: canonical
// names, one value each (a second Set replaces), in the order first set. A
// script sets a few, so a slice does what a map would, without making one.
type Header []HeaderField

// HeaderField is one response header.
type HeaderField struct {
	Name, Value string
}

// Get is the value of name (any case), or "".
func (h Header) Get(name string) string {
	return h.get(canonicalName(name))
}

// get is Get of a canonical name.
func (h Header) get(name string) string {
	for _, f := range h {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// Set sets name (canonicalised, as http.Header.Set does) to value.
func (h *Header) Set(name, value string) {
	name = canonicalName(name)
	for i := range *h {
		if (*h)[i].Name == name {
			(*h)[i].Value = value
			return
		}
	}
	*h = append(*h, HeaderField{Name: name, Value: value})
}

// canonicalName is textproto.CanonicalMIMEHeaderKey(name) without its
// work when every letter is already in canonical case, as in a script's
// literal "Content-Type": then textproto gives name itself too (it gives
// a name that is not a token unchanged as well).
func canonicalName(name string) string {
	if CommonHeaderName(name) {
		return name
	}
	upper := true // the next letter must be upper case
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (upper && 'a' <= c && c <= 'z') || (!upper && 'A' <= c && c <= 'Z') {
			return textproto.CanonicalMIMEHeaderKey(name)
		}
		upper = c == '-'
	}
	return name
}

// CommonHeaderName reports whether name is one of the header names scripts
// set most, spelled canonically: a valid, canonical name, known at the
// cost of comparing it whole (its length, then a word or two).
func CommonHeaderName(name string) bool {
	switch name {
	case "Content-Type", "Cache-Control", "Location", "Content-Disposition":
		return true
	}
	return false
}

// HTTP is h as a new http.Header.
func (h Header) HTTP() http.Header {
	out := make(http.Header, len(h))
	for _, f := range h {
		out[f.Name] = []string{f.Value}
	}
	return out
}

// Write appends to the response body (PRINT). The buffer's growth counts
// against the memory budget before it happens, as if the run started with
// an empty buffer (bodyCap, not the reused buffer's capacity); past the
// budget, nothing is written. Without a response (a spawned SUB, a
// schedule: builtins refuse there first) the text is dropped.
func (th *Thread) Write(s string) error {
	if err := th.Work(len(s)); err != nil || th.resp == nil {
		return err
	}
	body := th.resp.Body
	need := len(body) + len(s)
	if need > th.bodyCap {
		size := max(need, 2*th.bodyCap)
		if err := th.Alloc(size); err != nil {
			return err
		}
		th.bodyCap = size
		if size > cap(body) {
			grown := make([]byte, len(body), size)
			copy(grown, body)
			th.resp.Body = grown
		}
	}
	// Within capacity only the length is stored: no write barrier for the
	// slice's pointer while a collection is marking.
	th.resp.Body = th.resp.Body[:need]
	copy(th.resp.Body[need-len(s):], s)
	return nil
}

// SetStatus sets the response status (SET RESPONSE STATUS).
func (th *Thread) SetStatus(code int) {
	if th.resp != nil {
		th.resp.Status = code
	}
}

// SetHeader sets a response header (SET RESPONSE HEADER).
func (th *Thread) SetHeader(name, value string) {
	if th.resp != nil {
		th.resp.Header.Set(name, value)
	}
}

// finish completes a run's response: 200 unless set, and a Content-Type
// sniffed from the body when the script set none.
func (r *Response) finish() {
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	if len(r.Body) > 0 && r.Header.get("Content-Type") == "" {
		// TwiML (<?xml ...) sniffs as text/xml.
		r.Header.Set("Content-Type", http.DetectContentType(r.Body))
	}
}
