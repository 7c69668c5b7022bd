package render

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"
)

// trickyStrings are values that break naive quoting in Python, nginx or systemd.
var trickyStrings = []string{
	"",
	"plain",
	"it's",
	`say "hi"`,
	`'''`,
	`"""`,
	`\`,
	`ends with backslash\`,
	`\'`,
	`\\'`,
	"line\nbreak",
	"carriage\rreturn",
	"tab\there",
	"nul\x00byte",
	"bell\x07 and escape \x1b[31m",
	"del\x7f",
	"c1 control \u0085 next line",
	"right-to-left \u202e override",
	"zero width \u200b space",
	"no-break\u00a0space",
	"line separator \u2028 and paragraph \u2029",
	"byte order mark \ufeff",
	"kendra\u0435", // Cyrillic e, a look-alike
	"emoji \U0001F600 and astral \U00010000",
	"surrogate-looking \\ud800 text",
	"'); import os; os.system('id'); ('",
	"\"; import os #",
	"{braces} and {{double}}",
	"f-string {__import__('os')}",
	"%s %d %(x)s",
	"semi;colon",
	"hash # comment",
	"dollar $host ${x}",
	"back`tick`",
	strings.Repeat("long ", 2000),
	"\U0010FFFF max",
}

// TestPyStrRoundTripsThroughPython checks, with one run of the real interpreter, that every
// tricky string written by pyStr evaluates to exactly the original string, and that each literal
// is a single string token that cannot run code.
func TestPyStrRoundTripsThroughPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed; install it to prove pyStr against the real interpreter")
	}
	var program strings.Builder
	program.WriteString("import ast, json, sys\nliterals = [\n")
	for _, s := range trickyStrings {
		lit, err := pyStr(s)
		if err != nil {
			t.Fatalf("pyStr(%q): %v", s, err)
		}
		if strings.ContainsAny(lit, "\n\r") {
			t.Errorf("pyStr(%q) = %s spans lines", s, lit)
		}
		program.WriteString("    " + lit + ",\n")
	}
	program.WriteString("]\n")
	// Re-parse each literal alone: it must be one Constant string node, nothing else.
	program.WriteString(`
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    node = ast.parse(json.loads(line), mode="eval").body
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        print("NOT A STRING CONSTANT:", json.loads(line), file=sys.stderr)
        sys.exit(1)
json.dump(literals, sys.stdout)
`)
	var stdin strings.Builder
	for _, s := range trickyStrings {
		lit, _ := pyStr(s)
		b, _ := json.Marshal(lit)
		stdin.Write(b)
		stdin.WriteByte('\n')
	}
	cmd := exec.Command(python, "-c", program.String())
	cmd.Stdin = strings.NewReader(stdin.String())
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("python3: %v\n%s", err, stderr)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output: %v\n%s", err, out)
	}
	if len(got) != len(trickyStrings) {
		t.Fatalf("python evaluated %d strings, want %d", len(got), len(trickyStrings))
	}
	for i, s := range trickyStrings {
		if got[i] != s {
			t.Errorf("pyStr(%q) evaluates to %q in Python", s, got[i])
		}
	}
}

func TestPyStrRefusesInvalidUTF8(t *testing.T) {
	if _, err := pyStr("bad \xff byte"); err == nil {
		t.Error("pyStr accepted invalid UTF-8")
	}
}

// TestPyStrShowsInvisibleRunes: a reviewer reading the config must see a right-to-left override
// or a zero-width space, not have it reorder or hide the text.
func TestPyStrShowsInvisibleRunes(t *testing.T) {
	for _, s := range []string{"\u202e", "\u200b", "\u2028", "\ufeff", "\u00a0", "\x1b"} {
		lit, _ := pyStr(s)
		for _, c := range lit {
			if c > 0x7e || c < 0x20 {
				t.Errorf("pyStr(%q) = %q keeps the raw rune %U", s, lit, c)
			}
		}
	}
}

// nginxTokens splits one nginx directive line the way ngx_conf_read_token does: whitespace
// separates tokens, quotes group them with \" and \\ escapes, and ";" ends the directive.
func nginxTokens(t *testing.T, line string) []string {
	t.Helper()
	var tokens []string
	var cur strings.Builder
	inToken := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case !inToken && (c == ' ' || c == '\t'):
		case !inToken && (c == '"' || c == '\''):
			quote := c
			i++
			for ; i < len(line) && line[i] != quote; i++ {
				if line[i] == '\\' && i+1 < len(line) {
					i++
				}
				cur.WriteByte(line[i])
			}
			tokens = append(tokens, cur.String())
			cur.Reset()
		case c == ';':
			if inToken {
				tokens = append(tokens, cur.String())
			}
			return append(tokens, ";")
		case c == ' ' || c == '\t':
			tokens = append(tokens, cur.String())
			cur.Reset()
			inToken = false
		default:
			if c == '\\' && i+1 < len(line) {
				i++
				c = line[i]
			}
			cur.WriteByte(c)
			inToken = true
		}
	}
	if inToken {
		tokens = append(tokens, cur.String())
	}
	return tokens
}

// TestNginxValueIsOneToken: every value nginxValue accepts comes back from the tokenizer as a
// single token equal to itself, and those it cannot write safely are refused.
func TestNginxValueIsOneToken(t *testing.T) {
	for _, s := range trickyStrings {
		tok, err := nginxValue(s)
		refuse := strings.Contains(s, "$") || strings.IndexFunc(s, func(c rune) bool {
			return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)
		}) >= 0 || !utf8.ValidString(s)
		if refuse {
			if err == nil {
				t.Errorf("nginxValue(%q) = %s, want it refused", s, tok)
			}
			continue
		}
		if err != nil {
			t.Errorf("nginxValue(%q): %v", s, err)
			continue
		}
		got := nginxTokens(t, "root "+tok+";")
		want := []string{"root", s, ";"}
		if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != ";" {
			t.Errorf("nginxValue(%q) = %s tokenizes as %q, want %q", s, tok, got, want)
		}
	}
}

// TestSystemdArgEscapesSpecifiers: "%" and "$" would be expanded by systemd.
func TestSystemdArgEscapesSpecifiers(t *testing.T) {
	cases := map[string]string{
		"/usr/bin/jupyterhub":   "/usr/bin/jupyterhub",
		"/opt/my env/bin/hub":   `"/opt/my env/bin/hub"`,
		"/opt/100%/hub":         "/opt/100%%/hub",
		"/opt/$HOME/hub":        "/opt/$$HOME/hub",
		`/opt/quote"d/hub`:      `"/opt/quote\"d/hub"`,
		"PATH=/a:/b":            "PATH=/a:/b",
		`/opt/back\slash/hub`:   `"/opt/back\\slash/hub"`,
		"/opt/semi;colon/hub":   `"/opt/semi;colon/hub"`,
		"/opt/single'quote/hub": `"/opt/single'quote/hub"`,
	}
	for in, want := range cases {
		got, err := systemdArg(in)
		if err != nil || got != want {
			t.Errorf("systemdArg(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := systemdArg("two\nlines"); err == nil {
		t.Error("systemdArg accepted a newline")
	}
}
