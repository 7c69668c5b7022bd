package render

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pyStr writes s as a Python string literal that evaluates to exactly s. Quotes, backslashes,
// line breaks and every rune that is not plainly printable are escaped, so a value can neither end
// its string nor hide in the source (bidirectional controls, look-alike spaces show as \u escapes).
func pyStr(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s) + 2)
	if err := writePyStr(&b, s); err != nil {
		return "", err
	}
	return b.String(), nil
}

// writePyStr writes pyStr(s) to b, so that a list of thousands of users is quoted into one buffer.
func writePyStr(b *strings.Builder, s string) error {
	b.WriteByte('\'')
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			return fmt.Errorf("byte 0x%02x at offset %d is not UTF-8", s[i], i)
		}
		i += size
		switch {
		case c == '\'' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x80 && c >= 0x20 && c != 0x7f:
			b.WriteRune(c)
		case c > 0x7f && unicode.IsPrint(c):
			b.WriteRune(c)
		case c <= 0xff:
			fmt.Fprintf(b, `\x%02x`, c)
		case c <= 0xffff:
			fmt.Fprintf(b, `\u%04x`, c)
		default:
			fmt.Fprintf(b, `\U%08x`, c)
		}
	}
	b.WriteByte('\'')
	return nil
}

// pyStrList writes a Python list of string literals.
func pyStrList(list []string) (string, error) {
	return pyCollection("[", "]", "[]", list)
}

// pyStrSet writes a Python set of string literals; an empty one is set(), since {} is a dict.
func pyStrSet(list []string) (string, error) {
	return pyCollection("{", "}", "set()", list)
}

// pyCollection writes short collections on one line and longer ones one element a line, so that
// a roster change is a one-line diff.
func pyCollection(open, end, empty string, list []string) (string, error) {
	if len(list) == 0 {
		return empty, nil
	}
	oneLine := len(list) <= 3
	size := len(open) + len(end) + 1
	for _, s := range list {
		size += len(s) + 8 // quotes, indent or separator, a few escapes
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(open)
	if !oneLine {
		b.WriteString("\n")
	}
	for i, s := range list {
		switch {
		case !oneLine:
			b.WriteString("    ")
		case i > 0:
			b.WriteString(", ")
		}
		if err := writePyStr(&b, s); err != nil {
			return "", err
		}
		if !oneLine {
			b.WriteString(",\n")
		}
	}
	b.WriteString(end)
	return b.String(), nil
}

// nginxValue writes s as one nginx token: bare when nginx would read it back unchanged, else in
// double quotes with \" and \\ escaped. nginx has no way to escape "$" (it starts a variable in
// most directives), nor to write control characters, so those are refused: the validator keeps
// them out, and this is the last line.
func nginxValue(s string) (string, error) {
	if s == "" {
		return `""`, nil
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%q is not UTF-8", s)
	}
	if i := strings.IndexByte(s, '$'); i >= 0 {
		return "", fmt.Errorf("%q has a \"$\", which nginx would read as a variable", s)
	}
	for _, c := range s {
		if unicode.IsControl(c) {
			return "", fmt.Errorf("%q has the control character %U, which nginx cannot hold", s, c)
		}
	}
	if !strings.ContainsAny(s, " \t;{}#\"'\\") {
		return s, nil
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`, nil
}

// nginxVariable writes an expression of hubgen's own that uses nginx variables, such as
// "$host:8443". Only variable names, digits, ":" and "." may appear, so no site value can reach
// nginx through it.
func nginxVariable(s string) (string, error) {
	if s == "" || strings.IndexFunc(s, func(c rune) bool {
		return !(c == '$' || c == '_' || c == ':' || c == '.' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9')
	}) >= 0 {
		return "", fmt.Errorf("%q is not an nginx variable expression", s)
	}
	return s, nil
}

// systemdArg writes s as one word of a systemd unit setting such as ExecStart: double-quoted when
// needed, with "%" (specifiers) and "$" (environment variables) doubled so systemd passes them on.
func systemdArg(s string) (string, error) {
	if strings.ContainsAny(s, "\x00\n\r") {
		return "", fmt.Errorf("%q has a line break or NUL, which a unit file cannot hold", s)
	}
	s = strings.NewReplacer("%", "%%", "$", "$$").Replace(s)
	if s != "" && !strings.ContainsAny(s, " \t\"'\\;") {
		return s, nil
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`, nil
}

// systemdPath writes s for a path setting such as WorkingDirectory, which takes the rest of the
// line as the path: only specifiers need escaping.
func systemdPath(s string) (string, error) {
	if strings.ContainsAny(s, "\x00\n\r") {
		return "", fmt.Errorf("%q has a line break or NUL, which a unit file cannot hold", s)
	}
	return strings.ReplaceAll(s, "%", "%%"), nil
}

// commentText makes s safe inside a one-line comment of any of the three files: printed as is
// when it is plain, else as a Go-quoted ASCII string, so no newline can end the comment.
func commentText(s string) string {
	for _, c := range s {
		if c > unicode.MaxASCII || !unicode.IsPrint(c) {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}
