package render

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileYAML are strings that break naive YAML: YAML 1.1's booleans and nulls, numbers, flow and
// block indicators, comments, document markers, tags, anchors, line breaks YAML knows and JSON
// does not (NEL, U+2028), C1 controls and DEL (which YAML 1.1 refuses raw), a byte order mark,
// and runes outside the Basic Multilingual Plane.
var hostileYAML = []string{
	"", " ", "yes", "no", "on", "off", "y", "n", "true", "False", "null", "~", "NULL",
	"1", "0o17", "0x1F", "1e3", ".inf", "-.nan", "1_000", "12:30:00", "2026-11-23",
	"a: b", "- a", "? a", "#c", "a #c", "{a: b}", "[a]", "a, b", "&anchor", "*alias", "!tag",
	"!!python/object/apply:os.system", "%YAML 1.2", "---", "...", "|", ">", "@", "`",
	"'", "\"", "\\", "\\\"", "'\"'", "a\nb", "a\r\nb", "\t", "trailing ", " leading",
	"\x00", "\x1b[31m", "\x7f", "\u0085", "\u00a0", "\u2028", "\u2029", "\ufeff", "\u202e",
	"\ufffd", "\U0001F600", "é", "ß", "\U0010FFFF", "kendra\n  admin_users: [\"eve\"]",
	"\"]\nhub: {}\n#", "\\u0041", "\\x41", "\\N",
}

// unquoteYAML reads yamlStr's output: the escapes it writes, and nothing else.
func unquoteYAML(t testing.TB, q string) string {
	t.Helper()
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		t.Fatalf("%q is not double-quoted", q)
	}
	var b strings.Builder
	s := q[1 : len(q)-1]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' {
			t.Fatalf("%q has the raw byte 0x%02x", q, c)
		}
		if c == '"' {
			t.Fatalf("%q has an unescaped quote", q)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		switch {
		case s[i] == '\\' || s[i] == '"':
			b.WriteByte(s[i])
		case s[i] == 'u' || s[i] == 'U':
			n := 4
			if s[i] == 'U' {
				n = 8
			}
			r, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			b.WriteRune(rune(r))
			i += n
		default:
			t.Fatalf("%q has the escape \\%c", q, s[i])
		}
	}
	return b.String()
}

// pyYAMLLoad reads doc with python3's PyYAML (a YAML 1.1 reader, as the chart's jupyterhub_config.py
// is; Helm's is YAML 1.2-ish) and returns what it read, as JSON.
func pyYAMLLoad(t *testing.T, doc string) []byte {
	t.Helper()
	cmd := exec.Command(debianPython, "-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin.read()), sys.stdout)")
	cmd.Stdin = strings.NewReader(doc)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if _, lookErr := exec.LookPath("python3"); lookErr != nil || strings.Contains(stderr.String(), "No module named 'yaml'") {
			t.Skipf("python3 with PyYAML (python3-yaml) is needed: %v %s", err, stderr.String())
		}
		t.Fatalf("PyYAML refuses the document: %v\n%s\n%s", err, stderr.String(), doc)
	}
	return out
}

// TestYAMLStrThroughPyYAML: every hostile string, and thousands of random ones, read back by a
// real YAML reader as exactly themselves, each a string, in a mapping whose other keys stay.
func TestYAMLStrThroughPyYAML(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	inputs := append([]string(nil), hostileYAML...)
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(12) {
			switch rng.IntN(4) {
			case 0:
				b.WriteByte(byte(rng.IntN(0x80)))
			case 1:
				b.WriteString(`"'\:#-{}[],&*!|>%@` + "`\n")
			default:
				r := rune(rng.IntN(0x110000))
				if !utf8.ValidRune(r) {
					r = 0xFFFD
				}
				b.WriteRune(r)
			}
		}
		inputs = append(inputs, b.String())
	}
	var doc strings.Builder
	for i, s := range inputs {
		q, err := yamlStr(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := unquoteYAML(t, q); got != s {
			t.Fatalf("yamlStr(%q) = %s reads back as %q", s, q, got)
		}
		doc.WriteString("k" + strconv.Itoa(i) + ": " + q + "\n")
	}
	doc.WriteString("last: end\n")
	var got map[string]any
	if err := json.Unmarshal(pyYAMLLoad(t, doc.String()), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(inputs)+1 || got["last"] != "end" {
		t.Fatalf("PyYAML read %d keys, want %d: a value broke out of its string", len(got), len(inputs)+1)
	}
	for i, s := range inputs {
		if v := got["k"+strconv.Itoa(i)]; v != s {
			t.Errorf("yamlStr(%q) reads back in PyYAML as %#v", s, v)
		}
	}
}

// TestYAMLBlock: hubgen's Python reads back unchanged as a literal block, and text a block cannot
// hold exactly falls back to a quoted string that can.
func TestYAMLBlock(t *testing.T) {
	texts := []string{
		"x = 1\n",
		"def f():\n    return 'a: b # c'\n\n\nc.X = f\n",
		"no newline at the end",
		"two at the end\n\n",
		"  indented first line\n",
		"trailing space \n",
		"tab\there\n",
		"é = 'non-ASCII'\n",
		"\n",
		"",
		"# comment\n---\n...\n",
	}
	var doc strings.Builder
	for _, s := range texts {
		b, err := yamlBlock(4, s)
		if err != nil {
			t.Fatal(err)
		}
		doc.Reset()
		doc.WriteString("outer:\n  k: " + b + "\n  after: end\n")
		var got map[string]map[string]any
		if err := json.Unmarshal(pyYAMLLoad(t, doc.String()), &got); err != nil {
			t.Fatal(err)
		}
		if got["outer"]["k"] != s || got["outer"]["after"] != "end" {
			t.Errorf("yamlBlock(%q) = %q reads back as %#v", s, b, got["outer"])
		}
	}
}

// FuzzYAMLStr: whatever the input, the output is printable ASCII in one pair of double quotes,
// with only the escapes yamlStr means, and reads back as the input.
func FuzzYAMLStr(f *testing.F) {
	for _, s := range hostileYAML {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := yamlStr(s)
		if !utf8.ValidString(s) {
			if err == nil {
				t.Fatalf("yamlStr(%q) accepted invalid UTF-8", s)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := unquoteYAML(t, q); got != s {
			t.Fatalf("yamlStr(%q) = %s reads back as %q", s, q, got)
		}
	})
}
