package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hubgen/hubgen/internal/testsys"
	"github.com/hubgen/hubgen/internal/thirdparty"
)

// A stack is one tested combination of nginx and JupyterHub: Debian 12's on this machine, and
// Debian 13's in a root directory made by scripts/debian13-root.sh and entered with chroot. Only
// nginx, the hub (with its proxy and the users' servers) and the PAM users live in the stack;
// hubgen and the Go test stay outside and drive the stack over loopback, which a chroot shares.
//
// Files the tests make (sites, certificates, rendered files, state) live under one directory,
// TMPDIR for the whole test binary, which is bind-mounted at the same path inside every chroot:
// a path in a rendered file means the same file inside and outside.
type stack struct {
	Name string // the subtest name: "debian12", "debian13"
	// Root is the directory the stack's programs run in; "" is this machine's own root.
	Root string
	// JupyterHub is the hub's version, for messages. DefaultURL is the site's spawner.default_url
	// ("" for none), and ServerPage a page of the single-user server that needs a login, which
	// the session test loads to go through the OAuth round trip (see setUpStacks).
	JupyterHub string
	DefaultURL string
	ServerPage string
	// KernelRestartKeepsPorts: the stack's jupyter_client (7) restarts a kernel that died at
	// start on the ports it first had, and has no setting against it, so a kernel whose port
	// another kernel took is dead (TestKernelRestartNewPorts, TestKernelPortTaken).
	KernelRestartKeepsPorts bool
	// missing says what the stack lacks, "" when it can run; checked once, in TestMain.
	missing string
	// machine is the booted container the stack's programs run in, nil for a chroot or this
	// machine (machine_test.go).
	machine *machine
}

// debian13RootEnv names the Debian 13 root; scripts/debian13-root.sh builds it at the same default.
const (
	debian13RootEnv     = "HUBGEN_DEBIAN13_ROOT"
	debian13RootDefault = "/var/cache/hubgen/trixie-root"
)

// Programs, at the same paths in both stacks: Debian's. `jupyterhub` on PATH may be another
// Python's.
const (
	nginxProgram      = "/usr/sbin/nginx"
	jupyterhubProgram = "/usr/bin/jupyterhub"
	singleuserProgram = "/usr/bin/jupyterhub-singleuser"
	proxyProgram      = "/usr/bin/configurable-http-proxy"
	// nodePath lets Debian's configurable-http-proxy find its modules under a Node.js that is not
	// Debian's own.
	nodePath = "/usr/share/nodejs"
)

// thirdPartyDir is the cache of the third-party packages Debian does not ship (internal/thirdparty),
// "" when it is missing. Both stacks see it at this path.
var thirdPartyDir = func() string {
	dir := thirdparty.Root()
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}()

// allStacks is every stack the tests run on, set up by TestMain.
var allStacks []*stack

// forEachStack runs f as a parallel subtest on every stack, named after it. A stack that cannot
// run here skips with what it lacks and how to get it, or fails under HUBGEN_E2E=require.
func forEachStack(t *testing.T, f func(t *testing.T, st *stack)) {
	t.Helper()
	for _, st := range allStacks {
		t.Run(st.Name, func(t *testing.T) {
			t.Parallel()
			st.require(t)
			f(t, st)
		})
	}
}

// debian12Stack is the Debian 12 stack, this machine itself, for the tests that run on it alone; it
// skips or fails the test as forEachStack does when the stack cannot run.
func debian12Stack(t *testing.T) *stack {
	t.Helper()
	for _, st := range allStacks {
		if st.Name == "debian12" {
			st.require(t)
			return st
		}
	}
	t.Fatal("no debian12 stack: setUpStacks did not run")
	return nil
}

// hostStack runs programs on this machine whatever the stack under test: what stands beside the
// stack, like a test's identity provider, which the stack's programs reach over loopback.
var hostStack = &stack{Name: "host"}

