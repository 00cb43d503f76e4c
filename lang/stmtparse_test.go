package lang

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

// blocksOf lexes src and merges its call names as a load does, and splits it
// into top-level blocks; nil when it does not lex.
func blocksOf(src []byte) []tokCursor {
	toks, lexErr := scan("f.bas", src)
	if lexErr != nil {
		return nil
	}
	pt, _ := phrases(testTable, []*parsedFile{{headers: scanHeaders(toks)}})
	return topBlocks(mergeCalls(toks, pt))
}

// compareParsers parses each block of src by hand and with the grammar. When
// the hand parser answers, its tree must be the grammar's, which must have
// parsed. It returns how many blocks the grammar parsed and how many of those
// the hand parser gave up on.
func compareParsers(t *testing.T, src []byte) (parsed, missed int) {
	t.Helper()
	for _, blk := range blocksOf(src) {
		got, ok := handParse(&blk)
		peek, err := lexer.Upgrade(&sliceLexer{toks: append(blk.toks[:len(blk.toks):len(blk.toks)], blk.eof)})
		if err != nil {
			t.Fatal(err)
		}
		want, err := parseSafely(peek)
		if err == nil {
			parsed++
		}
		if !ok {
			if err == nil {
				missed++
			}
			continue
		}
		if err != nil {
			t.Fatalf("hand parser accepted a block the grammar rejects (%v):\n%s", err, src)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("hand parser's tree differs from the grammar's:\n%s", src)
		}
	}
	return parsed, missed
}

func scriptFiles(t testing.TB) []string {
	var files []string
	for _, g := range []string{"../testdata/seed/*.bas", "../testdata/lang/*.bas", "../testdata/run/*.bas", "../scripts/*.bas"} {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("found only %d scripts", len(files))
	}
	return files
}

// TestStmtParserMatchesGrammar holds the hand parser to the grammar on every
// script in the repository, and that it answers for every block the grammar
// parses (else a load would still go through participle).
func TestStmtParserMatchesGrammar(t *testing.T) {
	for _, name := range scriptFiles(t) {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if parsed, missed := compareParsers(t, src); missed > 0 {
			t.Errorf("%s: the hand parser gave up on %d of the %d blocks the grammar parses", name, missed, parsed)
		}
	}
}

// TestStmtParserCoversEveryStatement: each statement form, valid, is parsed by
// hand, and the same tree as the grammar's.
func TestStmtParserCoversEveryStatement(t *testing.T) {
	for _, c := range []struct{ name, src string }{
		{"assign", "LET A = 1\nB$ = \"x\" & A\n"},
		{"forms", "PRINT 1; 2;\nLOG \"x\"\nSEND MAIL TO \"a\" WITH SUBJECT \"s\" AND BODY \"b\"\nSET RESPONSE STATUS TO 201\n"},
		{"calls", "SUB S(A, B$)\nEND SUB\nS 1, \"x\"\nCALL S(1, \"x\")\nS(1, \"x\")\nPRINT UCASE(\"a\")\n"},
		{"unknown", "FOO BAR 1, 2\nCALL FOO(1), 2\nNOPE\nWHAT , 3\n"},
		{"if", "IF A THEN\n B = 1\nELSEIF C THEN\n B = 2\nELSE\n B = 3\nEND IF\nIF A THEN B = 1 : C = 2 ELSE D = 3 : E = 4\nIF A THEN B = 1 :\n"},
		{"nested-if-line", "IF A THEN IF B THEN X = 1 ELSE Y = 2\n"},
		{"loops", "FOR I = 1 TO 10 STEP 2\nNEXT I\nFOR EACH X IN L\nNEXT\nWHILE A < 3\n A = A + 1\nWEND\nDO WHILE A\n EXIT DO\nLOOP\n"},
		{"select", "SELECT CASE A\n\nCASE 1, 2\n B = 1\nCASE \"x\"\nCASE ELSE\n B = 2\nEND SELECT\n"},
		{"handlers", "ON WEBHOOK POST TO \"/a\" FROM TWILIO DO\n RETURN\nEND ON\nON SCHEDULE \"* * * * *\" DO\nEND ON\n"},
		{"procs", "FUNCTION F X, Y\n RETURN X + Y\nEND FUNCTION\nSUB G\n SPAWN F 1, 2\n SPAWN CALL G\n SPAWN NOPE 1\nEND SUB\nSUB H()\nEND SUB\n"},
		{"separators", "A = 1 : B = 2 :: C = 3\n\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			parsed, missed := compareParsers(t, []byte(c.src))
			if missed > 0 || parsed == 0 {
				t.Errorf("the hand parser gave up on %d of the %d blocks the grammar parses", missed, parsed)
			}
		})
	}
}

// FuzzStmtParserMatchesGrammar: on any input, what the hand parser returns
// is exactly the grammar's tree.
func FuzzStmtParserMatchesGrammar(f *testing.F) {
	for _, name := range scriptFiles(f) {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("IF A THEN B = 1 : ELSE C\nFOR I = 1 TO N STEP 2 : NEXT\nCASE 1,\nSUB F(\nRETURN 1e999\n"))
	f.Fuzz(func(t *testing.T, src []byte) { compareParsers(t, src) })
}
