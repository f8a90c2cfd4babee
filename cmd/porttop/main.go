// Command porttop shows a machine's ports being handed out and released,
// live. See `porttop --help`.
package main

import (
	"errors"
	"fmt"
	"github.com/porttop/porttop/ui/safe"
	"io"
	"os"
	"strings"
)

// Exit statuses: 0 done, 1 failed (or `who`: the port is free), 2 bad input.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// commands maps a subcommand to its runner; "" is the live view.
var commands = map[string]func(args []string, stdout, stderr io.Writer) error{
	"watch":    runWatch,
	"record":   runRecord,
	"replay":   runReplay,
	"explain":  runExplain,
	"who":      runWho,
	"demo":     runDemo,
	"serve":    runServe,
	"snapshot": runSnapshot,
	"view":     runView,
	"version":  runVersion,
}

// run dispatches and turns the outcome into an exit status and at most one
// line on stderr.
func run(args []string, stdout, stderr io.Writer) int {
	stopProfiles := startProfiles()
	err := dispatch(args, stdout, stderr)
	stopProfiles()
	var ex exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ex):
		if ex.msg != "" {
			fmt.Fprintln(stderr, "porttop: "+safe.Text(ex.msg))
		}
		return ex.code
	}
	fmt.Fprintln(stderr, "porttop: "+safe.Text(oneLine(err.Error())))
	return exitFail
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return runLive(args, stdout, stderr)
	}
	name := args[0]
	if name == "help" {
		return runHelp(args[1:], stdout)
	}
	if cmd, ok := commands[name]; ok {
		return cmd(args[1:], stdout, stderr)
	}
	if _, _, err := parsePortArg(name); err == nil {
		return usagef("", "unknown command %q: to watch a port use 'porttop --port %s', to see who holds it 'porttop who %s'", name, name, name)
	}
	return usagef("", "unknown command %q (commands: watch, record, replay, explain, who, demo, serve, snapshot, view, help, version)", name)
}

// exitError carries an exit status and the one line to print.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

// usagef is bad input to command cmd ("" for porttop itself): exit 2 with a
// pointer to the help.
func usagef(cmd, format string, a ...any) error {
	hint := "run 'porttop --help'"
	if cmd != "" {
		hint = "run 'porttop " + cmd + " --help'"
	}
	return exitError{code: exitUsage, msg: oneLine(fmt.Sprintf(format, a...)) + " (" + hint + ")"}
}

// failf is a failure that is not the user's typing: exit 2 as well when the
// user named something unusable (a file), see callers.
func failf(code int, format string, a ...any) error {
	return exitError{code: code, msg: oneLine(fmt.Sprintf(format, a...))}
}

// oneLine keeps an error to one line, whatever a library put in it.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
