package history

import (
	"context"
	"time"

	"github.com/gbhook/gbhook/runtime/delivery"
)

// DeliverySink sees each delivery made, with the context it was made under
// (see RequestIDFrom).
type DeliverySink func(ctx context.Context, d Delivery)

// Outcome classifies a delivery error: ok, transient or permanent.
func Outcome(err error) string {
	switch {
	case err == nil:
		return OutcomeOK
	case delivery.IsTransient(err):
		return OutcomeTransient
	}
	return OutcomePermanent
}

func report(ctx context.Context, sink DeliverySink, kind, to, where string, err error) {
	d := Delivery{Time: time.Now().UTC(), Kind: kind, Outcome: Outcome(err), To: to, Where: where}
	if err != nil {
		d.Error = err.Error()
	}
	sink(ctx, d)
}

// Deliveries wraps the three delivery channels so that each call reaches
// sink. A nil channel stays nil (its builtin then says it is not configured).
func Deliveries(m delivery.Mailer, w delivery.WhatsApp, l delivery.LLM, sink DeliverySink) (delivery.Mailer, delivery.WhatsApp, delivery.LLM) {
	if m != nil {
		m = mailer{m, sink}
	}
	if w != nil {
		w = whatsApp{w, sink}
	}
	if l != nil {
		l = llm{l, sink}
	}
	return m, w, l
}

type mailer struct {
	next delivery.Mailer
	sink DeliverySink
}

func (m mailer) SendMail(ctx context.Context, msg delivery.Mail) (string, error) {
	where, err := m.next.SendMail(ctx, msg)
	report(ctx, m.sink, "mail", msg.To, where, err)
	return where, err
}

type whatsApp struct {
	next delivery.WhatsApp
	sink DeliverySink
}

func (w whatsApp) SendText(ctx context.Context, to, text string) (string, error) {
	where, err := w.next.SendText(ctx, to, text)
	report(ctx, w.sink, "whatsapp", to, where, err)
	return where, err
}

type llm struct {
	next delivery.LLM
	sink DeliverySink
}

func (l llm) Complete(ctx context.Context, prompt string) (string, error) {
	answer, err := l.next.Complete(ctx, prompt)
	report(ctx, l.sink, "llm", "", "", err)
	return answer, err
}

// HTTPCalls is the outbound HTTP client's OnCall that hands each call to
// sink as a delivery of kind http.
func HTTPCalls(sink DeliverySink) func(context.Context, delivery.HTTPCall) {
	return func(ctx context.Context, c delivery.HTTPCall) {
		err := c.Outcome()
		d := Delivery{Time: time.Now().UTC(), Kind: "http", Outcome: Outcome(err), To: c.Host, Where: c.Method + " " + c.Path,
			Method: c.Method, Host: c.Host, Path: c.Path, Status: c.Status,
			DurationMS: float64(c.Duration.Microseconds()) / 1000}
		if err != nil {
			d.Error = err.Error()
		}
		sink(ctx, d)
	}
}
