// Package e2e proves hubgen's output on the real programs: nginx -t and JupyterHub load every
// example, and a browser-like client logs in, spawns a server and runs code in a kernel through
// the rendered nginx and JupyterHub.
//
// The tests need root (PAM users, nginx's www-data workers, JupyterHub's setuid spawner) and
// Debian's nginx and jupyterhub packages. Run them with
//
//	sudo HUBGEN_E2E=require go test ./e2e/
//
// Without HUBGEN_E2E=require they skip, saying why, where the system cannot run them.
//
// Each test runs on every stack (stack_test.go): Debian 12's nginx 1.22 and JupyterHub 3.0 on
// this machine, and Debian 13's nginx 1.26 and JupyterHub 5.2 in the root that
// scripts/debian13-root.sh builds. The accounts tests alone run on Debian 12 only: `hubgen
// accounts` manages the accounts of the machine it runs on, this one.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubgen/hubgen/internal/thirdparty"
)

// hubgen is the path of the binary TestMain builds from ./cmd/hubgen.
var hubgen string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	// One directory for every file the tests make, at the same path inside the Debian 13 root
	// (stack_test.go); t.TempDir and os.MkdirTemp use it through TMPDIR. Others may enter it:
	// nginx's workers read the ACME webroot below it.
	shared, err := os.MkdirTemp("", "hubgen-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	defer os.RemoveAll(shared)
	if err := os.Chmod(shared, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	os.Setenv("TMPDIR", shared)
	sharedDir = shared
	// The stand-in modules, copied where every stack sees them: the repository is not inside the
	// Debian 13 root.
	standInPython = filepath.Join(shared, "python")
	if err := os.CopyFS(standInPython, os.DirFS(filepath.Join("testdata", "python"))); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: copy testdata/python:", err)
		return 2
	}
	unmount, err := setUpStacks(shared)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	// Before the directory is removed: never delete through a mount into the root.
	defer unmount()
	if err := listAccountsBefore(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: list the stacks' accounts:", err)
		return 2
	}

	dir, err := os.MkdirTemp("", "hubgen-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	hubgen = filepath.Join(dir, "hubgen")
	// Build what users run, the command, rather than calling the packages: the e2e tests cover
	// flags and file writing too.
	build := exec.Command("go", "build", "-o", hubgen, "../cmd/hubgen")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ../cmd/hubgen: %v\n%s", err, out)
		return 2
	}
	code := m.Run()
	// While the stacks are still mounted.
	if err := removeSharedAccounts(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: remove the accounts the tests made:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// runHubgen runs the hubgen binary and fails the test unless it exits 0.
func runHubgen(t *testing.T, args ...string) string {
	t.Helper()
	return mustRun(t, 30*time.Second, "", nil, hubgen, args...)
}

// mustRun runs a program to completion within timeout and returns its standard output; a
// non-zero exit fails the test with both outputs.
func mustRun(t *testing.T, timeout time.Duration, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = env
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// standInPython is the copy of testdata/python that TestMain makes under TMPDIR.
var standInPython string

// sharedDir is TMPDIR for the whole test binary, the directory every stack sees at the same path.
var sharedDir string

// testPythonPath is PYTHONPATH for the hubs the tests start: the third-party cache, at a path
// that is the same in every stack. When the cache lacks SystemdSpawner, the stand-in in
// testdata/python comes first, so that JupyterHub can still load a config naming it
// (limits_test.go); with the real one in the cache, the stand-in is never on the path.
func testPythonPath() string {
	if thirdparty.SystemdSpawner.Missing() == "" {
		return thirdparty.PythonPath()
	}
	return standInPython + ":" + thirdparty.PythonPath()
}

// hubEnv is the environment JupyterHub runs in: this one, plus what Debian's proxy needs, and
// the test-only Python packages (JupyterHub passes PYTHONPATH on to its services and servers).
func hubEnv() []string {
	return append(os.Environ(), "NODE_PATH="+nodePath, "PYTHONPATH="+testPythonPath())
}
