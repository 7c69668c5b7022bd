package render

import (
	"fmt"
	"strings"
	"testing"
)

// nginxDirective is one directive of a parsed nginx.conf: its name, its arguments as nginx reads
// them (quotes removed, escapes applied), and its block when it has one.
type nginxDirective struct {
	Name  string
	Args  []string
	Block []nginxDirective // nil: a simple directive ending in ";"
	Line  int
}

// parseNginxConf reads nginx.conf the way nginx's ngx_conf_read_token does, so that a value that
// ends a token, a directive or a block early shows up as a different tree. It knows the rules the
// rendered files could trip over: "#" starts a comment only at the start of a token, a quote only
// starts a quoted token at the start of one and must be followed by a space, ";" or "{", a
// backslash escapes the next character anywhere, and \" \' \\ \t \r \n are the escapes nginx
// decodes.
func parseNginxConf(text string) ([]nginxDirective, error) {
	p := &nginxParser{text: text, line: 1}
	list, end, err := p.block()
	if err != nil {
		return nil, err
	}
	if end != nginxEOF {
		return nil, fmt.Errorf("line %d: unexpected \"}\"", p.line)
	}
	return list, nil
}

type nginxEnd int

const (
	nginxEOF nginxEnd = iota
	nginxSemicolon
	nginxBlockStart
	nginxBlockEnd
)

type nginxParser struct {
	text string
	i    int
	line int
}

// block reads directives until "}" or the end of the text.
func (p *nginxParser) block() ([]nginxDirective, nginxEnd, error) {
	list := []nginxDirective{}
	for {
		line := p.line
		words, end, err := p.statement()
		if err != nil {
			return nil, 0, err
		}
		switch end {
		case nginxEOF, nginxBlockEnd:
			if len(words) > 0 {
				return nil, 0, fmt.Errorf("line %d: directive %q has no \";\" or \"{\"", line, words[0])
			}
			return list, end, nil
		case nginxSemicolon:
			list = append(list, nginxDirective{Name: words[0], Args: words[1:], Line: line})
		case nginxBlockStart:
			inner, innerEnd, err := p.block()
			if err != nil {
				return nil, 0, err
			}
			if innerEnd != nginxBlockEnd {
				return nil, 0, fmt.Errorf("line %d: block %q is not closed", line, words[0])
			}
			list = append(list, nginxDirective{Name: words[0], Args: words[1:], Block: inner, Line: line})
		}
	}
}

// statement reads the words of one directive and what ends it.
func (p *nginxParser) statement() ([]string, nginxEnd, error) {
	var words []string
	for {
		word, isWord, end, err := p.token()
		if err != nil {
			return nil, 0, err
		}
		if isWord {
			words = append(words, word)
			continue
		}
		switch end {
		case nginxSemicolon, nginxBlockStart:
			if len(words) == 0 {
				return nil, 0, fmt.Errorf("line %d: unexpected %q", p.line, p.text[p.i-1])
			}
		case nginxBlockEnd:
			if len(words) > 0 {
				return nil, 0, fmt.Errorf("line %d: unexpected \"}\" after %q", p.line, words[0])
			}
		}
		return words, end, nil
	}
}

func nginxSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// token returns the next word, or what ends the directive. A word directly followed by ";" or "{"
// is returned first; the terminator comes with the next call.
func (p *nginxParser) token() (word string, isWord bool, end nginxEnd, err error) {
	// Between tokens: spaces and comments.
	for p.i < len(p.text) {
		c := p.text[p.i]
		if c == '#' {
			for p.i < len(p.text) && p.text[p.i] != '\n' {
				p.i++
			}
			continue
		}
		if !nginxSpace(c) {
			break
		}
		if c == '\n' {
			p.line++
		}
		p.i++
	}
	if p.i >= len(p.text) {
		return "", false, nginxEOF, nil
	}
	switch p.text[p.i] {
	case ';':
		p.i++
		return "", false, nginxSemicolon, nil
	case '{':
		p.i++
		return "", false, nginxBlockStart, nil
	case '}':
		p.i++
		return "", false, nginxBlockEnd, nil
	case '"', '\'':
		quote := p.text[p.i]
		p.i++
		start := p.i
		for {
			if p.i >= len(p.text) {
				return "", false, 0, fmt.Errorf("line %d: unterminated %c string", p.line, quote)
			}
			c := p.text[p.i]
			if c == '\n' {
				p.line++
			}
			if c == '\\' && p.i+1 < len(p.text) {
				if p.text[p.i+1] == '\n' {
					p.line++
				}
				p.i += 2
				continue
			}
			if c == quote {
				break
			}
			p.i++
		}
		raw := p.text[start:p.i]
		p.i++
		// nginx: `unexpected "x"` unless a space, ";" or "{" follows the closing quote.
		if p.i < len(p.text) && !nginxSpace(p.text[p.i]) && p.text[p.i] != ';' && p.text[p.i] != '{' {
			return "", false, 0, fmt.Errorf("line %d: unexpected %q after a quoted string", p.line, p.text[p.i])
		}
		return nginxUnescape(raw), true, 0, nil
	}
	start := p.i
	variable := false
	for p.i < len(p.text) {
		c := p.text[p.i]
		if c == '{' && variable { // "${name}" is part of the word
			p.i++
			continue
		}
		variable = false
		if c == '\\' && p.i+1 < len(p.text) {
			if p.text[p.i+1] == '\n' {
				p.line++
			}
			p.i += 2
			continue
		}
		if c == '$' {
			variable = true
			p.i++
			continue
		}
		if nginxSpace(c) || c == ';' || c == '{' {
			break
		}
		p.i++
	}
	return nginxUnescape(p.text[start:p.i]), true, 0, nil
}

