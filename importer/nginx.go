package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Bounds on the nginx side, so that a hostile or broken tree gives an error instead of eating the
// machine: a real nginx.conf with its includes is a few hundred lines.
const (
	maxFileSize     = 4 << 20 // bytes of one file
	maxTotalSize    = 16 << 20
	maxIncludeDepth = 16
	maxFiles        = 512
)

// directive is one nginx directive as nginx's own tokenizer splits it: a name, its arguments with
// quotes and escapes removed, where it starts, and its block (nil for a simple directive).
type directive struct {
	Name  string
	Args  []string
	File  string
	Line  int
	Block []*directive
	// Included is set on the directives an include brought in, to the include's position.
	IncludedFrom string
}

func (d *directive) at() string { return fmt.Sprintf("%s:%d", d.File, d.Line) }

// hubgenIncludes are the includes hubgen writes itself: their files are the distribution's, not the
// site's, so they are not read (mime.types alone is a thousand types).
var hubgenIncludes = []string{"/etc/nginx/mime.types", "/etc/nginx/modules-enabled/*.conf"}

// nginxReader reads one nginx.conf and everything it includes, with the bounds above.
type nginxReader struct {
	files []string // every file read, in order
	total int
}

// readNginx parses the nginx.conf at path and its includes into one tree.
func readNginx(path string) ([]*directive, []string, error) {
	r := &nginxReader{}
	tree, err := r.file(path, filepath.Dir(path), nil)
	return tree, r.files, err
}

func (r *nginxReader) file(path, confDir string, stack []string) ([]*directive, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, errors.Unwrap(err))
	}
	if slices.Contains(stack, real) {
		return nil, fmt.Errorf("%s: include cycle: %s", path, strings.Join(append(stack, real), " -> "))
	}
	if len(stack) >= maxIncludeDepth {
		return nil, fmt.Errorf("%s: includes nested more than %d deep (%s ...): is there a cycle?", path, maxIncludeDepth, strings.Join(stack[:3], " -> "))
	}
	if len(r.files) >= maxFiles {
		return nil, fmt.Errorf("%s: more than %d nginx files included", path, maxFiles)
	}
	info, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, errors.Unwrap(err))
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: not a regular file", path)
	}
	if info.Size() > maxFileSize {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d MiB an nginx config file may have here", path, info.Size(), maxFileSize>>20)
	}
	if r.total += int(info.Size()); r.total > maxTotalSize {
		return nil, fmt.Errorf("%s: the included files make more than %d MiB", path, maxTotalSize>>20)
	}
	data, err := os.ReadFile(real)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, errors.Unwrap(err))
	}
	r.files = append(r.files, path)
	tree, err := parseNginx(path, string(data))
	if err != nil {
		return nil, err
	}
	return r.expand(tree, confDir, append(stack, real))
}

// expand replaces each include by the directives of the files it names, as nginx does: a relative
// pattern is taken from the directory of the main nginx.conf.
func (r *nginxReader) expand(tree []*directive, confDir string, stack []string) ([]*directive, error) {
	var out []*directive
	for _, d := range tree {
		if d.Block != nil {
			block, err := r.expand(d.Block, confDir, stack)
			if err != nil {
				return nil, err
			}
			d.Block = block
		}
		if d.Name != "include" || len(d.Args) != 1 || slices.Contains(hubgenIncludes, d.Args[0]) {
			out = append(out, d)
			continue
		}
		pattern := d.Args[0]
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(confDir, pattern)
		}
		matches, err := filepath.Glob(pattern)
		if err != nil {
			return nil, fmt.Errorf("%s: include %q: %v", d.at(), d.Args[0], err)
		}
		if len(matches) == 0 && !strings.ContainsAny(pattern, "*?[") {
			return nil, fmt.Errorf("%s: include %q: no such file", d.at(), d.Args[0])
		}
		for _, m := range matches {
			sub, err := r.file(m, confDir, stack)
			if err != nil {
				return nil, err
			}
			for _, s := range sub {
				if s.IncludedFrom == "" {
					s.IncludedFrom = d.at()
				}
			}
			out = append(out, sub...)
		}
	}
	return out, nil
}

// parseNginx splits text into directives the way nginx's ngx_conf_read_token does: words separated
// by blanks, "..." and '...' strings with backslash escapes, # comments where a word may start,
// and ";", "{", "}" as ends of directives and blocks.
func parseNginx(file, text string) ([]*directive, error) {
	p := &nginxParser{file: file, text: text, line: 1}
	tree, err := p.block(0)
	if err != nil {
		return nil, err
	}
	return tree, nil
}

type nginxParser struct {
	file string
	text string
	pos  int
	line int
}

