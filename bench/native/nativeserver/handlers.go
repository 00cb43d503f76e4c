package nativeserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gbhook/gbhook/runtime/delivery"
	"github.com/gbhook/gbhook/runtime/signature"
)

// Positions the scripts' LOG, SEND MAIL and SEND WHATSAPP lines carry, so
// that both servers write the same log lines.
const (
	atGatherLog = "twilio.bas:28"
	atMail      = "twilio.bas:31"
	atMessage   = "whatsapp.bas:19"
	atWhatsApp  = "whatsapp.bas:46"
)

// xmlEscaper is XML ESCAPE.
var xmlEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// secret is the FROM clause's secret, or "" after answering 503.
func (s *Server) secret(c echo.Context, env string) (string, error) {
	v := s.cfg.Getenv(env)
	if v == "" {
		s.log.Error("secret not set; refusing signed route", "request_id", requestIDOf(c), "env", env)
		return "", plain(c, http.StatusServiceUnavailable, "service unavailable: "+env+" is not set")
	}
	return v, nil
}

// twilioBody reads and verifies a Twilio request; ok false means answered.
func (s *Server) twilioBody(c echo.Context) (body []byte, ok bool, err error) {
	token, err := s.secret(c, "TWILIO_AUTH_TOKEN")
	if token == "" {
		return nil, false, err
	}
	if body, ok, err = s.readBody(c); !ok {
		return nil, false, err
	}
	r := c.Request()
	// Plain HTTP on loopback: gbhook's trusted-proxy origin rules reduce to this.
	u := signature.TwilioURL(s.cfg.PublicURL, "http", r.Host, r.RequestURI)
	if err := signature.VerifyTwilio(token, u, r.Header.Get("Content-Type"), body, r.Header.Get("X-Twilio-Signature")); err != nil {
		return nil, false, s.refuse(c, err)
	}
	return body, true, nil
}

func (s *Server) refuse(c echo.Context, err error) error {
	s.log.Warn("signature check failed", "request_id", requestIDOf(c), "route", c.Path(), "err", err)
	if errors.Is(err, signature.ErrMalformed) {
		return plain(c, http.StatusBadRequest, "bad request")
	}
	return plain(c, http.StatusForbidden, "forbidden")
}

// notifyAddress is the script's NOTIFY ADDRESS.
func notifyAddress(getenv func(string) string) string {
	if e := getenv("NOTIFY_EMAIL"); e != "" {
		return e
	}
	return "your-email@example.com"
}

// voice is POST /twilio/voice.
func (s *Server) voice(c echo.Context) error {
	if _, ok, err := s.twilioBody(c); !ok {
		return err
	}
	if err := ctxOf(c).Err(); err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "text/xml", []byte(VoiceTwiML(s.cfg.Getenv)))
}

// VoiceTwiML is the voice handler's work: the TwiML asking for the digits.
func VoiceTwiML(getenv func(string) string) string {
	base := getenv("GBHOOK_PUBLIC_URL")
	if base == "" {
		base = "https://your-domain.com"
	}
	email := notifyAddress(getenv)
	return `<?xml version="1.0" encoding="UTF-8"?><Response>` +
		`<Gather action="` + xmlEscaper.Replace(base+"/twilio/gather") + `" method="POST" numDigits="6">` +
		`<Say voice="alice" language="pt-BR">Please enter your verification code followed by the pound sign.</Say>` +
		`</Gather><Redirect>` + xmlEscaper.Replace("https://twimlets.com/voicemail?Email="+email) + `</Redirect></Response>`
}

// gather is POST /twilio/gather: mail the digits, thank the caller.
func (s *Server) gather(c echo.Context) error {
	body, ok, err := s.twilioBody(c)
	if !ok {
		return err
	}
	twiml, err := s.Gather(ctxOf(c), requestIDOf(c), body)
	switch {
	case errors.Is(err, errBadForm):
		return plain(c, http.StatusBadRequest, "bad request")
	case err != nil:
		s.log.Error("handler failed", "request_id", requestIDOf(c), "status", 500, "err", err.Error())
		return plain(c, http.StatusInternalServerError, "internal error")
	}
	return c.Blob(http.StatusOK, "text/xml", []byte(twiml))
}

var errBadForm = errors.New("unreadable form body")

// GatherTwiML thanks the caller.
const GatherTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thank you. Your code has been received.</Say></Response>`

// Gather is the gather handler's work: read Digits from the form body, log
// them, mail them, answer GatherTwiML.
func (s *Server) Gather(ctx context.Context, id string, body []byte) (string, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", errBadForm
	}
	code := form.Get("Digits")
	s.log.Info("WhatsApp Verification Code: "+code, "request_id", id, "at", atGatherLog)
	if code != "" {
		m := delivery.Mail{To: notifyAddress(s.cfg.Getenv), Subject: "WhatsApp Verification Code",
			Body: "Your verification code is: " + code}
		where, err := s.cfg.Mailer.SendMail(ctx, m)
		if err != nil {
			return "", err
		}
		s.log.Info("mail sent", "request_id", id, "to", m.To, "where", where, "at", atMail)
	}
	return GatherTwiML, nil
}

// whatsappVerify is Meta's GET handshake.
func (s *Server) whatsappVerify(c echo.Context) error {
	status, body := VerifyAnswer(s.cfg.Getenv, c.QueryParams())
	return c.Blob(status, "text/plain; charset=utf-8", []byte(body))
}

// VerifyAnswer is the handshake's work: the challenge when the token matches.
func VerifyAnswer(getenv func(string) string, q url.Values) (status int, body string) {
	token := getenv("META_VERIFY_TOKEN")
	if token != "" && q.Get("hub.mode") == "subscribe" && q.Get("hub.verify_token") == token {
		return http.StatusOK, q.Get("hub.challenge")
	}
	return http.StatusForbidden, "Forbidden"
}

// notification is the part of Meta's payload the handler reads.
type notification struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Value struct {
				Messages []struct {
					From string `json:"from"`
					ID   string `json:"id"`
					Text struct {
						Body string `json:"body"`
					} `json:"text"`
				} `json:"messages"`
				Statuses []struct {
					ID     string `json:"id"`
					Status string `json:"status"`
				} `json:"statuses"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

