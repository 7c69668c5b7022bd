// Command hubgen renders a course's JupyterHub-behind-nginx configuration from one site.toml.
//
// Usage:
//
//	hubgen <command> [arguments]
//
// Run `hubgen help` for the commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes, as ../shared/DESIGN.md fixes them for users' scripts.
const (
	exitOK      = 0 // all good
	exitInvalid = 1 // a site is invalid, or (check) files differ
	exitFailure = 2 // usage error, or a file could not be read or written
)

// command is one subcommand. run gets the arguments after the command's name.
type command struct {
	name    string
	args    string // the synopsis after the name
	summary string
	run     func(env *env, args []string) int
}

// commands are listed in `hubgen help` in this order.
var commands = []command{
	{"render", "SITE... [-o ROOT]", "validate sites and write their nginx, JupyterHub and systemd files", runRender},
	{"validate", "SITE...", "validate sites only", runValidate},
	{"check", "SITE... --against ROOT [--format text|github]", "for CI: validate, render in memory and diff against committed files", runCheck},
	{"secrets", "SITE [--root DIR]", "create the missing cookie secret, proxy token and dhparam files, 0600", runSecrets},
	{"doctor", "SITE [--root DIR]", "preflight on the server: certificate, secrets, programs, users, nginx -t", runDoctor},
	{"accounts", "SITE [--apply --passwords FILE]", "PAM sites: create the users' missing accounts, lock those the site dropped", runAccounts},
	{"init", "[--domain D] [--admin U]... [--course NAME] [-o FILE [--force]]", "write a commented site.toml for a new course", runInit},
	{"schema", "", "print the JSON Schema of site.toml, for editors", runSchema},
	{"version", "", "print hubgen's version", runVersion},
}

// helpCommand is not in commands, which it reads.
var helpCommand = command{"help", "[COMMAND]", "print this help, or a command's", nil}

// env is what a command may touch, so that tests run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func main() {
	os.Exit(run(os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

func run(args []string, e *env) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitFailure
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		usage(e.stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	if name == helpCommand.name {
		return runHelp(e, args[1:])
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "hubgen: unknown command %q (run `hubgen help` for the commands)\n", name)
	return exitFailure
}

func usage(w io.Writer) {
	fmt.Fprint(w, `hubgen renders a complete nginx.conf, jupyterhub_config.py and systemd unit for
JupyterHub behind nginx from one declarative site.toml.

Usage:

	hubgen <command> [arguments]

Commands:

`)
	for _, c := range append(commands, helpCommand) {
		fmt.Fprintf(w, "\t%-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "hubgen help <command>" or "hubgen <command> -h" for a command's flags.

Exit status: 0 all good; 1 a site is invalid, or check found a file that differs,
or secrets or doctor found a problem; 2 a usage error or a file that could not be
read or written.
`)
}

// newFlagSet makes a command's flag set, whose -h prints the synopsis and the flags.
func newFlagSet(e *env, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	// The flag package calls Usage on -h and on every bad flag, writing to one output. parseArgs
	// prints the help itself, to stdout for -h; a bad flag gets a one-line pointer to it.
	fs.Usage = func() {}
	helpText[fs] = func(w io.Writer) {
		fmt.Fprintf(w, "usage: hubgen %s %s\n\n%s\n", name, synopsis, strings.TrimSpace(description))
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintf(w, "\nFlags:\n")
			fs.SetOutput(w)
			fs.PrintDefaults()
			fs.SetOutput(e.stderr)
		}
	}
	return fs
}

// helpText holds each flag set's help printer, written by newFlagSet.
var helpText = map[*flag.FlagSet]func(io.Writer){}

// parseArgs parses flags that may come before, between or after the positional arguments, as in
// `hubgen render site.toml -o /etc`. It returns the positional arguments, or an exit code when
// parsing ended the command (-h, or a bad flag).
func parseArgs(e *env, fs *flag.FlagSet, args []string) ([]string, int, bool) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				helpText[fs](e.stdout)
				return nil, exitOK, false
			}
			fmt.Fprintf(e.stderr, "run `hubgen %s -h` for its usage\n", fs.Name())
			return nil, exitFailure, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, 0, true
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), 0, true
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func runVersion(e *env, args []string) int {
	fs := newFlagSet(e, "version", "", "Print hubgen's version.")
	rest, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintln(e.stderr, "hubgen version: takes no arguments")
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "hubgen %s\n", version())
	return exitOK
}

func runHelp(e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(e, []string{"-h"})
		}
	}
	if args[0] == "help" {
		usage(e.stdout)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "hubgen help: unknown command %q\n", args[0])
	return exitFailure
}
