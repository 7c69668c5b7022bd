package shell

import (
	"os/exec"
	"testing"
)

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/srv/hub":        "/srv/hub",
		"/srv/my hub":     "'/srv/my hub'",
		"it's":            `'it'\''s'`,
		"":                "''",
		"a;rm -rf /":      "'a;rm -rf /'",
		"--cert-name=x,y": "--cert-name=x,y",
		"$HOME":           "'$HOME'",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestQuoteInTheShell has sh read each quoted word back: it must be one word, the input exactly.
func TestQuoteInTheShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, in := range []string{"/srv/hub", "my hub", "it's", "", "a;b", "$(id)", "`id`", "*", "~root", "a\nb", `\'"`, "-n"} {
		// set makes the quoted word the positional parameters: $# is 1 unless it split.
		out, err := exec.Command(sh, "-c", "set -- "+Quote(in)+`; printf '%s|%d' "$1" "$#"`).Output()
		if err != nil {
			t.Fatalf("sh with %s: %v", Quote(in), err)
		}
		if want := in + "|1"; string(out) != want {
			t.Errorf("sh read %s as %q, want %q", Quote(in), out, want)
		}
	}
}