// The message route as gbhook names it in its log lines, and its answer
// when the job store fails.
const (
	routeMessage = "POST /webhooks/whatsapp FROM WHATSAPP whatsapp.bas:6"
	msgStore     = "service unavailable: could not store the work; retry later"
)

// whatsappMessage is POST /webhooks/whatsapp: verify; skip a redelivery
// whose events were all handled before; store one job per text message and
// the events in one transaction; then answer OK. The same steps as gbhook's.
func (s *Server) whatsappMessage(c echo.Context) error {
	secret, err := s.secret(c, "META_APP_SECRET")
	if secret == "" {
		return err
	}
	body, ok, err := s.readBody(c)
	if !ok {
		return err
	}
	if err := signature.VerifyMeta(secret, body, c.Request().Header.Get("X-Hub-Signature-256")); err != nil {
		return s.refuse(c, err)
	}
	id := requestIDOf(c)
	jobs, events, err := decodeMessages(ctxOf(c), id, body)
	if err != nil {
		s.log.Warn("handler failed", "request_id", id, "status", 400, "err", err.Error())
		return plain(c, http.StatusBadRequest, "bad request")
	}
	if len(events) > 0 {
		switch seen, err := s.jobs.seen(c.Request().Context(), events); {
		case err != nil:
			s.log.Error("dedupe lookup failed; answering 503", "request_id", id, "route", routeMessage, "err", err)
			return plain(c, http.StatusServiceUnavailable, msgStore)
		case seen:
			s.log.Info("duplicate delivery: every event was handled before; not run", "request_id", id,
				"route", routeMessage, "events", len(events))
			return plain(c, http.StatusOK, "")
		}
	}
	s.logMessages(id, jobs)
	if len(jobs) > 0 || len(events) > 0 {
		// A client hanging up must not leave the commit half done.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), s.cfg.HandlerTimeout)
		dup, err := s.jobs.enqueue(ctx, events, jobs)
		cancel()
		switch {
		case err != nil:
			s.log.Error("storing the SPAWNed jobs failed; answering 503", "request_id", id, "route", routeMessage,
				"jobs", len(jobs), "err", err.Error())
			return plain(c, http.StatusServiceUnavailable, msgStore)
		case dup:
			s.log.Info("duplicate delivery: a concurrent copy was handled first; its jobs are dropped",
				"request_id", id, "route", routeMessage, "jobs", len(jobs))
			return plain(c, http.StatusOK, "")
		}
	}
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte("OK"))
}

// Messages is the message handler's work without the store: decode Meta's
// payload and make one job per text message, logging each.
func (s *Server) Messages(ctx context.Context, id string, body []byte) ([]Job, error) {
	jobs, _, err := decodeMessages(ctx, id, body)
	if err != nil {
		return nil, err
	}
	s.logMessages(id, jobs)
	return jobs, nil
}

// decodeMessages gives one job per text message, and the delivery's event
// keys as gbhook's dedupe names them: each message by its id, each status by
// its id and status.
func decodeMessages(ctx context.Context, id string, body []byte) (jobs []Job, events []string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var n notification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, nil, err
	}
	for _, e := range n.Entry {
		for _, ch := range e.Changes {
			for _, m := range ch.Value.Messages {
				if m.ID != "" {
					events = append(events, "wa:msg:"+m.ID)
				}
				if n.Object == "whatsapp_business_account" && m.Text.Body != "" {
					jobs = append(jobs, Job{RequestID: id, From: m.From, Body: m.Text.Body, ID: m.ID})
				}
			}
			for _, st := range ch.Value.Statuses {
				if st.ID != "" {
					events = append(events, "wa:status:"+st.ID+":"+st.Status)
				}
			}
		}
	}
	return jobs, events, nil
}

// logMessages is the script's LOG line for each message.
func (s *Server) logMessages(id string, jobs []Job) {
	for _, j := range jobs {
		s.log.Info("WhatsApp message from "+j.From+": "+j.Body, "request_id", id, "at", atMessage)
	}
}

// Process is the SUB PROCESS WHATSAPP MESSAGE: build the reply (GENERATE
// RESPONSE) and send it.
func (s *Server) Process(ctx context.Context, j Job) error {
	reply := "Thanks for your message! You said: " + j.Body
	if s.cfg.Getenv("GBHOOK_LLM_URL") != "" {
		r, err := s.cfg.LLM.Complete(ctx, "You are a helpful assistant answering a WhatsApp message in one or two short sentences. The message: "+j.Body)
		if err != nil {
			return err
		}
		reply = r
	}
	where, err := s.cfg.WhatsApp.SendText(ctx, j.From, reply)
	if err != nil {
		return err
	}
	s.log.Info("whatsapp sent", "request_id", j.RequestID, "to", j.From, "where", where, "at", atWhatsApp)
	return nil
}
