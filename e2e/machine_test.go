package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubgen/hubgen/internal/testsys"
	"github.com/hubgen/hubgen/internal/thirdparty"
)

// The Debian 12 root that boots with systemd as its PID 1; scripts/debian12-systemd-root.sh
// builds it at the same default.
const (
	debian12SystemdRootEnv     = "HUBGEN_DEBIAN12_SYSTEMD_ROOT"
	debian12SystemdRootDefault = "/var/cache/hubgen/bookworm-systemd-root"
)

// A machine is a Debian root booted under systemd-nspawn, with its systemd as PID 1: the
// only way to run the rendered unit and SystemdSpawner under a real systemd where the test
// machine's own PID 1 is not systemd. It shares this machine's network, so the test reaches its
// nginx and hub on loopback as on the other stacks, and it sees the test binary's TMPDIR and the
// third-party cache at their own paths. It boots with --volatile=overlay: everything the test
// changes inside (rendered files in /etc, users, installed modules) is in memory and gone at
// power-off, and the cached root stays as scripts/debian12-systemd-root.sh built it.
type machine struct {
	nspawn *exec.Cmd
	done   chan struct{} // closed when systemd-nspawn has exited
	// leader is the container's systemd (PID 1 inside) as this machine numbers it; nsenter
	// enters its namespaces. pidNamespace is its /proc/PID/ns/pid link, which every process
	// inside shares.
	leader       int
	pidNamespace string
	log          string
}

// systemdStack boots the root of the named distribution ("debian12" or "debian13") with systemd
// and returns it as a stack whose commands run inside it (through nsenter), powering it off when
// the test ends, passed or failed. Debian 12's is the root scripts/debian12-systemd-root.sh
// builds; Debian 13's is the chroot stack's own root (scripts/debian13-root.sh installs systemd
// and dbus in it). One test at a time can boot a root: systemd-nspawn locks it.
func systemdStack(t *testing.T, distribution string) *stack {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the end-to-end tests start nginx and JupyterHub and take minutes")
	}
	if os.Geteuid() != 0 {
		testsys.SkipOrFail(t, "booting a root with systemd needs root; run `sudo HUBGEN_E2E=require go test ./e2e/`")
	}
	for _, program := range []string{"systemd-nspawn", "nsenter"} {
		if _, err := exec.LookPath(program); err != nil {
			testsys.SkipOrFail(t, program+" is missing: install Debian's systemd-container and util-linux")
		}
	}
	var st *stack
	var build string
	switch distribution {
	case "debian12":
		root := os.Getenv(debian12SystemdRootEnv)
		if root == "" {
			root = debian12SystemdRootDefault
		}
		st = &stack{Name: "debian12-systemd", Root: root, JupyterHub: "3.0", DefaultURL: "/tree", ServerPage: "tree"}
		build = "build it with `sudo scripts/debian12-systemd-root.sh` (a few minutes, cached), or set " + debian12SystemdRootEnv
		if _, err := os.Stat(filepath.Join(root, ".hubgen-root-stamp")); err != nil {
			testsys.SkipOrFail(t, fmt.Sprintf("the Debian 12 systemd root %s is missing: %s", root, build))
		}
	case "debian13":
		for _, chroot := range allStacks {
			if chroot.Name == "debian13" {
				chroot.require(t)
				copied := *chroot
				st = &copied
			}
		}
		if st == nil {
			t.Fatal("no debian13 stack: setUpStacks did not run")
		}
		st.Name = "debian13-systemd"
		build = "rebuild it with `sudo scripts/debian13-root.sh`, or set " + debian13RootEnv
	default:
		t.Fatalf("no systemd root for %q", distribution)
	}
	if missing := st.lacks(); missing != "" {
		testsys.SkipOrFail(t, missing+"; "+build)
	}
	for _, program := range []string{"/usr/lib/systemd/systemd", "/usr/bin/dbus-daemon"} {
		if _, err := os.Stat(st.hostPath(program)); err != nil {
			testsys.SkipOrFail(t, fmt.Sprintf("the root %s has no %s to boot with; %s", st.Root, program, build))
		}
	}
	st.machine = bootMachine(t, st.Root)
	// The machine's accounts get uids no account of this machine has: a test on this machine that
	// looks for leftover processes of its own users by uid (removeSystemUser) must never take the
	// machine's students' servers for its own, nor the other way round.
	st.run(t, 10*time.Second, "/", nil, "/usr/bin/sed", "-i",
		"-e", "s/^UID_MIN.*/UID_MIN 50000/", "-e", "s/^GID_MIN.*/GID_MIN 50000/", "/etc/login.defs")
	// The culler is on in every rendered site by default: the hub runs it with its own Python.
	if thirdparty.IdleCuller.Missing() == "" {
		st.installPythonPackage(t, thirdparty.IdleCuller)
	}
	return st
}

