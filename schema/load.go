package schema

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/hubgen/hubgen/internal/spelling"
)

// Load reads the site file at path and returns its Site for target (TargetServer unless
// WithTarget says otherwise). An invalid file gives an error of type Problems listing everything
// wrong with it; a file that cannot be read gives another error.
func Load(path string, opts ...Option) (*Site, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read site file: %w", err)
	}
	return Parse(path, data, opts...)
}

// An Option changes what Parse checks.
type Option func(*options)

type options struct {
	target string
}

// WithTarget checks the site for a render target as well (see Targets): a site that does not suit
// it is invalid, and keys it ignores are warnings.
func WithTarget(target string) Option { return func(o *options) { o.target = target } }

// Parse decodes, defaults and validates a site file's contents. name is the file's path, used in
// messages and to resolve relative paths (users.roster). The Site keeps where each key is written,
// for checks across sites (SharedDomains).
func Parse(name string, data []byte, opts ...Option) (*Site, error) {
	o := options{target: TargetServer}
	for _, opt := range opts {
		opt(&o)
	}
	c := &checker{file: name}
	raw, ok := decode(c, data)
	if !ok {
		c.problems.sort()
		return nil, c.problems
	}
	c.values = typed(c, raw)
	c.site = build(name, c.values)
	validate(c)
	if len(c.problems.Errors()) == 0 {
		// A target's needs are checked on a valid site only: they would repeat its mistakes.
		checkTarget(c, o.target)
	}
	c.problems.sort()
	if errs := c.problems.Errors(); len(errs) > 0 {
		return nil, c.problems
	}
	c.site.Warnings = c.problems.Warnings()
	c.site.pos = c.pos
	return c.site, nil
}

// decode checks the bytes are UTF-8 TOML and returns the document as a map, with key positions
// recorded in r.
func decode(c *checker, data []byte) (map[string]any, bool) {
	if i := invalidUTF8(data); i >= 0 {
		c.report(point(offsetPosition(data, i)), "toml", SeverityError, messagef("byte 0x%02x is not UTF-8 (TOML files are UTF-8 text; save the file as UTF-8)", data[i]))
		return nil, false
	}
	if i := tooDeep(data); i >= 0 {
		c.report(point(offsetPosition(data, i)), "toml", SeverityError, messagef("arrays and inline tables nest more than %d deep (a site file needs 2)", maxNesting))
		return nil, false
	}
	text := string(data)
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			key := perr.LastKey
			if key == "" {
				key = "toml"
			}
			c.report(point(inText(text, Position{Line: perr.Position.Line, Col: perr.Position.Col})), key, SeverityError,
				messagef("syntax error: %s (see https://toml.io/en/v1.0.0)", printable(strings.TrimSpace(perr.Message))))
		} else {
			c.report(point(Position{Line: 1, Col: 1}), "toml", SeverityError, messagef("cannot decode: %s", printable(err.Error())))
		}
		return nil, false
	}
	c.pos = locate(text)
	return raw, true
}

// inText moves p onto text: the decoder places an error at the end of the file one column past
// the last character, and an editor cannot jump there.
func inText(text string, p Position) Position {
	lines := strings.Split(text, "\n")
	p.Line = min(max(p.Line, 1), len(lines))
	p.Col = min(max(p.Col, 1), len(lines[p.Line-1])+1)
	return p
}

