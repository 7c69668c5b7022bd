package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	// A test binary carries no release version; the rendered files name none anyway.
	hubgenVersion = fallbackVersion
	// init's golden files must not depend on this machine's programs; TestInitFindsSingleUser
	// sets its own.
	findSingleUser = func() string { return "" }
	// The scripts of TestScripts run "hubgen" as this test binary, which then runs main.
	testscript.Main(m, map[string]func(){"hubgen": main})
}

// hubgen runs the command in-process as a user would type it and returns its exit code and output.
func hubgen(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

// tree returns every file under root with its contents, for before/after comparisons.
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// wroteLines is what render -o says it wrote: one line per file, in the order of paths.
func wroteLines(root string, paths []string) string {
	var b strings.Builder
	for _, p := range paths {
		b.WriteString("wrote " + filepath.Join(root, filepath.FromSlash(p)) + "\n")
	}
	return b.String()
}

var outputs = []string{"jupyterhub/jupyterhub_config.py", "nginx/nginx.conf", "systemd/system/jupyterhub.service"}

func TestRenderWritesTheGoldenFiles(t *testing.T) {
	root := t.TempDir()
	// The flag after the site file, as README writes the command.
	code, stdout, stderr := hubgen(t, "render", "../../examples/course.toml", "-o", root)
	if code != exitOK || stdout != wroteLines(root, outputs) || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0, a line per file written and nothing", code, stdout, stderr)
	}
	got := tree(t, root)
	if len(got) != len(outputs) {
		t.Errorf("wrote %d files, want %d: %v", len(got), len(outputs), got)
	}
	for _, p := range outputs {
		want, err := os.ReadFile(filepath.Join("../../golden/course", p))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), got[p]); diff != "" {
			t.Errorf("%s (-golden +written):\n%s", p, diff)
		}
		info, err := os.Stat(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", p, info.Mode().Perm())
		}
	}
}

func TestRenderWithoutOutputPrintsTxtar(t *testing.T) {
	code, stdout, stderr := hubgen(t, "render", "../../examples/minimal.toml")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	headers := regexp.MustCompile(`(?m)^-- (.+) --$`).FindAllStringSubmatch(stdout, -1)
	var names []string
	for _, h := range headers {
		names = append(names, h[1])
	}
	if diff := cmp.Diff(outputs, names); diff != "" {
		t.Errorf("txtar file names (-want +got):\n%s", diff)
	}
	nginx, err := os.ReadFile("../../golden/minimal/nginx/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "-- nginx/nginx.conf --\n"+string(nginx)+"-- systemd/") {
		t.Error("the nginx.conf section is not the golden file")
	}
}