// nginxUnescape applies the escapes nginx decodes in a word; any other backslash stays.
func nginxUnescape(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' && i+1 < len(raw) {
			switch raw[i+1] {
			case '"', '\'', '\\':
				b.WriteByte(raw[i+1])
				i++
				continue
			case 't':
				b.WriteByte('\t')
				i++
				continue
			case 'r':
				b.WriteByte('\r')
				i++
				continue
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			}
		}
		b.WriteByte(raw[i])
	}
	return b.String()
}

// compareNginxTrees checks that got has exactly the directives and blocks of want, in order, and
// that each argument of got equals want's after substitute (which puts a site's values where the
// reference had placeholders). It returns the differences, each with its path in the file.
func compareNginxTrees(want, got []nginxDirective, substitute func(string) string) []string {
	var diffs []string
	var walk func(path string, want, got []nginxDirective)
	walk = func(path string, want, got []nginxDirective) {
		for i := 0; i < max(len(want), len(got)); i++ {
			if i >= len(want) {
				diffs = append(diffs, fmt.Sprintf("%s: extra directive %q %q at line %d", path, got[i].Name, got[i].Args, got[i].Line))
				continue
			}
			if i >= len(got) {
				diffs = append(diffs, fmt.Sprintf("%s: missing directive %q %q", path, want[i].Name, want[i].Args))
				continue
			}
			w, g := want[i], got[i]
			here := fmt.Sprintf("%s > %s#%d", path, w.Name, i)
			if substitute(w.Name) != g.Name {
				diffs = append(diffs, fmt.Sprintf("%s: directive %q at line %d, want %q", here, g.Name, g.Line, substitute(w.Name)))
				continue
			}
			if len(w.Args) != len(g.Args) {
				diffs = append(diffs, fmt.Sprintf("%s: %d arguments %q at line %d, want %d %q", here, len(g.Args), g.Args, g.Line, len(w.Args), w.Args))
			} else {
				for j := range w.Args {
					if want := substitute(w.Args[j]); want != g.Args[j] {
						diffs = append(diffs, fmt.Sprintf("%s: argument %d is %q at line %d, want %q", here, j+1, g.Args[j], g.Line, want))
					}
				}
			}
			if (w.Block == nil) != (g.Block == nil) {
				diffs = append(diffs, fmt.Sprintf("%s: block %v at line %d, want block %v", here, g.Block != nil, g.Line, w.Block != nil))
				continue
			}
			walk(here, w.Block, g.Block)
		}
	}
	walk("nginx.conf", want, got)
	return diffs
}

// TestNginxParser pins the tokenizer to nginx's rules, so the structural checks built on it judge
// the rendered files as nginx would.
func TestNginxParser(t *testing.T) {
	for _, tc := range []struct {
		conf string
		want string // the tree, printed by nginxTreeString; or "error: ..." (a prefix)
	}{
		{`a b;`, `a["b"];`},
		{`a "b c" 'd;e' f\ g;`, `a["b c" "d;e" "f\\ g"];`}, // nginx keeps a backslash it does not decode
		{`a "x\"y\\z" "t\tn\n" "\q";`, `a["x\"y\\z" "t\tn\n" "\\q"];`},
		{`a b#c; # comment ; {
d;`, `a["b#c"]; d[];`},
		{`http { server { listen 80; } x y; }`, `http[]{server[]{listen["80"];} x["y"];}`},
		{`map $a $b { default x; '' y; }`, `map["$a" "$b"]{default["x"]; ["y"];}`},
		{`a ${x}y;`, `a["${x}y"];`},
		{`a "b"c;`, `error: line 1: unexpected 'c'`},
		{`a "b;`, `error: line 1: unterminated " string`},
		{`a b`, `error: line 1: directive "a" has no`},
		{`a { b;`, `error: line 1: block "a" is not closed`},
		{`a; }`, `error: line 1: unexpected "}"`},
		{`;`, `error: line 1: unexpected ';'`},
		{`a b }`, `error: line 1: unexpected "}" after "a"`},
	} {
		tree, err := parseNginxConf(tc.conf)
		got := ""
		if err != nil {
			got = "error: " + err.Error()
		} else {
			got = nginxTreeString(tree)
		}
		if strings.HasPrefix(tc.want, "error: ") && strings.HasPrefix(got, tc.want) {
			continue
		}
		if got != tc.want {
			t.Errorf("parse %q:\n got %s\nwant %s", tc.conf, got, tc.want)
		}
	}
}

func nginxTreeString(list []nginxDirective) string {
	parts := make([]string, len(list))
	for i, d := range list {
		args := make([]string, len(d.Args))
		for j, a := range d.Args {
			args[j] = fmt.Sprintf("%q", a)
		}
		s := d.Name + "[" + strings.Join(args, " ") + "]"
		if d.Block != nil {
			s += "{" + nginxTreeString(d.Block) + "}"
		} else {
			s += ";"
		}
		parts[i] = s
	}
	return strings.Join(parts, " ")
}
