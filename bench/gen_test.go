package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbhook/gbhook/builtins"
	"github.com/gbhook/gbhook/lang"
)

// BenchmarkParseCheck parses and checks the shipped scripts and a generated
// directory of about 1 MB; SetBytes makes the MB/s column the throughput.
func BenchmarkParseCheck(b *testing.B) {
	gen := b.TempDir()
	size := writeGeneratedScripts(b, gen, 200, 1<<20)
	for _, c := range []struct {
		name string
		dirs []string
	}{
		{"scripts", []string{"scripts"}},
		{"generated-1MB", []string{gen}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(dirSize(b, c.dirs[0]))
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := lang.LoadDirs(c.dirs, builtins.Specs()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Logf("generated %d bytes in 200 files", size)
}

// dirSize is the total size of the .bas files of dir.
func dirSize(b *testing.B, dir string) int64 {
	files, err := filepath.Glob(filepath.Join(dir, "*.bas"))
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			b.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

// writeGeneratedScripts writes n scripts of about total/n bytes each: every
// file has two handlers, a SUB and a FUNCTION with names unique to the file
// (SUB and FUNCTION names are global), and handler bodies grown from varied
// sections until the file reaches its share.
func writeGeneratedScripts(b *testing.B, dir string, n, total int) int {
	size := 0
	for i := range n {
		src := generatedScript(i, total/n)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("gen%03d.bas", i)), []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
		size += len(src)
	}
	return size
}

func generatedScript(i, target int) string {
	var s strings.Builder
	fmt.Fprintf(&s, "REM Generated shop %d: orders in, notifications out.\n\n", i)
	fmt.Fprintf(&s, "ON WEBHOOK POST TO \"/shop%d/orders/:id\" DO\n", i)
	s.WriteString("  LET OBJ = PARSE JSON GET REQUEST BODY\n  LET ID$ = GET PATH VALUE \"id\"\n  TOTAL = 0\n")
	tail := generatedTail(i)
	for k := 0; s.Len()+len(tail)+len(generatedSection(i, k)) < target; k++ {
		s.WriteString(generatedSection(i, k))
	}
	s.WriteString("  PRINT JSON ENCODE(\"ok \" & ID$ & \" \" & TOTAL)\nEND ON\n\n")
	s.WriteString(tail)
	return s.String()
}

// generatedSection is one varied chunk of a handler body (about 700 bytes).
func generatedSection(i, k int) string {
	return fmt.Sprintf(`  REM section %[2]d
  FOR EACH ITEM%[2]d IN GET JSON PATH OBJ, "orders[%[2]d].items"
    LET QTY%[2]d = VAL(GET JSON PATH ITEM%[2]d, "qty")
    IF QTY%[2]d > 10 THEN
      TOTAL = TOTAL + PRICE%[1]d(QTY%[2]d, 0.9)
    ELSEIF QTY%[2]d > 0 THEN
      TOTAL = TOTAL + PRICE%[1]d(QTY%[2]d, 1)
    ELSE
      LOG "empty line in order " + ID$
    END IF
  NEXT ITEM%[2]d
  SELECT CASE GET JSON PATH OBJ, "orders[%[2]d].status"
    CASE "new", "paid"
      CALL NOTIFY SHOP%[1]d("order " & ID$ & " is " & UCASE(GET JSON PATH OBJ, "orders[%[2]d].status"), %[2]d)
    CASE "cancelled"
      SPAWN NOTIFY SHOP%[1]d "cancelled " + ID$, 2
    CASE ELSE
      LET NOTE$ = GET JSON PATH OBJ, "orders[%[2]d].note"
      LOG "order " & ID$ & ": " & TRIM(LEFT(NOTE$, 40))
  END SELECT
`, i, k)
}

// generatedTail is the file's second handler, its SUB and its FUNCTION.
func generatedTail(i int) string {
	return fmt.Sprintf(`ON WEBHOOK GET TO "/shop%[1]d/status" DO
  LET MODE$ = GET QUERY VALUE "mode"
  IF MODE$ = "" THEN MODE$ = "short"
  N = 0
  WHILE N < 3
    N = N + 1
  WEND
  SET RESPONSE HEADER "Content-Type" TO "text/plain"
  PRINT "shop %[1]d "; MODE$; " "; N
END ON

SUB NOTIFY SHOP%[1]d(TEXT$, LEVEL)
  IF LEVEL > 1 THEN
    SEND MAIL TO "ops%[1]d@example.com" WITH SUBJECT "Shop %[1]d" AND BODY TEXT$
  ELSE
    SEND WHATSAPP TO "4477009%05[1]d" WITH XML ESCAPE(TEXT$)
  END IF
END SUB

FUNCTION PRICE%[1]d(QTY, FACTOR)
  LET UNIT = 2.5 + %[1]d MOD 7
  RETURN ROUND(QTY * UNIT * FACTOR, 2)
END FUNCTION
`, i)
}
