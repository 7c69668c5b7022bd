package schema

import (
	"math"
	"strconv"
	"strings"
)

// Position is a place in a site file, as compilers print it: 1-based line and byte column.
type Position struct {
	Line, Col int
}

// positions maps a key path ("users.allowed", "users.allowed[2]", "tls") to where it is written,
// from its first character to just past its last.
// BurntSushi/toml checks the syntax but does not export where each key stands, so after a
// successful decode the text is scanned once more by locate, which can therefore assume it is
// valid TOML and stay small.
type positions struct {
	key   map[string]span // where the key itself (or a table header) is
	value map[string]span // where its value is
}

// span is a Range stored in half the memory: a roster of 50,000 users has 50,000 of them, and
// int32 columns reach past any line a site file has.
type span struct {
	line, col, endLine, endCol int32
}

func spanOf(r Range) span {
	c := func(n int) int32 { return int32(min(n, math.MaxInt32)) }
	return span{c(r.Start.Line), c(r.Start.Col), c(r.End.Line), c(r.End.Col)}
}

func (s span) Range() Range {
	return Range{Position{int(s.line), int(s.col)}, Position{int(s.endLine), int(s.endCol)}}
}

// keyRange returns where path's key is written, falling back to its closest written parent so
// that a problem about a missing key points at the table that should hold it.
func (p positions) keyRange(path string) Range {
	for {
		if sp, ok := p.key[path]; ok {
			return sp.Range()
		}
		if sp, ok := p.value[path]; ok {
			return sp.Range()
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return point(Position{Line: 1, Col: 1})
		}
		path = path[:i]
	}
}

// valueRange returns where path's value is (or its key, or a parent's).
func (p positions) valueRange(path string) Range {
	if sp, ok := p.value[path]; ok {
		return sp.Range()
	}
	return p.keyRange(path)
}

// valuePos is where valueRange starts.
func (p positions) valuePos(path string) Position { return p.valueRange(path).Start }

// locate scans TOML text already accepted by the decoder and records the position of every key
// and every array element.
func locate(text string) positions {
	s := &scanner{text: text, line: 1, col: 1, pos: positions{key: map[string]span{}, value: map[string]span{}}}
	// A byte order mark (Windows editors write one) is not part of line 1: the decoder skips it,
	// and an editor does not count it as a column.
	if strings.HasPrefix(text, byteOrderMark) {
		s.i = len(byteOrderMark)
	}
	s.document()
	return s.pos
}

// byteOrderMark is U+FEFF in UTF-8.
const byteOrderMark = "\ufeff"

// maxLocatedPath bounds the key paths the scanner builds. Keys and elements nested deeper than any
// site file needs share their ancestor's path and position, so that a hostile file of 100,000
// nested arrays costs linear time rather than quadratic time and memory.
const maxLocatedPath = 1024

type scanner struct {
	text      string
	i         int
	line, col int
	pos       positions
	arrays    map[string]int // count of [[array.table]] headers seen, by path
	keyEnd    Position       // just past the last part of the key keyPath read
}

func (s *scanner) here() Position { return Position{Line: s.line, Col: s.col} }

func (s *scanner) peek() byte {
	if s.i < len(s.text) {
		return s.text[s.i]
	}
	return 0
}

func (s *scanner) advance() {
	if s.i >= len(s.text) {
		return
	}
	if s.text[s.i] == '\n' {
		s.line++
		s.col = 1
	} else {
		s.col++
	}
	s.i++
}

func (s *scanner) skipBlank(newlines bool) {
	for s.i < len(s.text) {
		switch c := s.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			s.advance()
		case c == '\n' && newlines:
			s.advance()
		case c == '#':
			for s.i < len(s.text) && s.peek() != '\n' {
				s.advance()
			}
		default:
			return
		}
	}
}

func (s *scanner) document() {
	table := ""
	for {
		s.skipBlank(true)
		if s.i >= len(s.text) {
			return
		}
		if s.peek() == '[' {
			start := s.here()
			s.advance()
			array := s.peek() == '['
			if array {
				s.advance()
			}
			s.skipBlank(false)
			table = s.keyPath("")
			for s.skipBlank(false); s.peek() == ']'; {
				s.advance()
			}
			header := Range{start, s.here()}
			if array {
				if s.arrays == nil {
					s.arrays = map[string]int{}
				}
				n := s.arrays[table]
				s.arrays[table] = n + 1
				s.record(s.pos.key, table, header)
				table += "[" + strconv.Itoa(n) + "]"
			}
			s.record(s.pos.key, table, header)
			for s.i < len(s.text) && s.peek() != '\n' && s.peek() != '#' {
				s.advance()
			}
			continue
		}
		s.keyValue(table)
	}
}

