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

// TestRosterWarningsOnlyWhereAsked: the Canvas and Moodle examples are exports as the LMS makes
// them: valid, with the warning that names and grades do not belong in a repository, and nothing
// else; render and check, which run at every change and in CI, do not repeat it.
func TestRosterWarningsOnlyWhereAsked(t *testing.T) {
	code, _, stderr := hubgen(t, "validate", siteMinimal, siteCourse, "../../examples/canvas.toml", "../../examples/moodle.toml")
	if code != exitOK || strings.Count(stderr, "\n") != 2 || strings.Count(stderr, "has columns with people's names or grades") != 2 {
		t.Errorf("all valid: exit %d, stderr %q", code, stderr)
	}
	root := t.TempDir()
	if code, _, stderr = hubgen(t, "render", "-q", "../../examples/canvas.toml", "-o", root); code != exitOK || stderr != "" {
		t.Errorf("render of the Canvas example: exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	code, stdout, stderr := hubgen(t, "check", "../../examples/canvas.toml", "--against", root, "--format", "github")
	if code != exitOK || stdout != "" || stderr != "" {
		t.Errorf("check of the Canvas example: exit %d, stdout %q, stderr %q; want 0 and nothing", code, stdout, stderr)
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
