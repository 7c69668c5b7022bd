package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one subcommand, as cmd/go/internal/base.Command holds one: its usage line, help and
// flags are written once here, and usage errors, `hubgen help` and README's command table are
// made from them.
type command struct {
	name     string
	synopsis string // what follows "hubgen NAME" in the usage line
	short    string // one line for `hubgen help` and README's table
	long     string // the help `hubgen help NAME` and `hubgen NAME -h` print

	// minArgs and maxArgs bound the positional arguments; maxArgs < 0 is no bound.
	minArgs, maxArgs int

	// setup defines the command's flags on fs and returns the function that runs the command on
	// its positional arguments once the flags are parsed. The flag values live in the closure, so
	// every run starts from the defaults: the tests run many commands in one process.
	setup func(fs *flag.FlagSet) func(e *env, args []string) int
}

// usageLine is "hubgen NAME SYNOPSIS", the form usage errors and help print.
func (c *command) usageLine() string {
	return strings.TrimSpace("hubgen " + c.name + " " + c.synopsis)
}

// newFlagSet makes the command's flag set with its flags defined, and the function that runs it.
func (c *command) newFlagSet() (*flag.FlagSet, func(e *env, args []string) int) {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	// The flag package would print the usage on -h and on every bad flag; execute prints the help
	// itself, to stdout for -h, and a bad flag gets the usage line.
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	return fs, c.setup(fs)
}

// help is what `hubgen help NAME` prints: the usage line, the long help, and the flags in the
// flag package's own format (the man page and the shell completion are made from this text).
func (c *command) help() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "usage: %s\n\n%s\n", c.usageLine(), strings.TrimSpace(c.long))
	fs, _ := c.newFlagSet()
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		b.WriteString("\nFlags:\n")
		fs.SetOutput(&b)
		fs.PrintDefaults()
	}
	return b.Bytes()
}

// execute parses args, checks their count against the table and runs the command.
func (c *command) execute(e *env, args []string) int {
	fs, runner := c.newFlagSet()
	// Wrapped only for parsing: PrintDefaults in help reads the flag values' own types.
	fs.VisitAll(func(f *flag.Flag) {
		if _, ok := f.Value.(repeatable); !ok {
			f.Value = &onceValue{Value: f.Value, name: f.Name}
		}
	})
	positional, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return writeOut(e, c.name, c.help())
	}
	if err != nil {
		return c.usageError(e, "%v", err)
	}
	switch n := len(positional); {
	case c.minArgs == 1 && c.maxArgs == 1 && n != 1:
		return c.usageError(e, "want exactly one site file, got %d", n)
	case n < c.minArgs:
		return c.usageError(e, "no site file")
	case c.maxArgs == 0 && n > 0:
		return c.usageError(e, "takes no arguments, got %q", positional[0])
	case c.maxArgs == 1 && n > 1:
		return c.usageError(e, "takes one argument at most, got %d", n)
	case c.maxArgs >= 0 && n > c.maxArgs:
		return c.usageError(e, "takes %d arguments at most, got %d", c.maxArgs, n)
	}
	return runner(e, positional)
}

// usageError prints what is wrong with the command line and the usage line, and exits 2.
func (c *command) usageError(e *env, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "hubgen %s: %s\nusage: %s\nrun `hubgen help %s` for more\n", c.name, fmt.Sprintf(format, args...), c.usageLine(), c.name)
	return exitFailure
}

// parseInterleaved parses flags that may come before, between or after the positional arguments,
// as in `hubgen render site.toml -o /etc`, and returns the positional arguments. After "--"
// everything is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// writeOut writes a command's whole output to standard output. A failed write (a full disk, a
// closed pipe) is a failure to write, exit 2, so that `hubgen help > file` on a full disk is not
// taken for success.
func writeOut(e *env, name string, data []byte) int {
	if _, err := e.stdout.Write(data); err != nil {
		fmt.Fprintf(e.stderr, "hubgen %s: write standard output: %v\n", name, err)
		return exitFailure
	}
	return exitOK
}

// repeatable marks a flag that may be given more than once, such as init's --admin.
type repeatable interface{ repeatable() }

// stringList is a flag that may be given several times, each value added to the list.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
func (l *stringList) repeatable()        {}

// onceValue refuses a flag given twice: the flag package keeps the last value, so
// `render -o /srv/a -o /etc` would silently write into /etc.
type onceValue struct {
	flag.Value
	name string
	set  bool
}

func (v *onceValue) Set(s string) error {
	if v.set {
		return fmt.Errorf("-%s is already %q: give it once", v.name, v.Value.String())
	}
	v.set = true
	return v.Value.Set(s)
}

// IsBoolFlag keeps -force and -q flags that take no value.
func (v *onceValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// usageErrorIn is usageError for a command's run function, which cannot name its own command
// value (Go would see an initialization cycle); it finds the command by name.
func usageErrorIn(e *env, name, format string, args ...any) int {
	return lookup(name).usageError(e, format, args...)
}
