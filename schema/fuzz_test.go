package schema_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

// FuzzParse feeds arbitrary bytes to Parse. Seeds: the examples, the bad-input files of
// testdata/bad and the hostile-input table (hostileCases). CI runs it with
//
//	go test -run='^$' -fuzz='^FuzzParse$' -fuzztime=20s ./schema
//
// Every input must be refused with problems that each name a place in the file and print on one
// line, or give a site that renders; and the same bytes must always give the same answer.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"../examples/*.toml", "testdata/bad/*.toml"} {
		paths, err := filepath.Glob(pattern)
		if err != nil || len(paths) == 0 {
			f.Fatalf("no seeds in %s: %v", pattern, err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for _, c := range hostileCases {
		// The 100k-user list is left out: the fuzzer would spend its time mutating it.
		if len(c.site) <= 64<<10 {
			f.Add([]byte(c.site))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		site, err := schema.Parse("site.toml", data)
		again, err2 := schema.Parse("site.toml", data)
		if !reflect.DeepEqual(site, again) || !reflect.DeepEqual(err, err2) {
			t.Fatalf("two parses differ:\n%v\n%v", err, err2)
		}
		if err != nil {
			checkProblems(t, data, err)
			return
		}
		for _, w := range site.Warnings {
			checkProblem(t, data, w)
		}
		if _, err := render.Files(site); err != nil {
			t.Fatalf("accepted but not rendered: %v", err)
		}
	})
}

func checkProblems(t *testing.T, data []byte, err error) {
	t.Helper()
	var problems schema.Problems
	if !errors.As(err, &problems) {
		t.Fatalf("refused with %T, not schema.Problems: %v", err, err)
	}
	if len(problems.Errors()) == 0 {
		t.Fatalf("refused with only warnings: %v", problems)
	}
	if !sort.SliceIsSorted(problems, func(i, j int) bool {
		return problems[i].Start.Line < problems[j].Start.Line || problems[i].Start.Line == problems[j].Start.Line && problems[i].Start.Col < problems[j].Start.Col
	}) {
		t.Errorf("problems are not sorted by position:\n%v", problems)
	}
	for _, p := range problems {
		checkProblem(t, data, p)
	}
}

// checkProblem checks that p's range is on lines of data, within them or just past their end,
// and that it prints as one line of visible text.
func checkProblem(t *testing.T, data []byte, p schema.Problem) {
	t.Helper()
	lines := strings.Split(string(data), "\n")
	if p.File != "site.toml" || p.Key == "" || p.Message() == "" {
		t.Errorf("problem without file, key or message: %#v", p)
	}
	if p.Start.Line < 1 || p.Start.Line > len(lines) || p.Start.Col < 1 || p.Start.Col > len(lines[p.Start.Line-1])+1 {
		t.Errorf("problem at %d:%d, outside the file (%d lines): %s", p.Start.Line, p.Start.Col, len(lines), p)
	}
	// The range ends at or after its start, and no further than just past the end of a line.
	end := p.End
	if end.Line < p.Start.Line || end.Line == p.Start.Line && end.Col < p.Start.Col ||
		end.Line > len(lines) || end.Col < 1 || end.Col > len(lines[end.Line-1])+1 {
		t.Errorf("problem's range %d:%d-%d:%d is backwards or outside the file: %s", p.Start.Line, p.Start.Col, end.Line, end.Col, p)
	}
	// A U+FFFD the file holds may show as itself; bytes that are not UTF-8 may not.
	if !utf8.ValidString(p.String()) {
		t.Errorf("problem is not UTF-8: %q", p.String())
	}
	for _, c := range p.String() {
		if !unicode.IsPrint(c) {
			t.Errorf("problem has the unprintable rune %U, which a terminal would not show: %q", c, p.String())
			break
		}
	}
}
