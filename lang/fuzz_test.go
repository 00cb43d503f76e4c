package lang

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseCheck: any input yields either a program or positioned errors, and
// never a panic.
func FuzzParseCheck(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/seed/*.bas")
	more, _ := filepath.Glob("../testdata/lang/*.bas")
	for _, s := range append(seeds, more...) {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("ON WEBHOOK POST TO \"/a\" DO\n  IF 1 THEN PRINT 1 ELSE PRINT 2\nEND ON\n"))
	f.Add([]byte("SUB A(X)\n  FOR I = 1 TO X STEP 2 : NEXT\nEND SUB\n"))
	f.Add([]byte("X = GET JSON PATH O, \"a[0\""))
	f.Add([]byte("ON SCHEDULE \"CRON_TZ=UTC */5 * * * *\" DO\n  LOG 1\nEND ON\nON SCHEDULE X DO\nEND ON\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		prog, err := CheckSources([]Source{{Name: "f.bas", Text: src}}, testTable)
		if err == nil {
			if prog == nil {
				t.Fatal("nil program without error")
			}
			return
		}
		list, ok := err.(ErrorList)
		if !ok || len(list) == 0 {
			t.Fatalf("error is %T %v, want a non-empty ErrorList", err, err)
		}
		for _, e := range list {
			if e.Pos.File != "f.bas" || e.Pos.Line < 1 || e.Pos.Col < 1 || e.Msg == "" {
				t.Fatalf("unpositioned error %q", e.Error())
			}
		}
	})
}
