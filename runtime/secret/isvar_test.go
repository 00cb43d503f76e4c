package secret

import "testing"

func TestIsVar(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"exact", "TWILIO_AUTH_TOKEN", true},
		{"lower case", "twilio_auth_token", true},
		{"mixed case", "Meta_App_Secret", true},
		{"kelvin sign folds to K", "TWILIO_AUTH_TO\u212aEN", true},
		{"long s folds to S", "SMTP_PA\u017f\u017fWORD", true},
		{"not a secret", "GBHOOK_PUBLIC_URL", false},
		{"same length, other name", "TWILIO_AUTH_TOKEX", false},
		{"prefix only", "TWILIO_AUTH", false},
		{"longer", "TWILIO_AUTH_TOKEN_", false},
		{"empty", "", false},
		{"non-ASCII, no match", "NOTIFY_\u00e9MAIL", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsVar(tt.in); got != tt.want {
				t.Errorf("IsVar(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
