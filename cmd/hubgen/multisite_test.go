package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Three site files as one department renders them: two courses and one with a mistake.
const (
	siteMinimal = "../../examples/minimal.toml"
	siteCourse  = "../../examples/course.toml"
	siteBad     = "../../schema/testdata/bad/port-zero.toml"
	badProblem  = siteBad + ":11:8: hub.port: 0 is not a port (a number from 1 to 65535)\n"
)

// TestRenderSeveralSites: each valid site's files go under ROOT/<name>/, exactly its golden
// files; the invalid one writes nothing, has its problems printed, and makes the exit code 1.
func TestRenderSeveralSites(t *testing.T) {
	root := t.TempDir()
	code, stdout, stderr := hubgen(t, "render", siteMinimal, siteBad, siteCourse, "-o", root)
	if want := wroteLines(filepath.Join(root, "minimal"), outputs) + wroteLines(filepath.Join(root, "course"), outputs); code != exitInvalid || stdout != want {
		t.Errorf("exit %d, stdout %q; want 1 and %q", code, stdout, want)
	}
	if stderr != badProblem {
		t.Errorf("stderr %q, want %q", stderr, badProblem)
	}
	want := map[string]string{}
	for _, example := range []string{"minimal", "course"} {
		for _, p := range outputs {
			data, err := os.ReadFile(filepath.Join("../../golden", example, p))
			if err != nil {
				t.Fatal(err)
			}
			want[example+"/"+p] = string(data)
		}
	}
	if diff := cmp.Diff(want, tree(t, root)); diff != "" {
		t.Errorf("files under ROOT (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(root, "port-zero")); !os.IsNotExist(err) {
		t.Errorf("the invalid site has a directory: %v", err)
	}
}

// TestRenderSeveralSitesToStdout: without -o each path in the archive starts with the site's name.
func TestRenderSeveralSitesToStdout(t *testing.T) {
	code, stdout, stderr := hubgen(t, "render", siteMinimal, siteCourse)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, example := range []string{"minimal", "course"} {
		for _, p := range outputs {
			if !strings.Contains(stdout, "-- "+example+"/"+p+" --\n") {
				t.Errorf("no %s/%s in the archive", example, p)
			}
		}
	}
	if strings.Contains(stdout, "-- nginx/") {
		t.Error("a file without its site's directory")
	}
}

// TestValidateSeveralSites: every file is checked, the bad one's problems are printed, nothing
// is written anywhere, and the exit code is the worst.
func TestValidateSeveralSites(t *testing.T) {
	code, stdout, stderr := hubgen(t, "validate", siteMinimal, siteBad, siteCourse)
	wantValid := siteMinimal + ": valid: 1 user can log in, 1 of them admin\n" + siteCourse + ": valid: 2 users can log in, 1 of them admin\n"
	if code != exitInvalid || stdout != wantValid || stderr != badProblem {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, %q, %q", code, stdout, stderr, wantValid, badProblem)
	}
	// The Canvas and Moodle examples are exports as the LMS makes them: valid, with the warning
	// that names and grades do not belong in a repository, and nothing else.
	code, _, stderr = hubgen(t, "validate", siteMinimal, siteCourse, "../../examples/canvas.toml", "../../examples/moodle.toml")
	if code != exitOK || strings.Count(stderr, "\n") != 2 || strings.Count(stderr, "has columns with people's names or grades") != 2 {
		t.Errorf("all valid: exit %d, stderr %q", code, stderr)
	}
	// render and check, which run at every change and in CI, do not repeat a roster's warnings.
	root := t.TempDir()
	if code, _, stderr = hubgen(t, "render", "-q", "../../examples/canvas.toml", "-o", root); code != exitOK || stderr != "" {
		t.Errorf("render of the Canvas example: exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	if code, stdout, stderr = hubgen(t, "check", "../../examples/canvas.toml", "--against", root, "--format", "github"); code != exitOK || stdout != "" || stderr != "" {
		t.Errorf("check of the Canvas example: exit %d, stdout %q, stderr %q; want 0 and nothing", code, stdout, stderr)
	}
	code, _, stderr = hubgen(t, "validate", siteMinimal, "no/such/site.toml", siteBad)
	if code != exitFailure || !strings.Contains(stderr, "no/such/site.toml") || !strings.Contains(stderr, badProblem) {
		t.Errorf("unreadable and invalid: exit %d, stderr %q; want 2 naming both", code, stderr)
	}
}

// TestSeveralSitesRefuseNamesThatAreNotDirectories: with several sites each goes under
// ROOT/<name>/, so a file named "...toml" would write to ROOT/.. and ".toml" into ROOT itself.
func TestSeveralSitesRefuseNamesThatAreNotDirectories(t *testing.T) {
	minimal, err := os.ReadFile(siteMinimal)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"...toml", ".toml"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			site := filepath.Join(dir, "sites", name)
			if err := os.MkdirAll(filepath.Dir(site), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(site, minimal, 0o644); err != nil {
				t.Fatal(err)
			}
			root := filepath.Join(dir, "out", "root")
			code, _, stderr := hubgen(t, "render", siteMinimal, site, "-o", root)
			if code != exitFailure || !strings.Contains(stderr, "rename the site file") {
				t.Errorf("exit %d, stderr %q; want 2 and a request to rename", code, stderr)
			}
			if got := tree(t, dir); len(got) != 1 {
				t.Errorf("files written: %v", got)
			}
		})
	}
}

// failingWriter fails every write, as a full disk or a closed pipe does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

func TestRenderToStdoutThatFailsExitsTwo(t *testing.T) {
	var stderr strings.Builder
	code := run([]string{"render", siteMinimal}, &env{stdin: strings.NewReader(""), stdout: failingWriter{}, stderr: &stderr})
	if code != exitFailure || !strings.Contains(stderr.String(), "write standard output") {
		t.Errorf("exit %d, stderr %q; want 2 naming standard output", code, stderr.String())
	}
}
