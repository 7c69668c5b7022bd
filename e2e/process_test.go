package e2e

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// process is a long-running program the test started, with its output in a file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when the program has exited
	err  error         // its exit status, once done is closed
	// stopGrace is how long the test's cleanup waits for the program to exit on SIGTERM, when a
	// test knows it needs longer than the usual 20 s (a hub stopping a whole class's servers).
	stopGrace time.Duration
}

// startProcess starts a program in its own process group, its output going to logPath.
func startProcess(t *testing.T, st *stack, name, logPath, dir string, env []string, program string, args ...string) *process {
	t.Helper()
	// Appending, because a program may also open the file itself (nginx -e).
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	// The program and its children write to their own copies of the file descriptor; a file
	// rather than a pipe means nothing waits on them after the program exits.
	defer out.Close()
	// In its own process group (stack.command), so that a program that ignores SIGTERM can be
	// killed with its children.
	cmd := st.command(context.Background(), dir, env, program, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: start %s: %v", st.Name, name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p
}

// exited reports whether the program has ended, and how.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// stop sends sig and waits up to grace for the program to exit; after that it kills the
// program's process group.
func (p *process) stop(t *testing.T, sig syscall.Signal, grace time.Duration) {
	if done, _ := p.exited(); done {
		return
	}
	pid := p.cmd.Process.Pid
	_ = syscall.Kill(pid, sig)
	select {
	case <-p.done:
		return
	case <-time.After(grace):
	}
	t.Errorf("%s did not exit within %v of %v; killing its process group", p.name, grace, sig)
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		t.Errorf("%s (pid %d) survived SIGKILL", p.name, pid)
	}
}

// logTail is the end of a log file, for failure messages.
func logTail(path string, max int64) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > max {
		_, _ = f.Seek(info.Size()-max, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	return string(b)
}

// dumpLogsOnFailure logs the files at the end of a failed test, after everything has stopped,
// so the shutdown is in them too.
func dumpLogsOnFailure(t *testing.T, logs map[string]string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for name, path := range logs {
			t.Logf("----- %s (%s) -----\n%s", name, path, logTail(path, 64<<10))
		}
	})
}

// nginxErrorLog is where the rendered nginx.conf sends errors: a shared system file, so the
// tests keep only what was added while they ran.
const nginxErrorLog = "/var/log/nginx/error.log"

// logSince copies what is appended to a shared log file from now on into a file of the test's,
// when the test ends.
func logSince(t *testing.T, shared, copyTo string) {
	var offset int64
	if info, err := os.Stat(shared); err == nil {
		offset = info.Size()
	}
	t.Cleanup(func() {
		f, err := os.Open(shared)
		if err != nil {
			return
		}
		defer f.Close()
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			return
		}
		b, _ := io.ReadAll(f)
		_ = os.WriteFile(copyTo, b, 0o644)
	})
}

// startNginx runs nginx in the foreground from the rendered file. The test's cleanup stops it
// gracefully.
func startNginx(t *testing.T, st *stack, conf, logDir string, ports ...int) *process {
	t.Helper()
	checkNginxConfig(t, st, conf, logDir)
	logSince(t, st.hostPath(nginxErrorLog), filepath.Join(logDir, "nginx-error.log"))
	p := startProcess(t, st, "nginx", filepath.Join(logDir, "nginx.log"), logDir, nil,
		nginxProgram, "-c", conf, "-e", filepath.Join(logDir, "nginx.log"), "-g", "daemon off;")
	// SIGQUIT is nginx's graceful shutdown.
	t.Cleanup(func() { p.stop(t, syscall.SIGQUIT, 10*time.Second) })
	for _, port := range ports {
		waitForPort(t, p, port, 10*time.Second)
	}
	return p
}

// checkNginxConfig runs nginx -t on the file, failing the test if nginx rejects it, and logs
// nginx's warnings, which do not fail it.
func checkNginxConfig(t *testing.T, st *stack, conf, logDir string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// -e: errors from before the file is read go to the test's directory, not /var/log/nginx.
	out, err := st.command(ctx, logDir, nil, nginxProgram, "-t", "-c", conf, "-e", filepath.Join(logDir, "nginx-t.log")).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: nginx -t -c %s: %v\n%s", st.Name, conf, err, out)
	}
	if warnings := strings.TrimSpace(removeLines(string(out), "syntax is ok", "test is successful")); warnings != "" {
		t.Logf("nginx -t warns:\n%s", warnings)
	}
}