// require skips or fails the test when the stack cannot run.
func (st *stack) require(t *testing.T) {
	t.Helper()
	// -short asks for the quick tests (a pre-commit hook's, say); these start real servers for
	// minutes. CI runs without -short, where HUBGEN_E2E=require makes a missing stack fail.
	if testing.Short() {
		t.Skip("-short: the end-to-end tests start nginx and JupyterHub and take minutes")
	}
	if st.missing != "" {
		testsys.SkipOrFail(t, st.missing)
	}
}

// hostPath is where a path inside the stack is on this machine.
func (st *stack) hostPath(p string) string {
	if st.Root == "" {
		return p
	}
	return filepath.Join(st.Root, p)
}

// command is program run inside the stack, in dir (a path that is the same inside and out).
func (st *stack) command(ctx context.Context, dir string, env []string, program string, args ...string) *exec.Cmd {
	if st.machine != nil {
		return st.machine.command(ctx, dir, env, program, args...)
	}
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Dir, cmd.Env = dir, env
	// The program's own process, not a chroot(8) in between: signals and process groups work as
	// on the host. The kernel enters the root before it changes to Dir.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if st.Root != "" {
		cmd.SysProcAttr.Chroot = st.Root
	}
	return cmd
}

// run runs a program in the stack to completion within timeout and returns its standard output;
// a non-zero exit fails the test with both outputs.
func (st *stack) run(t *testing.T, timeout time.Duration, dir string, env []string, program string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := st.command(ctx, dir, env, program, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %s %s: %v\nstdout:\n%s\nstderr:\n%s", st.Name, program, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// hasAccount reports whether the stack's system knows the user.
func (st *stack) hasAccount(name string) bool {
	return st.command(context.Background(), "/", nil, "/usr/bin/id", "-u", name).Run() == nil
}

// nginxVersion is "MAJOR.MINOR" of the stack's nginx, what a site served by it sets as
// nginx.version.
func (st *stack) nginxVersion(t *testing.T) string {
	t.Helper()
	// nginx -v prints "nginx version: nginx/1.22.1" on standard error.
	out, err := st.command(context.Background(), "/", nil, nginxProgram, "-v").CombinedOutput()
	m := regexp.MustCompile(`nginx/(\d+\.\d+)`).FindStringSubmatch(string(out))
	if err != nil || m == nil {
		t.Fatalf("%s: nginx -v: %v: %q", st.Name, err, out)
	}
	return m[1]
}

// setUpStacks finds the stacks, mounts what a chroot needs, and returns the function that
// unmounts it all again. shared is the test binary's TMPDIR.
func setUpStacks(shared string) (cleanup func(), err error) {
	// Debian 12: the classic notebook 6 serves the single-user server, and its /tree.
	debian12 := &stack{Name: "debian12", JupyterHub: "3.0", DefaultURL: "/tree", ServerPage: "tree", KernelRestartKeepsPorts: true}
	debian12.missing = debian12.lacks()
	// Debian 13: JupyterHub 5's jupyterhub-singleuser runs on jupyter_server (2.15), which has no
	// /tree or /lab of its own (Debian has no JupyterLab, and its python3-notebook 6.4.13 left
	// the kernel websocket silent in a trial). Its /view/FILE page needs a login, so the session
	// loads a file addSystemUser leaves in the home directory.
	debian13 := &stack{Name: "debian13", JupyterHub: "5.2", ServerPage: "view/" + welcomeFile}
	debian13.Root = os.Getenv(debian13RootEnv)
	if debian13.Root == "" {
		debian13.Root = debian13RootDefault
	}
	// Absolute and without symlinks: the kernel shows a chrooted process's root that way
	// (userProcesses compares them).
	if resolved, err := filepath.EvalSymlinks(debian13.Root); err == nil {
		if abs, err := filepath.Abs(resolved); err == nil {
			debian13.Root = abs
		}
	}
	allStacks = []*stack{debian12, debian13}

	build := "build it with `sudo scripts/debian13-root.sh` (a few minutes, cached), or set " + debian13RootEnv
	if _, err := os.Stat(filepath.Join(debian13.Root, ".hubgen-root-stamp")); err != nil {
		debian13.missing = fmt.Sprintf("the Debian 13 root %s is missing: %s", debian13.Root, build)
		return func() {}, nil
	}
	if os.Geteuid() != 0 {
		debian13.missing = "the Debian 13 stack needs root (chroot, mounts, PAM users); run `sudo HUBGEN_E2E=require go test ./e2e/`"
		return func() {}, nil
	}
	if debian13.missing = debian13.lacks(); debian13.missing != "" {
		debian13.missing += "; " + build
		return func() {}, nil
	}
	m := &mounts{}
	// A killed run may have left its mounts; take them down first, deepest first.
	m.unmountUnder(debian13.Root)
	binds := []string{"/proc", "/sys", "/dev", "/dev/pts", shared}
	if thirdPartyDir != "" {
		// At the same path inside, so PYTHONPATH=thirdparty.PythonPath() works for a hub in either stack.
		binds = append(binds, thirdPartyDir)
	}
	for _, fs := range binds {
		target := filepath.Join(debian13.Root, fs)
		if err := os.MkdirAll(target, 0o755); err != nil {
			m.unmountAll()
			return nil, err
		}
		if err := syscall.Mount(fs, target, "", syscall.MS_BIND, ""); err != nil {
			m.unmountAll()
			return nil, fmt.Errorf("bind-mount %s on %s: %w", fs, target, err)
		}
		m.done = append(m.done, target)
	}
	// Name resolution inside, as the root script sets it up; the tests themselves use loopback.
	if data, err := os.ReadFile("/etc/resolv.conf"); err == nil {
		_ = os.WriteFile(filepath.Join(debian13.Root, "etc", "resolv.conf"), data, 0o644)
	}
	return m.unmountAll, nil
}

// lacks says what the stack is missing to run the tests, "" for nothing.
func (st *stack) lacks() string {
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root (PAM users, nginx workers and the spawner need it)")
	}
	for _, program := range []string{nginxProgram, jupyterhubProgram, singleuserProgram, proxyProgram,
		"/usr/sbin/useradd", "/usr/sbin/chpasswd", "/usr/sbin/userdel", "/usr/bin/id", "/usr/bin/env"} {
		if _, err := os.Stat(st.hostPath(program)); err != nil {
			missing = append(missing, program)
		}
	}
	if _, err := os.Stat(st.hostPath(nodePath)); err != nil {
		missing = append(missing, nodePath)
	}
	if len(missing) == 0 {
		return ""
	}
	where := "this machine"
	if st.Root != "" {
		where = st.Root
	}
	return fmt.Sprintf("the %s stack (%s) lacks %s; install Debian's nginx-light and jupyterhub and run `sudo HUBGEN_E2E=require go test ./e2e/`",
		st.Name, where, strings.Join(missing, ", "))
}

// mounts are the bind mounts TestMain made, unmounted in reverse order.
type mounts struct {
	mu   sync.Mutex
	done []string
}

func (m *mounts) unmountAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.done) - 1; i >= 0; i-- {
		if err := syscall.Unmount(m.done[i], 0); err != nil {
			// Busy (a process the tests left behind): detach it now, it goes when the process does.
			if err := syscall.Unmount(m.done[i], syscall.MNT_DETACH); err != nil {
				fmt.Fprintf(os.Stderr, "e2e: unmount %s: %v\n", m.done[i], err)
			}
		}
	}
	m.done = nil
}

// unmountUnder detaches every mount below root, deepest first.
func (m *mounts) unmountUnder(root string) {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return
	}
	defer f.Close()
	var under []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) > 1 && strings.HasPrefix(fields[1], root+"/") {
			under = append(under, fields[1])
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(under)))
	for _, p := range under {
		_ = syscall.Unmount(p, syscall.MNT_DETACH)
	}
}
