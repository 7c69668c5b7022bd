// Command hubgen renders a course's JupyterHub-behind-nginx configuration from one site.toml.
//
// Usage:
//
//	hubgen <command> [arguments]
//
// Run `hubgen help` for the commands.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hubgen/hubgen/internal/spelling"
)

// Exit codes, which users' scripts rely on.
const (
	exitOK      = 0 // all good
	exitInvalid = 1 // a site is invalid, or (check) files differ
	exitFailure = 2 // usage error, or a file could not be read or written
)

// commands are listed in `hubgen help` and README's table in this order. Set in init, because
// help reads the table.
var commands []*command

func init() {
	commands = []*command{cmdRender, cmdValidate, cmdCheck, cmdSecrets, cmdDoctor, cmdAccounts, cmdRoster, cmdInit, cmdImport, cmdSchema, cmdVersion, cmdHelp}
}

// env is what a command may touch, so that tests run commands in-process.
type env struct {
	stdin          io.Reader // read for a site file given as "-"
	stdout, stderr io.Writer
}

func main() {
	os.Exit(run(os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

func run(args []string, e *env) int {
	if len(args) == 0 {
		e.stderr.Write(usage())
		return exitFailure
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		return writeOut(e, "help", usage())
	case "-version", "--version":
		name = "version"
	}
	if c := lookup(name); c != nil {
		return c.execute(e, args[1:])
	}
	fmt.Fprintf(e.stderr, "hubgen: unknown command %q%s (run `hubgen help` for the commands)\n", name, didYouMean(name))
	return exitFailure
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// didYouMean names the command closest to a mistyped one (`rendr`, `valdiate`), if one is close.
func didYouMean(name string) string {
	best, bestDistance := "", 3 // more than two edits away is another word
	for _, c := range commands {
		if d := spelling.Distance(name, c.name); d < bestDistance {
			best, bestDistance = c.name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %s?", best)
}

// usage is `hubgen help`: one line per command, "\tNAME  SUMMARY" (the man page and the shell
// completion are made from these lines).
func usage() []byte {
	var b bytes.Buffer
	b.WriteString(`hubgen renders a complete nginx.conf, jupyterhub_config.py and systemd unit for
JupyterHub behind nginx from one declarative site.toml.

Usage:

	hubgen <command> [arguments]

Commands:

`)
	for _, c := range commands {
		fmt.Fprintf(&b, "\t%-10s %s\n", c.name, c.short)
	}
	b.WriteString(`
Run "hubgen help <command>" or "hubgen <command> -h" for a command's flags.

Exit status: 0 all good; 1 a site is invalid, or check found a file that differs,
or secrets or doctor found a problem, or import could not import the old files; 2 a
usage error or a file that could not be read or written.
`)
	return b.Bytes()
}

var cmdHelp = &command{
	name:     "help",
	synopsis: "[COMMAND]",
	short:    "print this help, or a command's usage and flags",
	long:     "Print the list of commands, or a command's usage, help and flags.",
	maxArgs:  1,
	setup: func(*flag.FlagSet) func(*env, []string) int {
		return func(e *env, args []string) int {
			if len(args) == 0 {
				return writeOut(e, "help", usage())
			}
			c := lookup(args[0])
			if c == nil {
				fmt.Fprintf(e.stderr, "hubgen help: unknown command %q%s (run `hubgen help` for the commands)\n", args[0], didYouMean(args[0]))
				return exitFailure
			}
			return writeOut(e, "help", c.help())
		}
	},
}

var cmdVersion = &command{
	name:  "version",
	short: "print hubgen's version",
	long:  "Print hubgen's version: the release it was built as, or the module version `go install` fetched.",
	setup: func(*flag.FlagSet) func(*env, []string) int {
		return func(e *env, _ []string) int {
			return writeOut(e, "version", []byte("hubgen "+hubgenVersion+"\n"))
		}
	},
}