func (p *nginxParser) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.file, line, fmt.Sprintf(format, args...))
}

// token kinds besides words
const (
	tokWord = iota
	tokSemicolon
	tokOpen
	tokClose
	tokEOF
)

func (p *nginxParser) next() (kind int, word string, line int, err error) {
	// skip blanks and comments
	for p.pos < len(p.text) {
		c := p.text[p.pos]
		switch {
		case c == '\n':
			p.line++
			p.pos++
		case c == ' ' || c == '\t' || c == '\r':
			p.pos++
		case c == '#':
			for p.pos < len(p.text) && p.text[p.pos] != '\n' {
				p.pos++
			}
		default:
			goto token
		}
	}
	return tokEOF, "", p.line, nil
token:
	line = p.line
	switch c := p.text[p.pos]; c {
	case ';':
		p.pos++
		return tokSemicolon, "", line, nil
	case '{':
		p.pos++
		return tokOpen, "", line, nil
	case '}':
		p.pos++
		return tokClose, "", line, nil
	case '"', '\'':
		p.pos++
		var b strings.Builder
		for p.pos < len(p.text) {
			ch := p.text[p.pos]
			switch {
			case ch == c:
				p.pos++
				if p.pos < len(p.text) && !strings.ContainsRune(" \t\r\n;{}", rune(p.text[p.pos])) {
					return 0, "", line, p.errorf(p.line, "unexpected %q after a quoted string", p.text[p.pos])
				}
				return tokWord, b.String(), line, nil
			case ch == '\\' && p.pos+1 < len(p.text) && (p.text[p.pos+1] == c || p.text[p.pos+1] == '\\'):
				b.WriteByte(p.text[p.pos+1])
				p.pos += 2
			case ch == '\\' && p.pos+1 < len(p.text) && strings.ContainsRune("tnr", rune(p.text[p.pos+1])):
				b.WriteByte(map[byte]byte{'t': '\t', 'n': '\n', 'r': '\r'}[p.text[p.pos+1]])
				p.pos += 2
			default:
				if ch == '\n' {
					p.line++
				}
				b.WriteByte(ch)
				p.pos++
			}
		}
		return 0, "", line, p.errorf(line, "a quoted string is not closed (cut off by copy and paste?)")
	}
	var b strings.Builder
	for p.pos < len(p.text) {
		ch := p.text[p.pos]
		switch {
		case ch == '\\' && p.pos+1 < len(p.text):
			b.WriteByte(p.text[p.pos+1])
			p.pos += 2
			continue
		case ch == '$' && p.pos+1 < len(p.text) && p.text[p.pos+1] == '{':
			// ${name}: the braces belong to the variable, not to a block
			end := strings.IndexByte(p.text[p.pos:], '}')
			if end < 0 {
				return 0, "", line, p.errorf(line, "a ${ is not closed")
			}
			b.WriteString(p.text[p.pos : p.pos+end+1])
			p.pos += end + 1
			continue
		case strings.ContainsRune(" \t\r\n;{}", rune(ch)):
			return tokWord, b.String(), line, nil
		}
		b.WriteByte(ch)
		p.pos++
	}
	return tokWord, b.String(), line, nil
}

func (p *nginxParser) block(depth int) ([]*directive, error) {
	if depth > 64 {
		return nil, p.errorf(p.line, "blocks nested more than 64 deep")
	}
	var out []*directive
	for {
		kind, word, line, err := p.next()
		if err != nil {
			return nil, err
		}
		switch kind {
		case tokEOF:
			if depth > 0 {
				return nil, p.errorf(line, "unexpected end of file, expecting \"}\"")
			}
			return out, nil
		case tokClose:
			if depth == 0 {
				return nil, p.errorf(line, "unexpected \"}\"")
			}
			return out, nil
		case tokSemicolon, tokOpen:
			return nil, p.errorf(line, "unexpected %q where a directive name should be", map[int]string{tokSemicolon: ";", tokOpen: "{"}[kind])
		}
		d := &directive{Name: word, File: p.file, Line: line}
		for {
			kind, arg, aline, err := p.next()
			if err != nil {
				return nil, err
			}
			if kind == tokWord {
				d.Args = append(d.Args, arg)
				continue
			}
			if kind == tokSemicolon {
				break
			}
			if kind == tokOpen {
				block, err := p.block(depth + 1)
				if err != nil {
					return nil, err
				}
				d.Block = block
				if d.Block == nil {
					d.Block = []*directive{}
				}
				break
			}
			return nil, p.errorf(aline, "directive %q is not terminated by \";\"", d.Name)
		}
		out = append(out, d)
	}
}
