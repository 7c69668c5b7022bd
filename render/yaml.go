package render

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// yamlStr writes s as a YAML double-quoted scalar that every YAML reader (1.1 and 1.2: Helm's, PyYAML)
// reads back as exactly s, and always as a string, never a number, boolean or null. The result is
// printable ASCII: quotes and backslashes are escaped, and every other rune outside space..tilde is
// written as \uXXXX or \UXXXXXXXX, so no value can end its string, start a new key or line, or
// hide in the file (YAML 1.1 refuses raw C1 controls and DEL anyway).
func yamlStr(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			return "", fmt.Errorf("byte 0x%02x at offset %d is not UTF-8", s[i], i)
		}
		i += size
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c >= ' ' && c <= '~':
			b.WriteRune(c)
		case c <= 0xFFFF:
			fmt.Fprintf(&b, `\u%04X`, c)
		default:
			fmt.Fprintf(&b, `\U%08X`, c)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// yamlStrList writes a YAML flow sequence of yamlStr scalars.
func yamlStrList(list []string) (string, error) {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		q, err := yamlStr(s)
		if err != nil {
			return "", err
		}
		b.WriteString(q)
	}
	b.WriteByte(']')
	return b.String(), nil
}

// yamlBlock writes text (hubgen's own Python, with values already quoted by pyStr) as a literal
// block scalar indented by indent spaces, which reads like the Python it holds. Only text whose
// every line is printable ASCII or empty, and that ends in one newline, qualifies; anything else
// is written with yamlStr, which is always safe.
func yamlBlock(indent int, text string) (string, error) {
	plain := strings.HasSuffix(text, "\n") && !strings.HasSuffix(text, "\n\n") && !strings.HasPrefix(text, " ") && !strings.HasPrefix(text, "\n")
	for i := 0; plain && i < len(text); i++ {
		c := text[i]
		plain = c == '\n' || c >= ' ' && c <= '~'
	}
	if plain {
		for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			if strings.HasSuffix(line, " ") {
				plain = false
			}
		}
	}
	if !plain {
		return yamlStr(text)
	}
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	b.WriteString("|")
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		b.WriteByte('\n')
		if line != "" {
			b.WriteString(pad + line)
		}
	}
	return b.String(), nil
}
