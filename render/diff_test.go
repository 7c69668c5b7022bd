package render

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/internal/testsys"
)

// TestUnifiedPatch has GNU patch, the tool that will read these diffs, apply them with -p1 in the
// root, as check's help tells a user to: changed files, files without a final newline, and files
// to create (compared with /dev/null), under a site's directory and at the top.
func TestUnifiedPatch(t *testing.T) {
	patch, err := exec.LookPath("patch")
	if err != nil {
		testsys.SkipOrFail(t, "patch is not installed (apt-get install patch)")
	}
	r := rand.New(rand.NewPCG(3, 4))
	root := t.TempDir()
	for i := range 15 {
		dir := ""
		if i%2 == 0 {
			dir = "site"
		}
		name := "f" + strconv.Itoa(i)
		onDisk := strings.Join(randomLines(r, 40), "")
		// Rendered files are never empty; an empty file to create would be no diff at all.
		rendered := "first\n" + strings.Join(randomLines(r, 40), "")
		if i%3 == 0 {
			rendered = strings.TrimSuffix(rendered, "\n") // no newline at the end
		}
		d := FileDiff{Path: name, Missing: i%5 == 0, Rendered: []byte(rendered)}
		file := filepath.Join(root, dir, name)
		if !d.Missing {
			d.OnDisk = []byte(onDisk)
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, d.OnDisk, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		u := d.Unified(dir)
		cmd := exec.Command(patch, "-p1", "--quiet", "--no-backup-if-mismatch")
		cmd.Dir = root
		cmd.Stdin = strings.NewReader(string(u))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("patch: %v\n%s\ndiff:\n%s", err, out, u)
		}
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != rendered {
			t.Fatalf("patch made %q, want %q; diff:\n%s", got, rendered, u)
		}
	}
}

func TestDiff(t *testing.T) {
	root := t.TempDir()
	write := func(p, s string) {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("same/file", "same\n")
	write("other/file", "old\n")
	files := map[string][]byte{
		"same/file":    []byte("same\n"),
		"other/file":   []byte("new\n"),
		"missing/file": []byte("new\n"),
	}
	diffs, err := Diff(root, files)
	if err != nil {
		t.Fatal(err)
	}
	want := []FileDiff{
		{Path: "missing/file", Missing: true, Rendered: []byte("new\n")},
		{Path: "other/file", OnDisk: []byte("old\n"), Rendered: []byte("new\n")},
	}
	if diff := cmp.Diff(want, diffs); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}

	// The labels are what patch -p1 and git apply read: /dev/null for a file to create.
	for i, labels := range [][2]string{
		{"--- /dev/null\n", "+++ b/site/missing/file\n"},
		{"--- a/other/file\n", "+++ b/other/file\n"},
	} {
		dir := map[int]string{0: "site"}[i]
		got := string(diffs[i].Unified(dir))
		if !strings.Contains(got, labels[0]+labels[1]) {
			t.Errorf("diff of %s:\n%s\nwant the labels %q", diffs[i].Path, got, labels)
		}
	}

	// A root that does not exist: everything is missing, which check reports as a difference.
	diffs, err = Diff(filepath.Join(root, "nowhere"), files)
	if err != nil || len(diffs) != 3 {
		t.Errorf("Diff of a missing root = %d diffs, %v; want 3 missing files", len(diffs), err)
	}

	// A directory where a file should be cannot be compared: an error, not a difference.
	if err := os.MkdirAll(filepath.Join(root, "dir", "file"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Diff(root, map[string][]byte{"dir/file": []byte("x\n")})
	if err == nil || !strings.Contains(err.Error(), "compare dir/file") {
		t.Errorf("Diff with a directory in a file's place: err = %v, want one naming dir/file", err)
	}
}

func TestLineEndingsOnly(t *testing.T) {
	for _, tc := range []struct {
		name             string
		onDisk, rendered string
		missing          bool
		want             bool
	}{
		{name: "crlf", onDisk: "a\r\nb\r\n", rendered: "a\nb\n", want: true},
		{name: "crlf and an edit", onDisk: "a\r\nc\r\n", rendered: "a\nb\n"},
		{name: "an edit", onDisk: "a\nc\n", rendered: "a\nb\n"},
		{name: "missing", rendered: "a\n", missing: true},
	} {
		d := FileDiff{Path: "f", Missing: tc.missing, OnDisk: []byte(tc.onDisk), Rendered: []byte(tc.rendered)}
		if got := d.LineEndingsOnly(); got != tc.want {
			t.Errorf("%s: LineEndingsOnly() = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// randomLines draws up to n lines from a small alphabet, so that texts share lines.
func randomLines(r *rand.Rand, n int) []string {
	lines := make([]string, r.IntN(n+1))
	for i := range lines {
		lines[i] = string(rune('a'+r.IntN(4))) + "\n"
	}
	return lines
}
