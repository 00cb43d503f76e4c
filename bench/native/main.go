// Command native serves the hand-written baseline of bench/run: the four
// shipped endpoints in plain Go (see package nativeserver). It reads the same
// environment as gbhook (TWILIO_AUTH_TOKEN, META_APP_SECRET,
// META_VERIFY_TOKEN, NOTIFY_EMAIL, GBHOOK_PUBLIC_URL, SMTP_* ...) and logs to
// stderr like gbhook serve.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gbhook/gbhook/bench/native/nativeserver"
	"github.com/gbhook/gbhook/runtime/delivery"
	"github.com/gbhook/gbhook/runtime/signature"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "native:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:3001", "listen address")
	data := flag.String("data", "./data", "data directory (native.db, the job store, and the outbox)")
	public := flag.String("public-url", os.Getenv("GBHOOK_PUBLIC_URL"), "public base URL Twilio signs")
	profiles := flag.String("pprof", "", "listen address of Go's profiles (/debug/pprof/), as gbhook's admin listener has; off when empty")
	flag.Parse()
	if *profiles != "" {
		go func() { _ = http.ListenAndServe(*profiles, nil) }() // net/http/pprof's handlers
	}
	publicURL, err := signature.ParsePublicURL(*public)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	mailer, wa, llm, err := delivery.FromEnv(delivery.Config{DataDir: *data})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv, err := nativeserver.New(nativeserver.Config{PublicURL: publicURL, Logger: log,
		Mailer: mailer, WhatsApp: wa, LLM: llm, DataDir: *data})
	if err != nil {
		_ = ln.Close()
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	if err := srv.Start(); err != nil {
		errc <- err
		_ = ln.Close()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	// Stopping the job workers lets the running jobs finish; the others
	// stay in native.db for the next start.
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil || err != nil {
		return errors.Join(err, serr)
	}
	return <-errc
}