// bootMachine starts systemd-nspawn on root and waits until the system inside has finished
// booting.
func bootMachine(t *testing.T, root string) *machine {
	t.Helper()
	m := &machine{done: make(chan struct{}), log: filepath.Join(t.TempDir(), "nspawn.log")}
	// The Debian 13 root carries the chroot stack's bind mounts for the whole test binary; the
	// machine must leave behind no mount of its own.
	mountedBefore := strings.Join(mountsUnder(root), "\n")
	out, err := os.Create(m.log)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	args := []string{"-q", "-D", root, "-b",
		// No machined on a host without systemd; the container stays in the test's cgroup.
		"--register=no", "--keep-unit",
		// The console is the log file; nobody types into it.
		"--console=passive",
		"--volatile=overlay",
		"--machine=hubgen-e2e-" + randomHex(t, 3),
		// The sites, certificates and state the test makes, and the hubgen binary, at the same
		// paths inside.
		"--bind=" + sharedDir,
	}
	if thirdPartyDir != "" {
		args = append(args, "--bind-ro="+thirdPartyDir)
	}
	m.nspawn = exec.Command("systemd-nspawn", args...)
	m.nspawn.Stdout, m.nspawn.Stderr = out, out
	m.nspawn.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := m.nspawn.Start(); err != nil {
		t.Fatalf("start systemd-nspawn: %v", err)
	}
	go func() {
		_ = m.nspawn.Wait()
		close(m.done)
	}()
	// Registered at once, so a boot that fails half way is ended too.
	t.Cleanup(func() {
		m.powerOff(t)
		if after := strings.Join(mountsUnder(root), "\n"); after != mountedBefore {
			t.Errorf("mounts under %s changed while the machine ran; before:\n%s\nafter power-off:\n%s", root, mountedBefore, after)
		}
	})

	// systemd-nspawn forks the container's PID 1 through a short-lived intermediate child: the
	// leader is the child that runs systemd in a pid namespace of its own.
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-m.done:
			t.Fatalf("systemd-nspawn exited before the container started:\n%s", logTail(m.log, 8<<10))
		default:
		}
		if child := childOf(m.nspawn.Process.Pid); child != 0 {
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", child))
			ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", child))
			if strings.TrimSpace(string(comm)) == "systemd" && ns != "" && ns != ownPidNamespace {
				m.leader, m.pidNamespace = child, ns
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no container systemd under systemd-nspawn (pid %d) after 30s:\n%s", m.nspawn.Process.Pid, logTail(m.log, 8<<10))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// "running", or "degraded" when a unit failed (said in the log); either way booting is over.
	// Until systemd has made its socket, systemctl cannot connect ("Failed to connect to bus" and
	// no answer, or "offline").
	var state string
	for deadline := time.Now().Add(120 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Until(deadline))
		out, _ := m.enter(ctx, "systemctl", "is-system-running", "--wait").Output()
		cancel()
		state = strings.TrimSpace(string(out))
		if (state != "" && state != "offline") || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	switch state {
	case "running":
	case "degraded":
		failed, _ := m.enter(context.Background(), "systemctl", "--failed", "--no-legend").Output()
		t.Logf("the container booted degraded; failed units:\n%s", failed)
	default:
		t.Fatalf("the container's systemd is %q after booting:\n%s", state, logTail(m.log, 8<<10))
	}
	t.Logf("systemd booted in %s in %v", root, time.Since(start).Round(time.Millisecond))
	return m
}

// enter is a command run inside the machine, in all of its namespaces.
func (m *machine) enter(ctx context.Context, program string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "nsenter", append([]string{"-t", strconv.Itoa(m.leader), "-a", "--", program}, args...)...)
}

