package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRealHelp reads the help of hubgen as built from this tree, the way release.sh does.
func TestRealHelp(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "hubgen")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/hubgen").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	h, err := read(bin)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*command{}
	for i := range h.commands {
		byName[h.commands[i].name] = &h.commands[i]
	}
	for _, name := range []string{"render", "validate", "check", "secrets", "doctor", "init", "schema", "version", "help"} {
		if byName[name] == nil {
			t.Errorf("no command %s", name)
		}
	}
	check := byName["check"]
	if check == nil {
		t.FailNow()
	}
	if check.positional != "SITE" {
		t.Errorf("check's positional argument: %q, want SITE", check.positional)
	}
	for name, want := range map[string]flagHelp{
		"against": {name: "against", arg: "ROOT", spelling: "--against"},
		"format":  {name: "format", arg: "text|github", spelling: "--format"},
	} {
		f := check.flag(name)
		if f == nil {
			t.Errorf("check has no flag %s", name)
			continue
		}
		if f.arg != want.arg || f.spelling != want.spelling || f.usage == "" {
			t.Errorf("check's flag %s: %+v, want %+v and a usage", name, *f, want)
		}
	}
	if byName["help"].positional != "COMMAND" {
		t.Errorf("help's positional argument: %q, want COMMAND", byName["help"].positional)
	}

	script, err := completion(h)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", "-n", "-c", script).CombinedOutput(); err != nil {
		t.Errorf("the completion is not valid bash: %v\n%s", err, out)
	}
	if _, err := exec.LookPath("shellcheck"); err == nil {
		cmd := exec.Command("shellcheck", "--shell=bash", "-")
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("shellcheck on the completion: %v\n%s", err, out)
		}
	}

	// The page has every key of site.toml, with its type, whether it is required and its default.
	keys, err := readKeys(bin)
	if err != nil {
		t.Fatal(err)
	}
	page := manPage(h, keys, "v0.0.0-test", "2026-01-02")
	for _, want := range []string{
		".SH SITE.TOML KEYS\n",
		"\\fBdomain\\fR (string, required)\n",
		"\\fBhub.port\\fR (integer, default 8000)\n",
		"\\fBspawner.cmd\\fR (string or list of strings, required)\n",
		"\\fBusers.roster_column\\fR (string)\n",
		"\\fBtls.resolvers\\fR (list of strings, default [\"127.0.0.53\"])\n",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the man page lacks %q", want)
		}
	}
	schemaOut, err := exec.Command(bin, "schema").Output()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(page[strings.Index(page, ".SH SITE.TOML KEYS"):], "\n.TP\n"); n < len(keys) || len(keys) < 60 || !bytes.Contains(schemaOut, []byte(`"kernel_timeout"`)) {
		t.Errorf("the key reference has %d entries for %d keys", n, len(keys))
	}

	// man(1) with warnings on, as lintian runs it: groff must not complain about the page.
	if _, err := exec.LookPath("man"); err == nil {
		page := filepath.Join(t.TempDir(), "hubgen.1")
		keys, err := readKeys(bin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(page, []byte(manPage(h, keys, "v0.0.0-test", "2026-01-02")), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", page)
		cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "MANWIDTH=80")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("man --warnings on the page: %v\n%s", err, stderr.String())
		}
	}
}

// Help that is not in the expected shape is an error, so that a release cannot ship an empty
// man page or a completion that knows no command.
func TestUnreadableHelp(t *testing.T) {
	const usage = "hubgen renders things.\n\nUsage:\n\n\thubgen <command>\n\nCommands:\n\n\trender     render sites\n\nRun it.\n"
	for name, text := range map[string]string{
		"no Usage":          "hubgen renders things.\n\nCommands:\n\n\trender  x\n",
		"no Commands":       "hubgen renders things.\n\nUsage:\n\n\thubgen <command>\n",
		"no command lines":  "hubgen renders things.\n\nUsage:\n\nCommands:\n\n",
		"spaces, not a tab": "hubgen renders things.\n\nUsage:\n\nCommands:\n\n    render  render sites\n",
	} {
		if _, err := parseUsage(text); err == nil {
			t.Errorf("%s: parsed without an error", name)
		}
	}
	if h, err := parseUsage(usage); err != nil || len(h.commands) != 1 || h.commands[0].summary != "render sites" {
		t.Fatalf("the well-formed usage: %+v, %v", h, err)
	}

	for name, text := range map[string]string{
		"another command":       "usage: hubgen validate SITE\n\nValidate.\n",
		"no description":        "usage: hubgen render SITE\n\n",
		"flag in a new format":  "usage: hubgen render SITE [-o ROOT]\n\nRender.\n\nFlags:\n  -o ROOT\n    \twrite under ROOT\n  --force=BOOL  force it\n",
		"flag without usage":    "usage: hubgen render SITE [-o ROOT]\n\nRender.\n\nFlags:\n  -o ROOT\n",
		"synopsis unknown flag": "usage: hubgen render SITE [--out ROOT]\n\nRender.\n\nFlags:\n  -o ROOT\n    \twrite under ROOT\n",
		"Flags: and nothing":    "usage: hubgen render SITE\n\nRender.\n\nFlags:\n",
	} {
		c := command{name: "render"}
		if err := parseCommand(&c, text); err == nil {
			t.Errorf("%s: parsed without an error: %+v", name, c)
		}
	}
	c := command{name: "render"}
	if err := parseCommand(&c, "usage: hubgen render SITE... [-o ROOT] [-f]\n\nRender.\n\nFlags:\n  -f\tforce it\n  -o ROOT\n    \twrite under ROOT\n"); err != nil {
		t.Fatal(err)
	}
	if c.positional != "SITE" || len(c.flags) != 2 || c.flags[0].usage != "force it" || c.flags[1].arg != "ROOT" || c.flags[1].spelling != "-o" {
		t.Errorf("parsed %+v", c)
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		`-o ROOT and --format`: `\-o ROOT and \-\-format`,
		`all-or-nothing`:       `all-or-nothing`,
		`a\b`:                  `a\eb`,
		`[--root DIR]`:         `[\-\-root DIR]`,
		".toml>/, and an":      `\&.toml>/, and an`,
		"'quoted' start":       `\&'quoted' start`,
	} {
		if got := escapeLines(in); got != want {
			t.Errorf("escapeLines(%q) = %q, want %q", in, got, want)
		}
	}
}
