// Command gbhook serves webhook handlers written in General Bots BASIC.
// It only parses flags and wires the packages together.
package main

import (
	"errors"
	"os"
	"strconv"

	"github.com/alecthomas/kong"
)

// CLI is gbhook's command line; each command lives in its own file.
type CLI struct {
	Serve    ServeCmd    `cmd:"" help:"Serve the scripts directory over HTTP, reloading on save."`
	Check    CheckCmd    `cmd:"" help:"Parse and check every .bas file in a directory."`
	Routes   RoutesCmd   `cmd:"" help:"List the routes a scripts directory defines."`
	Simulate SimulateCmd `cmd:"" help:"Send realistic, correctly signed webhooks to a running server."`
	Jobs     JobsCmd     `cmd:"" help:"List, retry or cancel SPAWNed jobs (serve's database)."`
}

func main() {
	var cli CLI
	ctx := kong.Parse(&cli,
		kong.Name("gbhook"),
		kong.Description("Webhook handlers in General Bots BASIC: Twilio voice, Meta WhatsApp, and more."),
		kong.UsageOnError(),
		kong.Bind(&cli.Simulate.simFlags),
	)
	if err := ctx.Run(); err != nil {
		os.Exit(exitCode(err))
	}
}

// exitError carries an exit status for a failure already reported to the user.
type exitError int

func (e exitError) Error() string { return "exit status " + strconv.Itoa(int(e)) }

func exitCode(err error) int {
	var e exitError
	if errors.As(err, &e) {
		return int(e)
	}
	os.Stderr.WriteString("gbhook: " + err.Error() + "\n")
	return 1
}
