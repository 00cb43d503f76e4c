// Command sign prints the signature header value bench/run sends, computed
// with runtime/signature (the code gbhook verifies with):
//
//	sign twilio URL BODYFILE   X-Twilio-Signature, key TWILIO_AUTH_TOKEN
//	sign meta BODYFILE         X-Hub-Signature-256, key META_APP_SECRET
//	sign meta-pool BODYFILE N PREFIX
//
// meta-pool prints N lines "SIGNATURE BODY": BODYFILE's WhatsApp delivery on
// one line, its first message id replaced by PREFIX-1 … PREFIX-N, each
// signed. bench/run sends them so that no request is a redelivery.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/gbhook/gbhook/runtime/signature"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sign:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 3 && args[0] == "twilio":
		body, err := os.ReadFile(args[2])
		if err != nil {
			return err
		}
		params, err := signature.ParseForm(body)
		if err != nil {
			return err
		}
		fmt.Println(signature.TwilioSign(os.Getenv("TWILIO_AUTH_TOKEN"), args[1], params))
		return nil
	case len(args) == 2 && args[0] == "meta":
		body, err := os.ReadFile(args[1])
		if err != nil {
			return err
		}
		fmt.Println(signature.MetaSign(os.Getenv("META_APP_SECRET"), body))
		return nil
	case len(args) == 4 && args[0] == "meta-pool":
		n, err := strconv.Atoi(args[2])
		if err != nil || n < 1 {
			return fmt.Errorf("meta-pool: N %q is not a positive number", args[2])
		}
		w := bufio.NewWriter(os.Stdout)
		if err := pool(w, args[1], n, args[3], os.Getenv("META_APP_SECRET")); err != nil {
			return err
		}
		return w.Flush()
	}
	return errors.New("usage: sign twilio URL BODYFILE | sign meta BODYFILE | sign meta-pool BODYFILE N PREFIX")
}

// pool writes n copies of the delivery in path, each with its own message
// id, signed with secret.
func pool(w io.Writer, path string, n int, prefix, secret string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var body bytes.Buffer
	if err := json.Compact(&body, raw); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	id := gjson.GetBytes(body.Bytes(), "entry.0.changes.0.value.messages.0.id").Str
	if id == "" {
		return fmt.Errorf("%s: no entry[0].changes[0].value.messages[0].id", path)
	}
	old := []byte(`"` + id + `"`)
	for i := 1; i <= n; i++ {
		b := bytes.Replace(body.Bytes(), old, []byte(`"`+prefix+"-"+strconv.Itoa(i)+`"`), 1)
		if _, err := fmt.Fprintf(w, "%s %s\n", signature.MetaSign(secret, b), b); err != nil {
			return err
		}
	}
	return nil
}
