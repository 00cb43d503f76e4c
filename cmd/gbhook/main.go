// Command gbhook serves webhook handlers written in General Bots BASIC.
// It only parses flags and wires the packages together.
package main

import (
	"errors"
	"os"
	"runtime/debug"
	"strconv"

	"github.com/alecthomas/kong"
)

// CLI is gbhook's command line; each command lives in its own file.
type CLI struct {
	Version kong.VersionFlag `help:"Print the module version and VCS revision, and exit."`
	Serve   ServeCmd         `cmd:"" help:"Serve the scripts directory over HTTP, reloading on save."`
	Check   CheckCmd         `cmd:"" help:"Parse and check every .bas file in a directory."`
	Routes  RoutesCmd        `cmd:"" help:"List the routes and schedules a scripts directory defines."`
	// RunSchedule runs one ON SCHEDULE now.
	RunSchedule RunScheduleCmd `cmd:"" name:"run-schedule" help:"Run one ON SCHEDULE now (FILE:LINE), then the SUBs it SPAWNs."`
	Simulate    SimulateCmd    `cmd:"" help:"Send realistic, correctly signed webhooks to a running server."`
	Jobs        JobsCmd        `cmd:"" help:"List, retry or cancel SPAWNed jobs (serve's database)."`
	VersionCmd  VersionCmd     `cmd:"" name:"version" help:"Print the module version and VCS revision."`
}

func main() {
	var cli CLI
	ctx := kong.Parse(&cli,
		kong.Name("gbhook"),
		kong.Description("Webhook handlers in General Bots BASIC: Twilio voice, Meta WhatsApp, and more."),
		kong.UsageOnError(),
		kong.Bind(&cli.Simulate.simFlags),
		kong.Vars{"version": versionText(debug.ReadBuildInfo())},
	)
	if err := run(ctx, &cli); err != nil {
		os.Exit(exitCode(err))
	}
}

// run runs the chosen command. serve runs without the parser's model: it
// lives as long as the server, and its 140 KB would be marked by every GC.
func run(ctx *kong.Context, cli *CLI) error {
	if ctx.Command() == "serve" {
		return cli.Serve.Run()
	}
	return ctx.Run()
}

// exitError carries an exit status for a failure already reported to the user.
type exitError int

func (e exitError) Error() string { return "exit status " + strconv.Itoa(int(e)) }

func exitCode(err error) int {
	var e exitError
	if errors.As(err, &e) {
		return int(e)
	}
	var u usageError
	if errors.As(err, &u) {
		os.Stderr.WriteString("gbhook: " + u.Error() + "\n")
		return 2
	}
	os.Stderr.WriteString("gbhook: " + err.Error() + "\n")
	return 1
}