// TestBadSitesExitOneAndWriteNothing renders every bad site file of the schema tests: each exits
// 1, names its file with a position, and leaves the output directory exactly as it was.
func TestBadSitesExitOneAndWriteNothing(t *testing.T) {
	bad, err := filepath.Glob("../../schema/testdata/bad/*.toml")
	if err != nil || len(bad) < 25 {
		t.Fatalf("found %d bad site files (%v), want at least 25", len(bad), err)
	}
	for _, path := range bad {
		t.Run(filepath.Base(path), func(t *testing.T) {
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "keep"), []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := hubgen(t, "render", path, "-o", root)
			if code != exitInvalid {
				t.Errorf("exit %d, want %d", code, exitInvalid)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !regexp.MustCompile(`^` + regexp.QuoteMeta(path) + `:\d+:\d+: [a-z_.\[\]0-9]+: .+`).MatchString(stderr) {
				t.Errorf("stderr %q does not start FILE:LINE:COL: key: message", stderr)
			}
			if diff := cmp.Diff(map[string]string{"keep": "old"}, tree(t, root)); diff != "" {
				t.Errorf("output directory changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestRenderIsAllOrNothing: when one output cannot be written, none is, the old files stay
// byte-identical, no temporary file is left, and the exit code is 2 with the path named.
func TestRenderIsAllOrNothing(t *testing.T) {
	root := t.TempDir()
	if code, _, stderr := hubgen(t, "render", "../../examples/minimal.toml", "-o", root); code != exitOK {
		t.Fatalf("first render: exit %d: %s", code, stderr)
	}
	// systemd/system becomes a file, so the unit cannot be staged; the other two could be.
	unitDir := filepath.Join(root, "systemd", "system")
	if err := os.RemoveAll(unitDir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(unitDir, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := tree(t, root)

	code, _, stderr := hubgen(t, "render", "../../examples/course.toml", "-o", root)
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if !strings.Contains(stderr, unitDir) {
		t.Errorf("stderr %q does not name %s", stderr, unitDir)
	}
	if diff := cmp.Diff(before, tree(t, root)); diff != "" {
		t.Errorf("files changed by a failed render (-before +after):\n%s", diff)
	}
}

// TestRenderKeepsModeAndOwner: an admin who tightened a file's mode or gave it to a group keeps
// that after every render.
func TestRenderKeepsModeAndOwner(t *testing.T) {
	root := t.TempDir()
	conf := filepath.Join(root, "nginx", "nginx.conf")
	if err := os.MkdirAll(filepath.Dir(conf), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte("# Generated by hubgen 0.2.0 from minimal.toml.\nold\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	wantUID, wantGID := os.Getuid(), os.Getgid()
	if os.Getuid() == 0 {
		wantUID, wantGID = 4242, 4343
		if err := os.Chown(conf, wantUID, wantGID); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := hubgen(t, "render", "../../examples/minimal.toml", "-o", root); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	info, err := os.Stat(conf)
	if err != nil {
		t.Fatal(err)
	}
	st := info.Sys().(*syscall.Stat_t)
	if info.Mode().Perm() != 0o640 || int(st.Uid) != wantUID || int(st.Gid) != wantGID {
		t.Errorf("nginx.conf is %v %d:%d, want 0640 %d:%d", info.Mode().Perm(), st.Uid, st.Gid, wantUID, wantGID)
	}
	if data, _ := os.ReadFile(conf); string(data) == "old" {
		t.Error("nginx.conf was not replaced")
	}
}

func TestUsageAndExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		code       int
		stdout     string // a substring
		stderr     string // a substring
		emptyOther bool
	}{
		{args: nil, code: exitFailure, stderr: "Usage:"},
		{args: []string{"help"}, code: exitOK, stdout: "Commands:"},
		{args: []string{"-h"}, code: exitOK, stdout: "Commands:"},
		{args: []string{"help", "render"}, code: exitOK, stdout: "usage: hubgen render SITE... [--target server|z2jh] [-o ROOT [--force]]"},
		{args: []string{"render", "-h"}, code: exitOK, stdout: "-o ROOT"},
		{args: []string{"validate", "-h"}, code: exitOK, stdout: "usage: hubgen validate SITE..."},
		{args: []string{"version"}, code: exitOK, stdout: "hubgen 0."},
		{args: []string{"frobnicate"}, code: exitFailure, stderr: `unknown command "frobnicate"`},
		{args: []string{"render"}, code: exitFailure, stderr: "no site file"},
		{args: []string{"render", "-x", "site.toml"}, code: exitFailure, stderr: "flag provided but not defined: -x"},
		{args: []string{"validate", "no/such/site.toml"}, code: exitFailure, stderr: "no/such/site.toml"},
		{args: []string{"validate", "../../examples/course.toml"}, code: exitOK},
		{args: []string{"validate", "../../examples/course.toml", "../../schema/testdata/bad/port-zero.toml"}, code: exitInvalid, stderr: "port-zero.toml:11:8: hub.port: 0 is not a port"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := hubgen(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if !strings.Contains(stdout, tc.stdout) {
				t.Errorf("stdout %q does not contain %q", stdout, tc.stdout)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tc.stderr)
			}
			if tc.stderr == "" && stderr != "" {
				t.Errorf("unexpected stderr %q", stderr)
			}
		})
	}
}
