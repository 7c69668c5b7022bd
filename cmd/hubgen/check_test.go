package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/internal/golden"
	"github.com/hubgen/hubgen/internal/testsys"
)

const (
	checkSite    = "testdata/check/site.toml"
	checkOther   = "testdata/check/other.toml"
	checkInvalid = "testdata/check/invalid.toml"
)

// renderedRoot renders sites into a new directory, as a repository would commit them.
func renderedRoot(t *testing.T, sites ...string) string {
	t.Helper()
	root := t.TempDir()
	if code, _, stderr := hubgen(t, append([]string{"render", "-o", root}, sites...)...); code != exitOK {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	return root
}

// breakCommitted makes the two usual differences in a committed tree: a hand edit of nginx.conf
// and a file never committed.
func breakCommitted(t *testing.T, dir string) {
	t.Helper()
	conf := filepath.Join(dir, "nginx", "nginx.conf")
	data, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "client_max_body_size 100m;", "client_max_body_size 1m;", 1)
	if edited == string(data) {
		t.Fatal("nginx.conf has no client_max_body_size 100m to edit")
	}
	if err := os.WriteFile(conf, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "systemd", "system", "jupyterhub.service")); err != nil {
		t.Fatal(err)
	}
}

// checkGolden compares got with testdata/check/name; `go test ./cmd/hubgen -update` rewrites it.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "check", name), []byte(got))
}

func TestCheckMatches(t *testing.T) {
	root := renderedRoot(t, checkSite)
	for _, format := range []string{"text", "github"} {
		code, stdout, stderr := hubgen(t, "check", checkSite, "--against", root, "--format", format)
		if code != exitOK || stdout != "" || stderr != "" {
			t.Errorf("--format %s on a freshly rendered tree: exit %d, stdout %q, stderr %q; want 0 and silence", format, code, stdout, stderr)
		}
	}
}