// printable escapes the runes a terminal would not show in a decoder's message, which quotes the
// file's characters as they are, control characters included.
func printable(s string) string {
	var b strings.Builder
	for _, c := range s {
		if unicode.IsPrint(c) && c != utf8.RuneError {
			b.WriteRune(c)
			continue
		}
		q := strconv.QuoteRuneToASCII(c)
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		c, size := utf8.DecodeRune(data[i:])
		if c == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

func offsetPosition(data []byte, offset int) Position {
	p := Position{Line: 1, Col: 1}
	start := 0
	if strings.HasPrefix(string(data[:min(len(data), len(byteOrderMark))]), byteOrderMark) && offset >= len(byteOrderMark) {
		start = len(byteOrderMark) // not a column: see locate
	}
	for _, c := range data[start:offset] {
		if c == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	return p
}

// typed walks the decoded document against Fields: every key must be known and of its kind.
// It returns the values by dotted key: string, []string or int64 or bool.
func typed(c *checker, raw map[string]any) map[string]any {
	values := map[string]any{}
	for _, top := range slices.Sorted(maps.Keys(raw)) {
		v := raw[top]
		if isTable(top) {
			table, ok := v.(map[string]any)
			if !ok {
				c.atValue(top, "got %s, want a table (write [%s] on a line of its own, then its keys)", describe(v), top)
				continue
			}
			for _, k := range slices.Sorted(maps.Keys(table)) {
				typedValue(c, values, top+"."+k, table[k])
			}
			continue
		}
		typedValue(c, values, top, v)
	}
	return values
}

func typedValue(c *checker, values map[string]any, key string, v any) {
	f, ok := FieldByKey(key)
	if !ok {
		c.atKey(key, "unknown key (%s)", suggestion(key))
		return
	}
	switch f.Kind {
	case KindString:
		if s, ok := v.(string); ok {
			values[key] = s
			return
		}
	case KindInt:
		if n, ok := v.(int64); ok {
			values[key] = n
			return
		}
	case KindBool:
		if b, ok := v.(bool); ok {
			values[key] = b
			return
		}
	case KindNumber:
		switch n := v.(type) {
		case float64:
			values[key] = n
			return
		case int64:
			values[key] = float64(n)
			return
		}
	case KindCommand:
		if s, ok := v.(string); ok {
			values[key] = []string{s}
			return
		}
		fallthrough
	case KindStrings:
		if list, ok := v.([]any); ok {
			strs := make([]string, 0, len(list))
			good := true
			for i, e := range list {
				s, ok := e.(string)
				if !ok {
					c.atValue(fmt.Sprintf("%s[%d]", key, i), "got %s, want a string (like %s)", describe(e), elementExample(f))
					good = false
					continue
				}
				strs = append(strs, s)
			}
			if good {
				values[key] = strs
			}
			return
		}
	}
	c.atValue(key, "got %s, want %s (like %s = %s)", describe(v), f.Kind, lastSegment(key), f.Example)
}

func isTable(key string) bool {
	return slices.ContainsFunc(Tables, func(t Table) bool { return t.Name == key })
}

func lastSegment(key string) string {
	return key[strings.LastIndex(key, ".")+1:]
}

// describe names a decoded TOML value's type the way the TOML spec does, with the value when it
// is short, for "got ..., want ..." messages.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return "a string"
	case int64:
		return fmt.Sprintf("the integer %d", v)
	case float64:
		return fmt.Sprintf("the float %v", v)
	case bool:
		return fmt.Sprintf("%v", v)
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return "a date or time"
	}
}

// suggestion returns "did you mean ...?" when a known key is close to an unknown one, or where to
// look the keys up.
func suggestion(key string) string {
	best, bestDist := "", 1<<30
	for _, f := range Fields {
		d := spelling.Distance(key, f.Key)
		// A key put in the wrong table: same name, another table.
		if lastSegment(f.Key) == lastSegment(key) && strings.Contains(key, ".") {
			d = min(d, 1)
		}
		// A key spelt out in full or cut short: "certificate" for "cert".
		if sameTable(f.Key, key) && (strings.HasPrefix(lastSegment(key), lastSegment(f.Key)) || strings.HasPrefix(lastSegment(f.Key), lastSegment(key))) {
			d = min(d, 2)
		}
		if d < bestDist {
			best, bestDist = f.Key, d
		}
	}
	if !strings.Contains(key, ".") {
		for _, t := range Tables {
			if d := spelling.Distance(key, t.Name); d < bestDist {
				best, bestDist = "["+t.Name+"]", d
			}
		}
	}
	if bestDist <= max(2, len(key)/4) {
		table, name, found := strings.Cut(best, ".")
		if found {
			return fmt.Sprintf("did you mean %s in [%s]?", name, table)
		}
		return fmt.Sprintf("did you mean %s?", best)
	}
	return "see `hubgen schema` for the keys of site.toml"
}

func sameTable(a, b string) bool {
	ta, _, okA := strings.Cut(a, ".")
	tb, _, okB := strings.Cut(b, ".")
	return okA && okB && ta == tb
}

// elementExample is one element of a list field's example, for messages about one element.
func elementExample(f Field) string {
	e := strings.TrimPrefix(f.Example, "[")
	if i := strings.IndexAny(e, ",]"); i >= 0 {
		e = e[:i]
	}
	return e
}

// build makes the Site from typed values, filling every row's Into with its value or default, so
// that nothing downstream has to know one. A key whose login type is not the site's keeps its zero
// value.
func build(name string, values map[string]any) *Site {
	s := &Site{Source: name, Dir: filepath.Dir(name)}
	authType, _ := valueOrDefault(values, "auth.type").(string)
	for _, f := range Fields {
		if !f.appliesTo(authType) {
			continue
		}
		v := valueOrDefault(values, f.Key)
		switch into := f.Into(s).(type) {
		case *string:
			*into, _ = v.(string)
		case *[]string:
			list, _ := v.([]string)
			if _, set := values[f.Key]; !set {
				// A default is shared by every Site: each gets its own copy to change.
				list = slices.Clone(list)
			}
			*into = list
		case *int:
			switch n := v.(type) {
			case int64:
				// Out-of-range values are clamped so validation can report them without overflow.
				*into = int(max(min(n, 1<<31-1), -1<<31))
			case int:
				*into = n
			}
		case *bool:
			*into, _ = v.(bool)
		case *float64:
			*into, _ = v.(float64)
		case *time.Duration:
			text, _ := v.(string)
			*into = duration(text)
		default:
			panic(fmt.Sprintf("schema: %s's Into is a %T, which build cannot fill", f.Key, into))
		}
	}
	return s
}

// valueOrDefault is key's value in the file, else its Field's default; nil when it has neither.
func valueOrDefault(values map[string]any, key string) any {
	if v, ok := values[key]; ok {
		return v
	}
	f, ok := fieldsByKey[key]
	switch {
	case !ok:
		panic("schema: build reads " + key + ", which is not in Fields")
	case f.DefaultFrom != nil:
		return f.DefaultFrom(func(other string) any { return valueOrDefault(values, other) })
	}
	return f.Default
}
