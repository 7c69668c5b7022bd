package main

import (
	"fmt"
	"regexp"
	"strings"
)

// help is what `hubgen help` and `hubgen help CMD` say, parsed. It is the one source of the man
// page and the bash completion, so neither repeats a word of the command line's own text.
type help struct {
	intro    []string // the paragraphs before "Usage:"
	commands []command
	trailer  []string // the paragraphs after the command list ("Run ...", "Exit status: ...")
}

type command struct {
	name, summary string
	synopsis      string // after "usage: hubgen NAME "
	long          string // the text between the usage line and "Flags:"
	flags         []flagHelp
	// positional is the synopsis's placeholder for the arguments that are not flags ("SITE",
	// "COMMAND"), or "" when the command takes none.
	positional string
}

type flagHelp struct {
	name  string // without dashes
	arg   string // the value's placeholder (ROOT, text|github); "" for a boolean flag
	usage string
	// spelling is how the synopsis writes the flag ("--against", "-o"), so that the man page and
	// the completion offer what the help shows.
	spelling string
}

var commandLine = regexp.MustCompile(`^\t([a-z][a-z0-9-]*)\s+(\S.*)$`)

// parseUsage parses `hubgen help`: an introduction, "Usage:", "Commands:" followed by one
// tab-indented "NAME  SUMMARY" line per command, then closing paragraphs.
func parseUsage(out string) (*help, error) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	h := &help{}
	i := 0
	var para []string
	for ; i < len(lines) && lines[i] != "Usage:"; i++ {
		para = appendLine(&h.intro, para, lines[i])
	}
	flush(&h.intro, para)
	if i == len(lines) {
		return nil, fmt.Errorf(`hubgen help: no "Usage:" line`)
	}
	for ; i < len(lines) && lines[i] != "Commands:"; i++ {
	}
	if i == len(lines) {
		return nil, fmt.Errorf(`hubgen help: no "Commands:" line`)
	}
	for i++; i < len(lines) && lines[i] == ""; i++ {
	}
	for ; i < len(lines) && lines[i] != ""; i++ {
		m := commandLine.FindStringSubmatch(lines[i])
		if m == nil {
			return nil, fmt.Errorf("hubgen help: line %d: %q is not a tab-indented \"NAME  SUMMARY\" command line", i+1, lines[i])
		}
		h.commands = append(h.commands, command{name: m[1], summary: m[2]})
	}
	if len(h.commands) == 0 {
		return nil, fmt.Errorf(`hubgen help: no commands under "Commands:"`)
	}
	para = nil
	for ; i < len(lines); i++ {
		para = appendLine(&h.trailer, para, lines[i])
	}
	flush(&h.trailer, para)
	if len(h.intro) == 0 {
		return nil, fmt.Errorf("hubgen help: no introduction before \"Usage:\"")
	}
	return h, nil
}

// appendLine adds line to the paragraph being collected, or ends it on a blank line.
func appendLine(paras *[]string, para []string, line string) []string {
	if strings.TrimSpace(line) == "" {
		flush(paras, para)
		return nil
	}
	return append(para, line)
}

func flush(paras *[]string, para []string) {
	if len(para) > 0 {
		*paras = append(*paras, strings.Join(para, "\n"))
	}
}

var (
	// flag.PrintDefaults writes "  -name ARG" or "  -name", then the usage on lines starting
	// with four spaces and a tab; a one-letter flag without an argument gets "  -x\tusage".
	flagLine      = regexp.MustCompile(`^  -([A-Za-z0-9][A-Za-z0-9_.-]*)(?: (\S+))?$`)
	shortFlagLine = regexp.MustCompile(`^  -([A-Za-z0-9])\t(.*)$`)
	synopsisFlag  = regexp.MustCompile(`^(--?)([A-Za-z0-9][A-Za-z0-9_.-]*)$`)
)

// parseCommand parses `hubgen help NAME` into c: "usage: hubgen NAME SYNOPSIS", a blank line, the
// long help, then optionally "Flags:" and flag.PrintDefaults's output.
func parseCommand(c *command, out string) error {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	prefix := "usage: hubgen " + c.name
	first := strings.TrimRight(lines[0], " ")
	if first != prefix && !strings.HasPrefix(first, prefix+" ") {
		return fmt.Errorf("hubgen help %s: first line %q does not start with %q", c.name, lines[0], prefix)
	}
	c.synopsis = strings.TrimSpace(strings.TrimPrefix(first, prefix))
	if len(lines) < 3 || lines[1] != "" {
		return fmt.Errorf("hubgen help %s: no blank line and description after the usage line", c.name)
	}
	i := 2
	var long []string
	for ; i < len(lines) && lines[i] != "Flags:"; i++ {
		long = append(long, lines[i])
	}
	c.long = strings.TrimSpace(strings.Join(long, "\n"))
	if c.long == "" {
		return fmt.Errorf("hubgen help %s: empty description", c.name)
	}
	if i < len(lines) {
		i++
		for ; i < len(lines); i++ {
			var f flagHelp
			if m := shortFlagLine.FindStringSubmatch(lines[i]); m != nil {
				f = flagHelp{name: m[1], usage: m[2]}
			} else if m := flagLine.FindStringSubmatch(lines[i]); m != nil {
				f = flagHelp{name: m[1], arg: m[2]}
				var usage []string
				for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "    \t") {
					i++
					usage = append(usage, strings.TrimPrefix(lines[i], "    \t"))
				}
				f.usage = strings.Join(usage, "\n")
			} else {
				return fmt.Errorf("hubgen help %s: line %d: %q is not a flag in flag.PrintDefaults's format", c.name, i+1, lines[i])
			}
			if strings.TrimSpace(f.usage) == "" {
				return fmt.Errorf("hubgen help %s: flag -%s has no description", c.name, f.name)
			}
			c.flags = append(c.flags, f)
		}
		if len(c.flags) == 0 {
			return fmt.Errorf(`hubgen help %s: "Flags:" without flags`, c.name)
		}
	}
	return c.readSynopsis()
}

// readSynopsis takes from the synopsis how each flag is spelled, the placeholder of each flag's
// value (it lists choices, "text|github", where flag.PrintDefaults shows only the default), and
// the placeholder of the positional arguments.
func (c *command) readSynopsis() error {
	tokens := strings.Fields(strings.NewReplacer("[", " ", "]", " ", "...", " ").Replace(c.synopsis))
	for i := 0; i < len(tokens); i++ {
		m := synopsisFlag.FindStringSubmatch(tokens[i])
		if m == nil {
			if c.positional == "" {
				c.positional = tokens[i]
			}
			continue
		}
		f := c.flag(m[2])
		if f == nil {
			return fmt.Errorf("hubgen help %s: the synopsis names %s, which is not among the flags", c.name, tokens[i])
		}
		f.spelling = tokens[i]
		if f.arg != "" && i+1 < len(tokens) && synopsisFlag.FindStringSubmatch(tokens[i+1]) == nil {
			i++
			f.arg = tokens[i]
		}
	}
	for i := range c.flags {
		f := &c.flags[i]
		if f.spelling == "" {
			// The same convention as the synopses: two dashes for a long name, one for a letter.
			f.spelling = "--" + f.name
			if len(f.name) == 1 {
				f.spelling = "-" + f.name
			}
		}
	}
	return nil
}

func (c *command) flag(name string) *flagHelp {
	for i := range c.flags {
		if c.flags[i].name == name {
			return &c.flags[i]
		}
	}
	return nil
}