// keyValue reads `key = value` inside table and records both positions.
func (s *scanner) keyValue(table string) {
	start := s.here()
	path := s.keyPath(table)
	s.record(s.pos.key, path, Range{start, s.keyEnd})
	s.skipBlank(false)
	if s.peek() == '=' {
		s.advance()
	}
	s.skipBlank(false)
	s.value(path)
}

// keyPath reads a possibly dotted, possibly quoted key and returns it joined to prefix.
func (s *scanner) keyPath(prefix string) string {
	path := prefix
	for {
		s.skipBlank(false)
		start := s.here()
		var part string
		switch s.peek() {
		case '"', '\'':
			part = s.quotedKey()
		default:
			b := s.i
			for s.i < len(s.text) && isBareKeyChar(s.peek()) {
				s.advance()
			}
			part = s.text[b:s.i]
		}
		s.keyEnd = s.here()
		switch {
		case path == "":
			path = part
		case len(path) <= maxLocatedPath:
			path += "." + part
		}
		s.skipBlank(false)
		if s.peek() != '.' {
			return path
		}
		// Intermediate tables of a dotted key are defined where the dotted key is.
		s.record(s.pos.key, path, Range{start, s.keyEnd})
		s.advance()
	}
}

func isBareKeyChar(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (s *scanner) quotedKey() string {
	quote := s.peek()
	b := s.i
	s.skipString()
	raw := s.text[b:s.i]
	if quote == '\'' {
		return raw[1 : len(raw)-1]
	}
	if v, err := strconv.Unquote(raw); err == nil {
		return v
	}
	return raw[1 : len(raw)-1]
}

// skipString moves past one string of any of TOML's four kinds.
func (s *scanner) skipString() {
	quote := s.peek()
	// The delimiter is sliced from the text, not built: this runs for every string, and a roster
	// has thousands.
	if delim := s.text[s.i:min(s.i+3, len(s.text))]; delim == `"""` || delim == "'''" {
		for range 3 {
			s.advance()
		}
		for s.i < len(s.text) && !strings.HasPrefix(s.text[s.i:], delim) {
			if quote == '"' && s.peek() == '\\' {
				s.advance()
			}
			s.advance()
		}
		for range 3 {
			s.advance()
		}
		// A multi-line string may end with up to two more quotes that belong to its content.
		for s.peek() == quote {
			s.advance()
		}
		return
	}
	s.advance()
	for s.i < len(s.text) && s.peek() != quote && s.peek() != '\n' {
		if quote == '"' && s.peek() == '\\' {
			s.advance()
		}
		s.advance()
	}
	s.advance()
}

// value reads one value at path, recording where it is and, for arrays and inline tables, where
// each element is.
func (s *scanner) value(path string) {
	start := s.here()
	switch s.peek() {
	case '"', '\'':
		// Strings, a roster's thousands of usernames among them, are recorded once, at their end.
		s.skipString()
	case '[':
		// The array is recorded before its elements: beyond maxLocatedPath they share its path,
		// and the first record of a path is the one kept.
		s.record(s.pos.value, path, point(start))
		s.advance()
		for n := 0; ; n++ {
			s.skipBlank(true)
			if s.peek() == ']' || s.i >= len(s.text) {
				s.advance()
				break
			}
			elem := path
			if len(path) <= maxLocatedPath {
				elem += "[" + strconv.Itoa(n) + "]"
			}
			s.value(elem)
			s.skipBlank(true)
			if s.peek() == ',' {
				s.advance()
			}
		}
		s.end(path, start)
		return
	case '{':
		s.record(s.pos.value, path, point(start))
		s.advance()
		for {
			s.skipBlank(true)
			if s.peek() == '}' || s.i >= len(s.text) {
				s.advance()
				break
			}
			s.keyValue(path)
			s.skipBlank(true)
			if s.peek() == ',' {
				s.advance()
			}
		}
		s.end(path, start)
		return
	default:
		for s.i < len(s.text) && !strings.ContainsRune(",]}#\n \t\r", rune(s.peek())) {
			s.advance()
		}
	}
	s.record(s.pos.value, path, Range{start, s.here()})
}

// end sets where the array or inline table at path that started at start ends, unless path's
// record is another value's.
func (s *scanner) end(path string, start Position) {
	if sp := s.pos.value[path]; sp.Range().Start == start {
		s.pos.value[path] = spanOf(Range{start, s.here()})
	}
}

// record keeps the first position seen for a path: TOML forbids redefining a key, so the first
// is the only one in a file the decoder accepted.
func (s *scanner) record(m map[string]span, path string, r Range) {
	if _, ok := m[path]; !ok {
		m[path] = spanOf(r)
	}
}