// TestCheckDiff: a changed and a missing file exit 1 with a diff per file, and the diff is one
// that patch applies in ROOT, after which check passes.
func TestCheckDiff(t *testing.T) {
	root := renderedRoot(t, checkSite)
	breakCommitted(t, root)
	before := tree(t, root)
	code, stdout, stderr := hubgen(t, "check", checkSite, "--against", root)
	if code != exitInvalid {
		t.Errorf("exit %d, want %d", code, exitInvalid)
	}
	checkGolden(t, "diff.stdout", stdout)
	checkGolden(t, "diff.stderr", strings.ReplaceAll(stderr, root, "ROOT"))
	if diff := cmp.Diff(before, tree(t, root)); diff != "" {
		t.Errorf("check changed files under ROOT (-before +after):\n%s", diff)
	}

	patch, err := exec.LookPath("patch")
	if err != nil {
		testsys.SkipOrFail(t, "patch is not installed (apt-get install patch)")
	}
	cmd := exec.Command(patch, "-p1", "--quiet", "-d", root)
	cmd.Stdin = strings.NewReader(stdout)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch -p1 -d ROOT < diff: %v\n%s", err, out)
	}
	if code, stdout, stderr := hubgen(t, "check", checkSite, "--against", root); code != exitOK {
		t.Errorf("after applying the diff: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestCheckDiffGitHub(t *testing.T) {
	root := renderedRoot(t, checkSite)
	breakCommitted(t, root)
	code, stdout, stderr := hubgen(t, "check", checkSite, "--against", root, "--format", "github")
	if code != exitInvalid || stderr != "" {
		t.Errorf("exit %d, stderr %q; want 1 and nothing", code, stderr)
	}
	// The root appears as an annotation's file property, where ":" and "," are escaped.
	escapedRoot := strings.NewReplacer("%", "%25", ",", "%2C", ":", "%3A").Replace(root)
	checkGolden(t, "diff-github.stdout", strings.ReplaceAll(stdout, escapedRoot, "ROOT"))
}

func TestCheckInvalidSite(t *testing.T) {
	root := renderedRoot(t, checkSite)
	code, stdout, stderr := hubgen(t, "check", checkInvalid, "--against", root, "--format", "github")
	if code != exitInvalid || stderr != "" {
		t.Errorf("github: exit %d, stderr %q; want 1 and nothing", code, stderr)
	}
	checkGolden(t, "invalid-github.stdout", stdout)

	code, stdout, stderr = hubgen(t, "check", checkInvalid, "--against", root)
	want := checkInvalid + ":15:8: hub.port: 80000 is not a port (a number from 1 to 65535)\n"
	if code != exitInvalid || stdout != "" || !strings.HasSuffix(stderr, want) {
		t.Errorf("text: exit %d, stdout %q, stderr %q; want 1, nothing, and problems ending %q", code, stdout, stderr, want)
	}
}

// TestCheckSeveralSites: with several site files, each site is compared with ROOT/<name>/, and
// the diff labels name that directory.
func TestCheckSeveralSites(t *testing.T) {
	root := renderedRoot(t, checkSite, checkOther)
	if code, stdout, stderr := hubgen(t, "check", checkSite, checkOther, "--against", root); code != exitOK {
		t.Fatalf("fresh tree: exit %d\n%s%s", code, stdout, stderr)
	}
	breakCommitted(t, filepath.Join(root, "other"))
	code, stdout, stderr := hubgen(t, "check", checkSite, checkOther, "--against", root)
	if code != exitInvalid {
		t.Errorf("exit %d, want %d", code, exitInvalid)
	}
	for _, want := range []string{
		"--- a/other/nginx/nginx.conf\n+++ b/other/nginx/nginx.conf\n",
		"--- /dev/null\n+++ b/other/systemd/system/jupyterhub.service\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "b/site/") || strings.Count(stdout, "+++ ") != 2 {
		t.Errorf("the unchanged site has a diff:\n%s", stdout)
	}
	wantFix := "run hubgen render " + checkOther + " -o " + filepath.Join(root, "other") + "\n"
	if !strings.Contains(stderr, wantFix) {
		t.Errorf("stderr %q lacks the fix %q", stderr, wantFix)
	}

	// An invalid site among valid ones: its problems, and the others still compared.
	breakCommitted(t, filepath.Join(root, "site"))
	code, stdout, stderr = hubgen(t, "check", checkSite, checkInvalid, "--against", root)
	if code != exitInvalid || !strings.Contains(stderr, "invalid.toml:15:8") || !strings.Contains(stdout, "--- a/site/nginx/nginx.conf\n") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, site/'s diff and invalid.toml's problems", code, stdout, stderr)
	}
}

func TestCheckExitTwo(t *testing.T) {
	root := renderedRoot(t, checkSite)
	notDir := filepath.Join(root, "nginx", "nginx.conf")
	// A directory where an output file should be: it can be neither read nor compared.
	dirInPlace := renderedRoot(t, checkSite)
	unit := filepath.Join(dirInPlace, "systemd", "system", "jupyterhub.service")
	if err := os.Remove(unit); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(unit, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"ROOT missing", []string{"check", checkSite, "--against", filepath.Join(root, "nowhere")}, "cannot read --against " + filepath.Join(root, "nowhere") + ": no such file or directory"},
		{"ROOT a file", []string{"check", checkSite, "--against", notDir}, "cannot read --against " + notDir + ": not a directory"},
		{"output unreadable", []string{"check", checkSite, "--against", dirInPlace}, "compare systemd/system/jupyterhub.service: read " + unit + ": is a directory"},
		{"site missing", []string{"check", "testdata/check/nosuch.toml", "--against", root}, "testdata/check/nosuch.toml"},
		{"no --against", []string{"check", checkSite}, "no --against ROOT"},
		{"no site", []string{"check", "--against", root}, "no site file"},
		{"bad format", []string{"check", checkSite, "--against", root, "--format", "json"}, `--format "json" is not a format (text or github)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := hubgen(t, tc.args...)
			if code != exitFailure || stdout != "" || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, and %q", code, stdout, stderr, tc.stderr)
			}
		})
	}
}

func TestCheckHelp(t *testing.T) {
	code, stdout, _ := hubgen(t, "check", "-h")
	for _, want := range []string{"usage: hubgen check SITE... --against ROOT", "-against ROOT", "-format", "Exit status: 0", "a/PATH"} {
		if code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("check -h: exit %d, no %q in:\n%s", code, want, stdout)
		}
	}
}
