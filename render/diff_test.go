package render

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestUnified(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"one line changed in the middle", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n", `--- a/f
+++ b/f
@@ -2,7 +2,7 @@
 2
 3
 4
-5
+five
 6
 7
 8
`},
		{"changes six lines apart share a hunk", "1\n2\n3\n4\n5\n6\n7\n8\n", "one\n2\n3\n4\n5\n6\n7\neight\n", `--- a/f
+++ b/f
@@ -1,8 +1,8 @@
-1
+one
 2
 3
 4
 5
 6
 7
-8
+eight
`},
		{"changes seven lines apart get two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "one\n2\n3\n4\n5\n6\n7\n8\nnine\n", `--- a/f
+++ b/f
@@ -1,4 +1,4 @@
-1
+one
 2
 3
 4
@@ -6,4 +6,4 @@
 6
 7
 8
-9
+nine
`},
		{"insertion into an empty file", "", "x\ny\n", `--- a/f
+++ b/f
@@ -0,0 +1,2 @@
+x
+y
`},
		{"everything deleted", "x\n", "", `--- a/f
+++ b/f
@@ -1 +0,0 @@
-x
`},
		{"pure insertion keeps the line before in the header", "1\n2\n", "1\nnew\n2\n", `--- a/f
+++ b/f
@@ -1,2 +1,3 @@
 1
+new
 2
`},
		{"missing newline at the end", "a\nb", "a\nb\n", `--- a/f
+++ b/f
@@ -1,2 +1,2 @@
 a
-b
\ No newline at end of file
+b
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Unified("a/f", []byte(tt.old), "b/f", []byte(tt.new)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Unified(%q, %q) (-want +got):\n%s", tt.old, tt.new, diff)
			}
		})
	}
}

// TestUnifiedIsShortest compares the number of changed lines with the longest common subsequence
// on random small texts: the diff must apply and be a shortest one.
func TestUnifiedIsShortest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		a, b := randomLines(r, 12), randomLines(r, 12)
		d := Unified("a", []byte(strings.Join(a, "")), "b", []byte(strings.Join(b, "")))
		got, err := applyUnified(strings.Join(a, ""), string(d))
		if err != nil || got != strings.Join(b, "") {
			t.Fatalf("case %d: diff of %q to %q does not apply (%v):\n%s", i, a, b, err, d)
		}
		changed := 0
		for _, line := range strings.Split(string(d), "\n") {
			if (strings.HasPrefix(line, "-") || strings.HasPrefix(line, "+")) && !strings.HasPrefix(line, "--- ") && !strings.HasPrefix(line, "+++ ") {
				changed++
			}
		}
		if want := len(a) + len(b) - 2*lcs(a, b); changed != want {
			t.Fatalf("case %d: %d changed lines from %q to %q, the shortest has %d:\n%s", i, changed, a, b, want, d)
		}
	}
}

// TestUnifiedPatch has GNU patch, the tool that will read these diffs, apply them.
func TestUnifiedPatch(t *testing.T) {
	patch, err := exec.LookPath("patch")
	if err != nil {
		t.Skip("patch is not installed")
	}
	r := rand.New(rand.NewPCG(3, 4))
	dir := t.TempDir()
	for i := range 15 {
		a := strings.Join(randomLines(r, 40), "")
		b := strings.Join(randomLines(r, 40), "")
		if i%3 == 0 {
			b = strings.TrimSuffix(b, "\n") // no newline at the end
		}
		name := "f" + strconv.Itoa(i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(a), 0o644); err != nil {
			t.Fatal(err)
		}
		d := Unified("a/"+name, []byte(a), "b/"+name, []byte(b))
		cmd := exec.Command(patch, "-p1", "--quiet", "--no-backup-if-mismatch")
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(string(d))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("patch: %v\n%s\ndiff:\n%s", err, out, d)
		}
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != b {
			t.Fatalf("patch made %q, want %q; diff:\n%s", got, b, d)
		}
	}
}

