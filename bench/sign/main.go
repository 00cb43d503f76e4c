// Command sign prints the signature header value bench/run sends, computed
// with runtime/signature (the code gbhook verifies with):
//
//	sign twilio URL BODYFILE   X-Twilio-Signature, key TWILIO_AUTH_TOKEN
//	sign meta BODYFILE         X-Hub-Signature-256, key META_APP_SECRET
package main

import (
	"fmt"
	"os"

	"github.com/gbhook/gbhook/runtime/signature"
)

func main() {
	sig, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sign:", err)
		os.Exit(2)
	}
	fmt.Println(sig)
}

func run(args []string) (string, error) {
	switch {
	case len(args) == 3 && args[0] == "twilio":
		body, err := os.ReadFile(args[2])
		if err != nil {
			return "", err
		}
		params, err := signature.ParseForm(body)
		if err != nil {
			return "", err
		}
		return signature.TwilioSign(os.Getenv("TWILIO_AUTH_TOKEN"), args[1], params), nil
	case len(args) == 2 && args[0] == "meta":
		body, err := os.ReadFile(args[1])
		if err != nil {
			return "", err
		}
		return signature.MetaSign(os.Getenv("META_APP_SECRET"), body), nil
	}
	return "", fmt.Errorf("usage: sign twilio URL BODYFILE | sign meta BODYFILE")
}
