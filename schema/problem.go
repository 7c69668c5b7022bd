package schema

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a site file, at a position, about a key.
type Problem struct {
	File    string
	Line    int
	Col     int
	Key     string // dotted key path with indexes, "users.allowed[2]"; "toml" for syntax errors
	Message string // what is wrong (what would be right)
	Warning bool   // reported, but the site is still valid
}

func (p Problem) String() string {
	s := fmt.Sprintf("%s:%d:%d: %s: %s", p.File, p.Line, p.Col, p.Key, p.Message)
	if p.Warning {
		s = fmt.Sprintf("%s:%d:%d: warning: %s: %s", p.File, p.Line, p.Col, p.Key, p.Message)
	}
	return s
}

// Problems are all the problems of one file, sorted by position. As an error it is returned only
// when at least one is not a warning.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Errors returns the problems that are not warnings.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Warnings returns the problems that are only warnings.
func (ps Problems) Warnings() Problems {
	var out Problems
	for _, p := range ps {
		if p.Warning {
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
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Col < ps[j].Col
	})
}

// reporter collects problems for one file, placing each at a key's position.
type reporter struct {
	file     string
	pos      positions
	problems Problems
}

// atValue reports a problem with the value of key.
func (r *reporter) atValue(key, format string, args ...any) {
	p := r.pos.valuePos(key)
	r.add(p, key, false, fmt.Sprintf(format, args...))
}

// atKey reports a problem with the key itself (unknown, duplicate, missing).
func (r *reporter) atKey(key, format string, args ...any) {
	p := r.pos.keyPos(key)
	r.add(p, key, false, fmt.Sprintf(format, args...))
}

func (r *reporter) add(p Position, key string, warning bool, msg string) {
	r.problems = append(r.problems, Problem{File: r.file, Line: p.Line, Col: p.Col, Key: printableKey(key), Message: msg, Warning: warning})
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
