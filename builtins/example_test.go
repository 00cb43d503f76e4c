package builtins_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gbhook/gbhook/builtins"
	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// Embedding the runtime: check scripts against the builtin table, compile
// them into a Machine with the builtins' implementations, and run a handler on
// a request. (A server would pick the handler by method and path.)
func Example() {
	src := `ON WEBHOOK POST TO "/twilio/voice" DO
  SET RESPONSE HEADER "Content-Type" TO "text/xml"
  PRINT "<Response><Say>Hello, "; XML ESCAPE(GET FORM VALUE "From"); "</Say></Response>"
END ON
`
	prog, err := lang.CheckSources([]lang.Source{{Name: "voice.bas", Text: []byte(src)}}, builtins.Specs())
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := runtime.New(prog, builtins.Registry(builtins.Deps{}), runtime.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	req := &runtime.Request{
		Method: "POST",
		Path:   "/twilio/voice",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte("From=%2B15550100&CallSid=CA1"),
	}
	resp, _, err := m.Exec(context.Background(), prog.Handlers[0], req, "req-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
	fmt.Println(string(resp.Body))
	// Output:
	// 200 text/xml
	// <Response><Say>Hello, +15550100</Say></Response>
}

// A script with problems gives every one of them, as file:line:col: message.
func Example_checkErrors() {
	src := `ON WEBHOOK POST TO "/hook" DO
  SET RESPONSE STATUS TO 100
  PRINT GET ENV "SMTP_PASSWORD"
END ON
`
	_, err := lang.CheckSources([]lang.Source{{Name: "hook.bas", Text: []byte(src)}}, builtins.Specs())
	fmt.Println(err)
	// Output:
	// hook.bas:2:26: status 100 is outside 200..599
	// hook.bas:3:17: environment variable SMTP_PASSWORD is a secret of the server; scripts cannot read it
}
