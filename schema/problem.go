package schema

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Problem is one diagnostic about a site file (or its roster): how bad it is, where it is, which
// key it is about, what is wrong and what would be right. Writing it is the job of
// Problems.WriteText and Problems.WriteGitHub.
type Problem struct {
	File     string
	Start    Position
	End      Position // just past the last character; Start when only a point is known
	Key      string   // dotted key path with indexes, "users.allowed[2]"; "toml" for syntax errors
	Severity Severity
	Summary  string // what is wrong: `"Kendra" has an uppercase letter`
	Fix      string // what would be right, without parentheses: `usernames are lowercase: "kendra"`; may be empty
}

// Severity is how bad a Problem is.
type Severity int

// The severities.
const (
	SeverityError   Severity = iota // the site is invalid
	SeverityWarning                 // reported, but the site is still valid
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Message is what the problem says, as every hubgen message reads: "what is wrong (what would
// be right)".
func (p Problem) Message() string {
	if p.Fix == "" {
		return p.Summary
	}
	return p.Summary + " (" + p.Fix + ")"
}

// String is the problem as compilers print one: FILE:LINE:COL: key: message, with "warning: "
// before the key for a warning.
func (p Problem) String() string {
	warning := ""
	if p.Severity == SeverityWarning {
		warning = "warning: "
	}
	return fmt.Sprintf("%s:%d:%d: %s%s: %s", p.File, p.Start.Line, p.Start.Col, warning, p.Key, p.Message())
}

// Problems are all the problems of one file, sorted by position. As an error it is returned only
// when at least one is not a warning.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	ps.WriteText(&b)
	return strings.TrimSuffix(b.String(), "\n")
}

// Errors returns the problems that are not warnings.
func (ps Problems) Errors() Problems { return ps.withSeverity(SeverityError) }

// Warnings returns the problems that are only warnings.
func (ps Problems) Warnings() Problems { return ps.withSeverity(SeverityWarning) }

func (ps Problems) withSeverity(s Severity) Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == s {
			out = append(out, p)
		}
	}
	return out
}

func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		if ps[i].Start.Line != ps[j].Start.Line {
			return ps[i].Start.Line < ps[j].Start.Line
		}
		return ps[i].Start.Col < ps[j].Start.Col
	})
}

// newProblem is the one place a Problem is made, so that every one has its key printable and its
// message split the same way.
func newProblem(file string, at Range, key string, sev Severity, m message) Problem {
	return Problem{File: file, Start: at.Start, End: at.End, Key: printableKey(key), Severity: sev, Summary: m.summary, Fix: m.fix}
}

// Range is where a problem is in a file; End is just past its last character.
type Range struct {
	Start, End Position
}

// point is a Range where only the start is known.
func point(p Position) Range { return Range{p, p} }

// message is what a problem says: what is wrong, and what would be right.
type message struct {
	summary, fix string
}

// messagef formats a message written as every hubgen message is, "what is wrong (what would be
// right)": the parenthesized group that ends format, if there is one, becomes the fix. The format
// is split rather than the formatted text, so parentheses in a user's value cannot move the split.
func messagef(format string, args ...any) message {
	summary, fix, ok := cutFix(format)
	n := countVerbs(summary)
	if !ok || n > len(args) || strings.Contains(format, "%[") {
		return message{summary: fmt.Sprintf(format, args...)}
	}
	return message{summary: fmt.Sprintf(summary, args[:n]...), fix: fmt.Sprintf(fix, args[n:]...)}
}

// cutFix splits "summary (fix)" at the " (" whose parenthesis the final ")" closes.
func cutFix(s string) (summary, fix string, ok bool) {
	if !strings.HasSuffix(s, ")") {
		return s, "", false
	}
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				if i == 0 || s[i-1] != ' ' {
					return s, "", false
				}
				return s[:i-1], s[i+1 : len(s)-1], true
			}
		}
	}
	return s, "", false
}

// countVerbs counts the arguments a format's verbs take.
func countVerbs(format string) int {
	n := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		for ; i < len(format) && strings.IndexByte("+-# 0123456789.*", format[i]) >= 0; i++ {
			if format[i] == '*' {
				n++ // a width or precision taken from the arguments
			}
		}
		n++
	}
	return n
}

// checker checks one site file: it holds the file's positions, its values as written and the
// Site built from them, and collects every problem, each placed at a key's position. Every check
// of a site is a function of a *checker, so each reads the file and reports the same way.
type checker struct {
	file     string
	pos      positions
	problems Problems
	site     *Site
	values   map[string]any // by dotted key, as typed read them: only the keys the file sets
}

// set tells whether the file sets key: a default is never wrong.
func (c *checker) set(key string) bool { _, ok := c.values[key]; return ok }

// atValue reports a problem with the value of key. format reads "what is wrong (what would be
// right)".
func (c *checker) atValue(key, format string, args ...any) {
	c.report(c.pos.valueRange(key), key, SeverityError, messagef(format, args...))
}

// atKey reports a problem with the key itself (unknown, duplicate, missing).
func (c *checker) atKey(key, format string, args ...any) {
	c.report(c.pos.keyRange(key), key, SeverityError, messagef(format, args...))
}

// warnAt reports a warning where key's value starts: the site stays valid.
func (c *checker) warnAt(key, format string, args ...any) {
	c.report(point(c.pos.valuePos(key)), key, SeverityWarning, messagef(format, args...))
}

func (c *checker) report(at Range, key string, sev Severity, m message) {
	c.problems = append(c.problems, newProblem(c.file, at, key, sev, m))
}

// printableKey writes a key path so that it stays on its line and shows what it holds: a quoted
// key that is empty or has a line break or an invisible rune in it is written quoted, with
// escapes.
func printableKey(key string) string {
	parts := strings.Split(key, ".")
	for i, part := range parts {
		if part == "" || strings.IndexFunc(part, func(c rune) bool { return c < 0x20 || c > 0x7e }) >= 0 {
			parts[i] = strconv.QuoteToASCII(part)
		}
	}
	return strings.Join(parts, ".")
}
