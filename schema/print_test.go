package schema

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteGitHub(t *testing.T) {
	var b strings.Builder
	err := Problems{
		{File: "sites/a,b:c.toml", Start: Position{3, 7}, End: Position{3, 7}, Key: "users.roster", Severity: SeverityWarning, Summary: "100% of\r\nrows"},
		{File: "site.toml", Start: Position{1, 1}, End: Position{1, 7}, Key: "domian", Summary: "unknown key", Fix: "did you mean domain?"},
		{File: "site.toml", Start: Position{4, 9}, End: Position{7, 2}, Key: "users.admin", Summary: "is empty", Fix: `at least one admin, like admin = ["peter"]`},
		{File: "ROOT/nginx/nginx.conf", Summary: "differs from its site file"},
	}.WriteGitHub(&b)
	want := "::warning file=sites/a%2Cb%3Ac.toml,line=3,col=7::users.roster: 100%25 of%0D%0Arows\n" +
		"::error file=site.toml,line=1,col=1,endColumn=6::domian: unknown key (did you mean domain?)\n" +
		"::error file=site.toml,line=4,endLine=7::users.admin: is empty (at least one admin, like admin = [\"peter\"])\n" +
		"::error file=ROOT/nginx/nginx.conf::differs from its site file\n"
	if diff := cmp.Diff(want, b.String()); err != nil || diff != "" {
		t.Errorf("annotations, error %v (-want +got):\n%s", err, diff)
	}
}

// TestMessageParts: the summary and the fix are kept apart, split where the message's format
// puts the parenthesis, whatever parentheses the values hold.
func TestMessageParts(t *testing.T) {
	for _, c := range []struct {
		got, want message
	}{
		{messagef("%s is not clean (write it as %q)", `"/a (b"`, "/a (b)"), message{`"/a (b" is not clean`, `write it as "/a (b)"`}},
		{messagef("%q has no %s (skipped: %d)", "x", "Login (SIS", 3), message{`"x" has no Login (SIS`, "skipped: 3"}},
		{messagef("%d%% of %s", 5, "(it)"), message{"5% of (it)", ""}},
		{messagef("%*d is wide (%s)", 4, 7, "fix"), message{"   7 is wide", "fix"}},
		{messagef("cannot decode(%s)", "x"), message{"cannot decode(x)", ""}},
		{func() message { s, f, _ := cutFix("a (b) (c (d))"); return message{s, f} }(), message{"a (b)", "c (d)"}},
	} {
		if c.got != c.want {
			t.Errorf("got %+v, want %+v", c.got, c.want)
		}
	}
}

// TestProblemParts: problems from each of the ways they are made (the checker, the roster, the
// decoder) carry a summary, a fix and a range, and print as before.
func TestProblemParts(t *testing.T) {
	dir := t.TempDir()
	src := `domian = "x.example.edu"
[tls]
cert = "/c.pem"
key = "/k.pem"
[users]
admin = ["peter", "Kendra"]
allowed = [
  "sam",
]
roster = "absent.csv"
[spawner]
cmd = "/bin/x"
[hub]
port = 80000
`
	_, err := Parse(dir+"/site.toml", []byte(src))
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("got %v, want Problems", err)
	}
	type part struct {
		Key          string
		Start, End   Position
		Summary, Fix string
	}
	var got []part
	for _, p := range ps {
		if p.String() != fmt.Sprintf("%s:%d:%d: %s: %s (%s)", p.File, p.Start.Line, p.Start.Col, p.Key, p.Summary, p.Fix) {
			t.Errorf("%s: not FILE:LINE:COL: key: summary (fix)", p)
		}
		got = append(got, part{p.Key, p.Start, p.End, p.Summary, p.Fix})
	}
	want := []part{
		{"domian", Position{1, 1}, Position{1, 7}, "unknown key", "did you mean domain?"},
		{"domain", Position{1, 1}, Position{1, 1}, "missing", `add domain = "notebooks.example.edu" at the top, before any [table]`},
		{"users.admin[1]", Position{6, 19}, Position{6, 27}, `"Kendra" has an uppercase letter`, `usernames are lowercase: "kendra"`},
		{"users.roster", Position{10, 10}, Position{10, 22}, "cannot read " + dir + "/absent.csv: no such file or directory", "the path is relative to the site file"},
		{"hub.port", Position{14, 8}, Position{14, 13}, "80000 is not a port", "a number from 1 to 65535"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}

	_, err = Parse("bad.toml", []byte("domain = \"x\xff\"\n"))
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Summary != "byte 0xff is not UTF-8" || ps[0].Fix != "TOML files are UTF-8 text; save the file as UTF-8" {
		t.Errorf("decoder's problem: %#v", ps)
	}
}

// TestRanges: where keys and values end, for each TOML form the scanner reads.
func TestRanges(t *testing.T) {
	src := `[tls]
cert = "/c.pem"   # comment
"key" = '/k.pem'
[users]
admin = [ "a",
  "b" ]
[hub]
port = 8000
x = { y = true }
`
	pos := locate(src)
	for _, c := range []struct {
		path  string
		value bool
		want  Range
	}{
		{"tls", false, Range{Position{1, 1}, Position{1, 6}}},
		{"tls.cert", false, Range{Position{2, 1}, Position{2, 5}}},
		{"tls.cert", true, Range{Position{2, 8}, Position{2, 16}}},
		{"tls.key", false, Range{Position{3, 1}, Position{3, 6}}},
		{"tls.key", true, Range{Position{3, 9}, Position{3, 17}}},
		{"users.admin", true, Range{Position{5, 9}, Position{6, 8}}},
		{"users.admin[1]", true, Range{Position{6, 3}, Position{6, 6}}},
		{"hub.port", true, Range{Position{8, 8}, Position{8, 12}}},
		{"hub.x", true, Range{Position{9, 5}, Position{9, 17}}},
		{"hub.x.y", true, Range{Position{9, 11}, Position{9, 15}}},
	} {
		got := pos.keyRange(c.path)
		if c.value {
			got = pos.valueRange(c.path)
		}
		if got != c.want {
			t.Errorf("%s (value %v) at %v, want %v", c.path, c.value, got, c.want)
		}
	}
}

// TestWarningWithParenthesisInValue: a warning is split where its format puts the parenthesis,
// like an error, so a ")" in the value stays in the summary and the fix is the fix.
func TestWarningWithParenthesisInValue(t *testing.T) {
	site, err := Parse("site.toml", []byte("domain = \"hub.example.edu\"\n[tls]\ncert = \"/c.pem\"\nkey = \"/k.pem\"\n[users]\nadmin = [\"prof\"]\n[spawner]\ncmd = \"/opt/a) --debug\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(site.Warnings) != 1 {
		t.Fatalf("warnings %v, want the one about spawner.cmd", site.Warnings)
	}
	w := site.Warnings[0]
	if want := `use a list: cmd = ["/opt/a)", "--debug"]`; w.Fix != want || !strings.HasSuffix(w.Summary, "program name with spaces") {
		t.Errorf("summary %q, fix %q; want the fix %q", w.Summary, w.Fix, want)
	}
}
