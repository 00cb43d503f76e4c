package lang

import (
	"os"
	"testing"
)

func TestSmokeSeed(t *testing.T) {
	var srcs []Source
	for _, n := range []string{"../testdata/seed/twilio.bas", "../testdata/seed/whatsapp.bas"} {
		b, _ := os.ReadFile(n)
		srcs = append(srcs, Source{Name: n, Text: b})
	}
	srcs = append(srcs, Source{Name: "gen.bas", Text: []byte("FUNCTION GENERATE RESPONSE TEXT$\n  RETURN \"echo: \" + TEXT$\nEND FUNCTION\n")})
	p, err := CheckSources(srcs, testTable)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range p.Handlers {
		t.Log(h.RouteString(), h.Frame.Names)
	}
}
