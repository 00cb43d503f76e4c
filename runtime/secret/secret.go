// Package secret owns the one list of environment variables that gbhook treats
// as secrets. It is a leaf: it imports nothing of ours.
package secret

import "strings"

// Vars are the environment variables whose values are secrets: GET ENV refuses
// them, and their values are redacted wherever remote error text is logged.
var Vars = []string{
	"TWILIO_AUTH_TOKEN",
	"META_APP_SECRET",
	"WHATSAPP_TOKEN",
	"SMTP_PASSWORD",
	"GBHOOK_LLM_API_KEY",
	"GBHOOK_ADMIN_TOKEN",
	"GBHOOK_DATABASE_URL",
}

// IsVar reports whether name is one of Vars. Case is ignored, so that a
// script cannot get around the rule by spelling.
func IsVar(name string) bool {
	// Vars are ASCII: against an ASCII name, EqualFold can only match one of
	// the same length (a non-ASCII name may fold to another length: K, ſ).
	anyLen := !isASCII(name)
	for _, v := range Vars {
		if (anyLen || len(v) == len(name)) && strings.EqualFold(v, name) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
