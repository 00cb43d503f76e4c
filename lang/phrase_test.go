package lang

import "testing"

// A builtin whose first argument is words nothing defines: when the builtin's
// name starts a longer name, the words are reported with it (the hint can
// name the longer phrase); otherwise on their own.
func TestMisspeltPhraseAfterABuiltin(t *testing.T) {
	table := append([]Builtin{{Name: "GET", MinArgs: 1, MaxArgs: 1}}, testTable...)
	tests := []struct{ name, body, want string }{
		{"after a one-word builtin that starts longer ones", `X = GET FROM VALUE "a"`,
			`t.bas:2:7: unknown name "GET FROM VALUE" (did you mean "GET FORM VALUE"?)`},
		{"after a statement that starts nothing longer", `PRINT NOTIFY OWNER "x"`,
			`t.bas:2:9: unknown name "NOTIFY OWNER"`},
		{"after LOG", `LOG NOTIFY OWNER`, `t.bas:2:7: unknown name "NOTIFY OWNER"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CheckSources([]Source{{Name: "t.bas", Text: []byte(on(tc.body))}}, table)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}
