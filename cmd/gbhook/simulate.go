package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gbhook/gbhook/runtime/simulate"
)

// SimulateCmd is `gbhook simulate EVENT`: realistic, signed webhooks.
type SimulateCmd struct {
	simFlags

	TwilioCall     simTwilioCall     `cmd:"" name:"twilio-call" help:"An incoming voice call (POST /twilio/voice)."`
	TwilioGather   simTwilioGather   `cmd:"" name:"twilio-gather" help:"The caller's digits (POST /twilio/gather)."`
	WhatsappText   simWhatsAppText   `cmd:"" name:"whatsapp-text" help:"An inbound WhatsApp text (POST /webhooks/whatsapp)."`
	WhatsappStatus simWhatsAppStatus `cmd:"" name:"whatsapp-status" help:"A status-only WhatsApp delivery (POST /webhooks/whatsapp)."`
	MetaVerify     simMetaVerify     `cmd:"" name:"meta-verify" help:"Meta's GET verification handshake."`
	Send           simSend           `cmd:"" help:"Send any payload (--body FILE) to any path, signed."`
}

// simFlags are shared by every simulate subcommand.
type simFlags struct {
	URL       string `help:"Server base URL (default: http:// + the serve address)." env:"GBHOOK_URL"`
	Addr      string `help:"The serve address, used when --url is not given." default:"127.0.0.1:3000" env:"GBHOOK_ADDR"`
	PublicURL string `help:"The server's public URL, if it has one: Twilio signs it." env:"GBHOOK_PUBLIC_URL"`
	Body      string `help:"Send this file's bytes instead of the generated payload (still signed)." type:"existingfile"`
	Token     string `help:"Twilio auth token." env:"TWILIO_AUTH_TOKEN"`
	Secret    string `help:"Meta app secret." env:"META_APP_SECRET"`
}

func (f *simFlags) send(p simulate.Payload) error {
	base := f.URL
	if base == "" {
		base = "http://" + f.Addr
	}
	if f.Body != "" {
		b, err := os.ReadFile(f.Body)
		if err != nil {
			return err
		}
		p.Body = b
	}
	t := simulate.Target{BaseURL: base, PublicURL: f.PublicURL, TwilioToken: f.Token, MetaSecret: f.Secret}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := t.Send(ctx, p)
	if err != nil {
		return err
	}
	fmt.Printf("%d %s\n%s", res.Status, res.Header.Get("Content-Type"), res.Body)
	if len(res.Body) > 0 && res.Body[len(res.Body)-1] != '\n' {
		fmt.Println()
	}
	if res.Status >= 400 {
		return exitError(1)
	}
	return nil
}

type simTwilioCall struct{}

func (c *simTwilioCall) Run(f *simFlags) error { return f.send(simulate.TwilioCall()) }

type simTwilioGather struct {
	Digits string `help:"The digits the caller typed." default:"123456"`
}

func (c *simTwilioGather) Run(f *simFlags) error { return f.send(simulate.TwilioGather(c.Digits)) }

type simWhatsAppText struct {
	From string `help:"Sender's WhatsApp number." default:"5511999999999"`
	Text string `help:"Message text." default:"hi"`
}

func (c *simWhatsAppText) Run(f *simFlags) error {
	return f.send(simulate.WhatsAppText(c.From, c.Text))
}

type simWhatsAppStatus struct {
	Status string `help:"sent, delivered, read or failed." default:"delivered" enum:"sent,delivered,read,failed"`
	To     string `help:"Recipient of the original message." default:"5511999999999"`
}

func (c *simWhatsAppStatus) Run(f *simFlags) error {
	p, err := simulate.WhatsAppStatus(c.To, c.Status)
	if err != nil {
		return err
	}
	return f.send(p)
}

type simMetaVerify struct {
	VerifyToken string `help:"The verify token set in the Meta dashboard." env:"META_VERIFY_TOKEN"`
	Challenge   string `help:"The challenge Meta expects back." default:"1158201444"`
}

func (c *simMetaVerify) Run(f *simFlags) error {
	return f.send(simulate.MetaVerify(c.VerifyToken, c.Challenge))
}

type simSend struct {
	Path        string `help:"Request path (and query)." required:""`
	Method      string `help:"HTTP method." default:"POST"`
	ContentType string `help:"Content-Type of the body." default:"application/json"`
	Sign        string `help:"twilio, meta or none." default:"meta" enum:"twilio,meta,none"`
}

func (c *simSend) Run(f *simFlags) error {
	return f.send(simulate.Payload{Method: c.Method, Path: c.Path, ContentType: c.ContentType, Sign: c.Sign})
}
