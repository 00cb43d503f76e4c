package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gbhook/gbhook/builtins"
	"github.com/gbhook/gbhook/lang"
)

// CheckCmd is `gbhook check [DIR]`.
type CheckCmd struct {
	Dirs []string `arg:"" optional:"" help:"Directories of .bas files, checked together as one program (default: ./scripts)."`
}

// Run prints every problem and exits 1 if there is any; warnings never fail.
func (c *CheckCmd) Run() error {
	dirs, err := scriptDirs(c.Dirs)
	if err != nil {
		return err
	}
	return runCheck(dirs, os.Stdout, os.Stderr)
}

func runCheck(dirs []string, stdout, stderr io.Writer) error {
	prog, err := lang.LoadDirs(dirs, builtins.Specs())
	if err != nil {
		return printProblems(stderr, err, "")
	}
	for _, w := range unsignedCallbackWarnings(prog) {
		fmt.Fprintln(stderr, w)
	}
	h, s, f := prog.Counts()
	fmt.Fprintf(stdout, "ok: %d handlers, %d SUBs, %d FUNCTIONs in %d files\n", h, s, f, len(prog.Files))
	return nil
}

// unsignedCallbackWarnings flags POST routes that look like Twilio or WhatsApp
// callbacks but verify no signature: anyone could call them.
func unsignedCallbackWarnings(prog *lang.Program) []string {
	var out []string
	for _, h := range prog.Handlers {
		if h.Method != "POST" || h.From != lang.FromNone {
			continue
		}
		p := strings.ToLower(h.Path)
		switch {
		case strings.Contains(p, "twilio"):
			out = append(out, h.P.String()+": warning: POST "+h.Path+" looks like a Twilio callback but has no FROM TWILIO; its requests are not verified")
		case strings.Contains(p, "whatsapp") || strings.Contains(p, "meta"):
			out = append(out, h.P.String()+": warning: POST "+h.Path+" looks like a WhatsApp callback but has no FROM WHATSAPP; its requests are not verified")
		}
	}
	return out
}

// printProblems is the one place a failed load is shown: each problem of an
// ErrorList a line (lang formats them), then a count and what follows from it;
// the exit status is 1. Any other error is returned as it is.
func printProblems(w io.Writer, err error, consequence string) error {
	var list lang.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	fmt.Fprintf(w, "%s\n%d problem(s)%s\n", list.Error(), len(list), consequence)
	return exitError(1)
}

// RoutesCmd is `gbhook routes [DIR]`.
type RoutesCmd struct {
	Dirs []string `arg:"" optional:"" help:"Directories of .bas files (default: ./scripts)."`
}

// Run lists METHOD path [FROM …] file:line, one per line.
func (c *RoutesCmd) Run() error {
	dirs, err := scriptDirs(c.Dirs)
	if err != nil {
		return err
	}
	prog, err := lang.LoadDirs(dirs, builtins.Specs())
	if err != nil {
		return printProblems(os.Stderr, err, "")
	}
	for _, h := range prog.Handlers {
		fmt.Println(h.RouteString())
	}
	for _, l := range scheduleLines(prog, time.Now()) {
		fmt.Println(l)
	}
	return nil
}