// TestUnifiedLargeAndUnrelated: past maxEdits the diff is no longer shortest but still applies,
// and it stays fast.
func TestUnifiedLargeAndUnrelated(t *testing.T) {
	var a, b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&a, "old %d\n", i)
		fmt.Fprintf(&b, "new %d\n", i)
	}
	start := time.Now()
	d := Unified("a", []byte(a.String()), "b", []byte(b.String()))
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("diff of two unrelated 5000-line files took %v", elapsed)
	}
	got, err := applyUnified(a.String(), string(d))
	if err != nil || got != b.String() {
		t.Fatalf("the diff does not apply: %v", err)
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

	wantPatch := "--- /dev/null\n+++ b/site/missing/file\n@@ -0,0 +1 @@\n+new\n"
	if got := string(diffs[0].Unified("site")); got != wantPatch {
		t.Errorf("missing file's diff:\n%s\nwant:\n%s", got, wantPatch)
	}
	wantPatch = "--- a/other/file\n+++ b/other/file\n@@ -1 +1 @@\n-old\n+new\n"
	if got := string(diffs[1].Unified("")); got != wantPatch {
		t.Errorf("changed file's diff:\n%s\nwant:\n%s", got, wantPatch)
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

// randomLines draws up to n lines from a small alphabet, so that texts share lines.
func randomLines(r *rand.Rand, n int) []string {
	lines := make([]string, r.IntN(n+1))
	for i := range lines {
		lines[i] = string(rune('a'+r.IntN(4))) + "\n"
	}
	return lines
}

func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

// applyUnified applies a diff made by Unified to old, checking each hunk's header and context
// strictly, as an independent reading of the format.
func applyUnified(old, diff string) (string, error) {
	if diff == "" {
		return old, nil
	}
	a := splitLines([]byte(old))
	lines := strings.SplitAfter(diff, "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return "", fmt.Errorf("no header")
	}
	var out []string
	next := 0 // the next line of a to copy
	for i := 2; i < len(lines) && lines[i] != ""; {
		var oldStart, oldCount, newStart, newCount int
		header := strings.TrimSuffix(lines[i], "\n")
		if _, err := fmt.Sscanf(normalizeHeader(header), "@@ -%d,%d +%d,%d @@", &oldStart, &oldCount, &newStart, &newCount); err != nil {
			return "", fmt.Errorf("bad hunk header %q", header)
		}
		from := oldStart - 1
		if oldCount == 0 {
			from = oldStart // an empty range names the line before
		}
		if from < next {
			return "", fmt.Errorf("hunk %q overlaps the one before", header)
		}
		out = append(out, a[next:from]...)
		next = from
		if want := len(out) + boolInt(newCount > 0); newStart != want {
			return "", fmt.Errorf("hunk %q: new range starts at %d, want %d", header, newStart, want)
		}
		i++
		var seenOld, seenNew int
		for i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "@@") {
			kind, text := lines[i][0], lines[i][1:]
			if i+1 < len(lines) && lines[i+1] == "\\ No newline at end of file\n" {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			i++
			switch kind {
			case ' ', '-':
				if next >= len(a) || a[next] != text {
					return "", fmt.Errorf("hunk %q: line %d of old is not %q", header, next+1, text)
				}
				next++
				seenOld++
				if kind == ' ' {
					out = append(out, text)
					seenNew++
				}
			case '+':
				out = append(out, text)
				seenNew++
			default:
				return "", fmt.Errorf("bad line %q", kind)
			}
		}
		if seenOld != oldCount || seenNew != newCount {
			return "", fmt.Errorf("hunk %q has %d old and %d new lines", header, seenOld, seenNew)
		}
	}
	return strings.Join(append(out, a[next:]...), ""), nil
}

// normalizeHeader writes the counts GNU diff leaves out (",1").
func normalizeHeader(h string) string {
	fields := strings.Fields(h)
	if len(fields) != 4 {
		return h
	}
	for i := 1; i <= 2; i++ {
		if !strings.Contains(fields[i], ",") {
			fields[i] += ",1"
		}
	}
	return strings.Join(fields, " ")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
