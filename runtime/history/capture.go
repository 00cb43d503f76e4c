package history

import (
	"context"
	"log/slog"
)

// LogHandler wraps a slog.Handler: it hides secret values in every line (so
// no secret reaches the log), and hands each script line (one carrying
// request_id and "at", the file:line of LOG and the delivery builtins) to
// sink, for the request's history.
type LogHandler struct {
	next slog.Handler
	red  *Redactor
	sink func(Event)
	rid  string // request_id given through With
}

// NewLogHandler wraps next. sink may be nil (then only redaction happens).
func NewLogHandler(next slog.Handler, red *Redactor, sink func(Event)) *LogHandler {
	return &LogHandler{next: next, red: red, sink: sink}
}

// Enabled implements slog.Handler.
func (h *LogHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (h *LogHandler) Handle(ctx context.Context, r slog.Record) error {
	rid, at := h.rid, ""
	dirty := h.red.String(r.Message) != r.Message
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key { // ours, never a secret: not scanned
		case "request_id":
			rid = a.Value.String()
			return true
		case "at":
			at = a.Value.String()
			return true
		case "route": // a handler's METHOD /pattern, from the scripts
			return true
		}
		if !dirty && mayHoldText(a.Value.Kind()) && h.red.String(a.Value.String()) != a.Value.String() {
			dirty = true
		}
		return true
	})
	if dirty {
		r = h.redact(r)
	}
	if h.sink != nil && rid != "" && at != "" {
		h.sink(Event{RequestID: rid, Time: r.Time, Log: &Log{Time: r.Time, Level: r.Level.String(), Msg: r.Message, At: at}})
	}
	return h.next.Handle(ctx, r)
}

// redact rebuilds r with secret values hidden in its message and attributes.
func (h *LogHandler) redact(r slog.Record) slog.Record {
	out := slog.NewRecord(r.Time, r.Level, h.red.String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.redactAttr(a))
		return true
	})
	return out
}

// mayHoldText tells the value kinds that can carry a secret.
func mayHoldText(k slog.Kind) bool {
	return k == slog.KindString || k == slog.KindAny || k == slog.KindLogValuer || k == slog.KindGroup
}

func (h *LogHandler) redactAttr(a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindInt64, slog.KindUint64, slog.KindFloat64, slog.KindBool, slog.KindDuration, slog.KindTime:
		return a
	case slog.KindGroup:
		g := a.Value.Group()
		as := make([]any, len(g))
		for i, x := range g {
			as[i] = h.redactAttr(x)
		}
		return slog.Group(a.Key, as...)
	}
	return slog.String(a.Key, h.red.String(a.Value.String()))
}

// WithAttrs implements slog.Handler.
func (h *LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	if len(attrs) == 1 && attrs[0].Key == "request_id" { // each request's: no copy
		c.rid = attrs[0].Value.String()
		c.next = h.next.WithAttrs(attrs)
		return &c
	}
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		if a.Key == "request_id" { // ours, never a secret
			c.rid, red[i] = a.Value.String(), a
			continue
		}
		red[i] = h.redactAttr(a)
	}
	c.next = h.next.WithAttrs(red)
	return &c
}

// WithGroup implements slog.Handler.
func (h *LogHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.next = h.next.WithGroup(name)
	return &c
}

// RequestIDKey is the context key of a request's id. A context may answer
// it itself rather than through WithRequestID (the server's per-request
// deadline does: one context less per request).
type RequestIDKey struct{}

// WithRequestID marks ctx as working for request id (a handler run, or a job
// it SPAWNed), so that deliveries made under it join that request's history.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, RequestIDKey{}, id)
}

// RequestIDFrom is the id WithRequestID put in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(RequestIDKey{}).(string)
	return id
}
