package builtins

import (
	"bytes"
	"os"
	"testing"

	"github.com/gbhook/gbhook/lang"
)

// The shipped scripts and the seed guide's programs must check with the real
// table; the seed needs a GENERATE RESPONSE from beside it.
func TestShippedAndSeedScriptsCheck(t *testing.T) {
	tests := []struct {
		name string
		dirs []string
		want [3]int // handlers, SUBs, FUNCTIONs
	}{
		{"scripts", []string{"../scripts"}, [3]int{5, 2, 2}},
		{"seed with GENERATE RESPONSE", []string{"../testdata/seed", "../testdata/seed-support"}, [3]int{3, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog, err := lang.LoadDirs(tt.dirs, Specs())
			if err != nil {
				t.Fatal(err)
			}
			h, s, f := prog.Counts()
			if got := [3]int{h, s, f}; got != tt.want {
				t.Errorf("counts %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSeedAloneReportsGenerateResponse(t *testing.T) {
	_, err := lang.LoadDirs([]string{"../testdata/seed"}, Specs())
	want := `../testdata/seed/whatsapp.bas:34:19: unknown name "GENERATE RESPONSE"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// The seed files must stay byte-identical to the guide's code blocks; the
// guide's text is kept in testdata for this comparison.
func TestSeedFilesAreTheGuideBlocks(t *testing.T) {
	guide, err := os.ReadFile("../testdata/seed/guide/webhook-configuration-guide.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"twilio.bas", "whatsapp.bas"} {
		b, err := os.ReadFile("../testdata/seed/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(guide, []byte("```basic\n"+string(b)+"```")) {
			t.Errorf("%s is not byte-identical to a ```basic block of the guide", name)
		}
	}
}
