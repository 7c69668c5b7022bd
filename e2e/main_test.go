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

	"github.com/hubgen/hubgen/internal/testsys"
)

// Programs the tests run. jupyterhub is Debian's: `jupyterhub` on PATH may be another Python's.
const (
	nginxProgram      = "nginx"
	jupyterhubProgram = "/usr/bin/jupyterhub"
	singleuserProgram = "/usr/bin/jupyterhub-singleuser"
	// nodePath lets Debian's configurable-http-proxy find its modules under a Node.js that is not
	// Debian's own.
	nodePath = "/usr/share/nodejs"
)

// hubgen is the path of the binary TestMain builds from ./cmd/hubgen.
var hubgen string

// hasSecretsCommand tells whether this hubgen has `hubgen secrets`; until it does, the tests make
// the secret files themselves.
var hasSecretsCommand bool

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
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
	hasSecretsCommand = exec.Command(hubgen, "help", "secrets").Run() == nil
	return m.Run()
}

// requireSystem skips the test unless this machine can run the real programs as the e2e tests
// need them. With HUBGEN_E2E=require the same condition fails the test instead, so that CI,
// which sets it, cannot pass by skipping everything.
func requireSystem(t *testing.T) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root (PAM users, nginx workers and the spawner need it)")
	}
	// No openssl: the test certificate is made with crypto/x509.
	for _, program := range []string{nginxProgram, jupyterhubProgram, singleuserProgram,
		"configurable-http-proxy", "useradd", "chpasswd", "userdel"} {
		if _, err := exec.LookPath(program); err != nil {
			missing = append(missing, program)
		}
	}
	if _, err := os.Stat(nodePath); err != nil {
		missing = append(missing, nodePath)
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("e2e test needs %s; install Debian's nginx-light and jupyterhub and run `sudo HUBGEN_E2E=require go test ./e2e/`",
		strings.Join(missing, ", "))
	testsys.SkipOrFail(t, msg)
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

// hubEnv is the environment JupyterHub runs in: this one, plus what Debian's proxy needs.
func hubEnv() []string {
	return append(os.Environ(), "NODE_PATH="+nodePath, "PYTHONPATH="+vendorPython)
}