// powerOff asks the container's systemd to power off, as an administrator would, and waits for
// systemd-nspawn to exit; if it does not, it kills the container's PID 1, which ends every
// process inside. Then nothing of the machine runs; its mounts were in its own namespace, which
// went with it.
func (m *machine) powerOff(t *testing.T) {
	select {
	case <-m.done:
		return
	default:
	}
	if m.leader != 0 {
		// A boot that failed early may not have made systemd's socket yet: try for a while.
		for deadline := time.Now().Add(20 * time.Second); ; {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			out, err := m.enter(ctx, "systemctl", "poweroff").CombinedOutput()
			cancel()
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Logf("systemctl poweroff: %v %s", err, out)
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
		select {
		case <-m.done:
		case <-time.After(60 * time.Second):
			t.Errorf("the container did not power off within 60s; killing its systemd (pid %d)", m.leader)
			_ = syscall.Kill(m.leader, syscall.SIGKILL)
		}
	}
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
		t.Errorf("systemd-nspawn (pid %d) still running; killing it", m.nspawn.Process.Pid)
		_ = syscall.Kill(-m.nspawn.Process.Pid, syscall.SIGKILL)
		<-m.done
	}
}

// childOf is the first child process of pid, 0 for none.
func childOf(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0
	}
	child, _ := strconv.Atoi(fields[0])
	return child
}

// mountsUnder lists this machine's mounts at or below dir.
func mountsUnder(dir string) []string {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return nil
	}
	defer f.Close()
	var under []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) > 1 && (fields[1] == dir || strings.HasPrefix(fields[1], dir+"/")) {
			under = append(under, fields[1])
		}
	}
	return under
}

// command is program run inside the machine through nsenter, in dir (a path the machine
// shares with this one).
func (m *machine) command(ctx context.Context, dir string, env []string, program string, args ...string) *exec.Cmd {
	nsArgs := []string{"-t", strconv.Itoa(m.leader), "-a", "--"}
	if dir != "" {
		// env changes directory inside: nsenter's own --wd opens the directory before it enters
		// the machine, where the program's getcwd() then finds no path to it.
		nsArgs = append(nsArgs, "/usr/bin/env", "--chdir="+dir)
	}
	cmd := exec.CommandContext(ctx, "nsenter", append(append(nsArgs, program), args...)...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// inside reports whether the process runs in the machine.
func (m *machine) inside(pid string) bool {
	ns, err := os.Readlink(filepath.Join("/proc", pid, "ns", "pid"))
	return err == nil && ns == m.pidNamespace
}

// systemctl runs systemctl inside the machine and returns its output; a failure fails the test
// with the unit's journal when a unit is named.
func (st *stack) systemctl(t *testing.T, args ...string) string {
	t.Helper()
	return st.run(t, 90*time.Second, "/", nil, "/usr/bin/systemctl", args...)
}

// unitProperties is `systemctl show` of the named properties, as a map.
func (st *stack) unitProperties(t *testing.T, unit string, names ...string) map[string]string {
	t.Helper()
	out := st.systemctl(t, "show", unit, "--property="+strings.Join(names, ","))
	props := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if name, value, ok := strings.Cut(line, "="); ok {
			props[name] = value
		}
	}
	return props
}

// journal is the unit's journal since the machine booted, for failure messages and log checks.
func (st *stack) journal(unit string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := st.command(ctx, "/", nil, "/usr/bin/journalctl", "--no-pager", "-o", "short-precise", "-u", unit).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("journalctl -u %s: %v\n%s", unit, err, out)
	}
	return string(out)
}

// installPythonPackage copies a third-party package from the cache into the machine's
// /usr/local/lib/python3.X/dist-packages, where a `pip install` as root would put it and where
// Debian's Python finds it, whatever the environment of the unit that runs it.
func (st *stack) installPythonPackage(t *testing.T, p thirdparty.Package) {
	t.Helper()
	const install = `import shutil, sys
dest = "/usr/local/lib/python%d.%d/dist-packages" % sys.version_info[:2]
shutil.copytree(sys.argv[1], dest + "/" + sys.argv[1].rstrip("/").rsplit("/", 1)[1])`
	st.run(t, 30*time.Second, "/", nil, "/usr/bin/python3", "-c", install, p.Dir())
}