// removeLines drops the lines that contain any of the phrases.
func removeLines(text string, phrases ...string) string {
	var kept []string
lines:
	for _, line := range strings.Split(text, "\n") {
		for _, p := range phrases {
			if strings.Contains(line, p) {
				continue lines
			}
		}
		kept = append(kept, line)
	}
	return strings.Join(kept, "\n")
}

// waitForPort waits until something accepts connections on the loopback port, failing early if
// p exits.
func waitForPort(t *testing.T, p *process, port int, timeout time.Duration) {
	t.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		if done, exitErr := p.exited(); done {
			t.Fatalf("%s exited (%v) before listening on %s:\n%s", p.name, exitErr, addr, logTail(p.log, 8<<10))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening on %s after %v: %v\n%s", p.name, addr, timeout, err, logTail(p.log, 8<<10))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startHub runs JupyterHub from the rendered config in dir. The test's cleanup stops it with
// SIGTERM, on which it stops its proxy and the single-user servers itself.
func startHub(t *testing.T, st *stack, config, dir, logDir string, healthURL string) *process {
	t.Helper()
	logPath := filepath.Join(logDir, "jupyterhub.log")
	p := startProcess(t, st, "jupyterhub", logPath, dir, hubEnv(), jupyterhubProgram, "-f", config)
	t.Cleanup(func() {
		p.stop(t, syscall.SIGTERM, max(20*time.Second, p.stopGrace))
		checkConfigWarnings(t, st, logPath)
	})
	waitForHealth(t, p, healthURL, 30*time.Second)
	return p
}

// waitForHealth polls the hub's health check through its proxy: it answers 200 only once the
// proxy is up and has the hub's route, which is when a browser can use the hub.
//
// The wait is timeout of the hub's own time: wall time, less the time the hub's process sat
// runnable but waiting for a CPU (/proc/PID/schedstat). Measured here with eight test runs
// sharing 2 cores (load 24), the Debian 13 hub took 19 to 22 s to answer, most of it waiting for
// a CPU; next to ./packaging's release builds, a fixed 30 s of wall time then ran out while the
// hub was still starting, which is the flaky "no 200 within 30s". A hub that hangs still fails
// after timeout, and any wait ends after waitCeiling times timeout.
//
// Each poll is one short request on a connection of its own, so that no poll can spend the
// whole wait on a connection to the proxy of before a restart on the same port (changeUsers).
func waitForHealth(t *testing.T, p *process, url string, timeout time.Duration) {
	t.Helper()
	start := time.Now()
	pid := p.cmd.Process.Pid
	waited0 := runqueueWait(pid)
	var last string
	for {
		attempt, cancelAttempt := context.WithTimeout(context.Background(), healthPollTimeout)
		req, _ := http.NewRequestWithContext(attempt, http.MethodGet, url, nil)
		resp, err := healthClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		cancelAttempt()
		starved := runqueueWait(pid) - waited0
		if err == nil && resp.StatusCode == http.StatusOK {
			t.Logf("%s: %s answered 200 after %v, %v of it waiting for a CPU", p.name, url,
				time.Since(start).Round(100*time.Millisecond), starved.Round(100*time.Millisecond))
			return
		}
		if err == nil {
			last = resp.Status
		} else {
			last = err.Error()
		}
		if done, exitErr := p.exited(); done {
			t.Fatalf("%s exited (%v) before %s answered:\n%s", p.name, exitErr, url, logTail(p.log, 16<<10))
		}
		if elapsed := time.Since(start); elapsed-starved > timeout || elapsed > waitCeiling*timeout {
			t.Fatalf("%s: no 200 from %s within %v of its own time (%v in all, %v of it waiting for a CPU; load %s; last: %s)",
				p.name, url, timeout, elapsed.Round(100*time.Millisecond), starved.Round(100*time.Millisecond), loadAverage(), last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitCeiling bounds a wait that a starved machine stretches: at most this many times its timeout.
const waitCeiling = 4

// runqueueWait is how long the process has been runnable but waiting for a CPU, from the second
// field of /proc/PID/schedstat (nanoseconds); 0 when the kernel does not keep it.
func runqueueWait(pid int) time.Duration {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/schedstat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	ns, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return time.Duration(ns)
}

// healthPollTimeout bounds one health request: the hub answers /hub/health at once when it is up.
const healthPollTimeout = 3 * time.Second

// healthClient opens a new connection for every poll, so that no poll reuses a connection to a
// proxy that has stopped since.
var healthClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}

// loadAverage is the machine's 1, 5 and 15 minute load, for a timeout's message.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// systemUser is a throw-away account for the PAM authenticator.
type systemUser struct {
	Name, Password string
}

// addSystemUser creates a user with a home directory and a password, and removes both when the
// test ends. Registered before the hub starts, the removal runs after the hub has stopped the
// user's server.
func addSystemUser(t *testing.T, st *stack, role string) systemUser {
	t.Helper()
	// Unique per run, so a crashed run's leftovers never collide; valid for useradd and for
	// hubgen's username rule.
	u := systemUser{Name: "e2e" + role + randomHex(t, 4), Password: randomHex(t, 12)}
	st.run(t, 10*time.Second, "/", nil, "/usr/sbin/useradd", "-m", "-s", "/bin/sh", u.Name)
	t.Cleanup(func() { removeSystemUser(t, st, u.Name) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := st.command(ctx, "/", nil, "/usr/sbin/chpasswd")
	cmd.Stdin = strings.NewReader(u.Name + ":" + u.Password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chpasswd %s: %v\n%s", u.Name, err, out)
	}
	// A file of the user's own, for a page that shows one (stack.ServerPage).
	welcome := "/home/" + u.Name + "/" + welcomeFile
	st.run(t, 10*time.Second, "/", nil, "/usr/bin/install", "-o", u.Name, "-m", "0644", "/dev/null", welcome)
	return u
}

// welcomeFile is the name of the file addSystemUser puts in each home directory.
const welcomeFile = "hubgen-e2e.txt"

// removeSystemUser deletes the user and its home. userdel refuses while the user has processes,
// so any the hub left behind (it should leave none) are killed first, by pid.
func removeSystemUser(t *testing.T, st *stack, name string) {
	// The hub signals its servers as it stops and does not wait for their kernels: under load a
	// server can still be shutting down for a few seconds. Only one that outlives that is a leak.
	pids := userProcesses(st, name)
	for deadline := time.Now().Add(15 * time.Second); len(pids) > 0 && time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
		pids = userProcesses(st, name)
	}
	if len(pids) > 0 {
		t.Errorf("user %s still has processes %v after the hub stopped; killing them", name, pids)
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(200 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := st.command(ctx, "/", nil, "/usr/sbin/userdel", "-r", name).CombinedOutput()
	if err != nil {
		t.Errorf("userdel -r %s: %v\n%s", name, err, out)
	}
}

// ownPidNamespace is the test binary's pid namespace, which the chroot stacks share.
var ownPidNamespace, _ = os.Readlink("/proc/self/ns/pid")

// userProcesses lists the pids of the processes running as the named user of the stack.
func userProcesses(st *stack, name string) []int {
	out, err := st.command(context.Background(), "/", nil, "/usr/bin/id", "-u", name).Output()
	if err != nil {
		return nil
	}
	uid := strings.TrimSpace(string(out))
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		// A uid names a user only within one root: the Debian 13 root's /etc/passwd hands out
		// the same numbers as this machine's, to other users (another test's, another run's).
		// A booted machine's processes are those in its pid namespace, and a machine's are no
		// other stack's (their roots read as "/" from here).
		if st.machine != nil {
			if !st.machine.inside(e.Name()) {
				continue
			}
		} else if ns, err := os.Readlink(filepath.Join("/proc", e.Name(), "ns", "pid")); err != nil || ns != ownPidNamespace {
			continue
		} else if root, err := os.Readlink(filepath.Join("/proc", e.Name(), "root")); err != nil || root != st.hostPath("/") {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			// "Uid:	real	effective	saved	fs"
			if fields := strings.Fields(line); len(fields) > 1 && fields[0] == "Uid:" && fields[1] == uid {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// configWarningRE matches what JupyterHub and traitlets log about a config it does not fully
// accept: an option no class knows, a deprecated one, or admin_users next to an admin role.
var configWarningRE = regexp.MustCompile(`(?i)\[W .*(not recognized|deprecated|Configuration specifies both)`)

// checkConfigWarnings fails the test when the hub warned about its config: the rendered file must
// load cleanly on every tested JupyterHub, whatever options only newer versions have.
// A log it cannot read is a failure too: the check would otherwise pass without looking.
func checkConfigWarnings(t testing.TB, st *stack, logPath string) {
	t.Helper()
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Errorf("%s: cannot read the hub's log to look for config warnings: %v", st.Name, err)
		return
	}
	if len(data) == 0 {
		t.Errorf("%s: the hub's log %s is empty, so it cannot show whether the config loaded cleanly", st.Name, logPath)
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		if configWarningRE.MatchString(line) {
			t.Errorf("%s (JupyterHub %s) warned about the rendered config: %s", st.Name, st.JupyterHub, line)
		}
	}
}
