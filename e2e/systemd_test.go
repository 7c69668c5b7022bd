package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubgen/hubgen/internal/thirdparty"
)

// TestSystemd runs what hubgen renders for systemd under a real systemd (Debian 12's 252 and
// Debian 13's 257), each booted in a root under systemd-nspawn (machine_test.go): the hub's own
// unit, and SystemdSpawner running each student's server as a unit of its own with the site's
// limits. The files go into the machine's /etc as `hubgen render SITE -o /etc` puts them there
// (that command, run inside), and the test drives the machine as an administrator does, with
// systemctl and journalctl.
//
// One machine at a time: on a host whose PID 1 is not systemd, systemd-nspawn --keep-unit puts
// every container in its caller's cgroup, so two machines at once share their units' cgroups
// (two jupyterhub.service) and each one's systemd fails to kill the other's ("Failed to kill
// control group ...: Input/output error"), leaving processes that hold a stop for TimeoutStopSec.
// Within one machine, the two parts share the boot, one after the other: systemd-nspawn locks
// the root, and both install their files at the same places in /etc.
func TestSystemd(t *testing.T) {
	for _, distribution := range []string{"debian12", "debian13"} {
		t.Run(distribution, func(t *testing.T) {
			st := systemdStack(t, distribution)
			t.Run("unit", func(t *testing.T) { checkHubUnit(t, st) })
			t.Run("spawner", func(t *testing.T) { checkSystemdSpawner(t, st) })
		})
	}
}

// systemdSite is a site rendered into the machine's /etc, its nginx and hub run by systemd.
type systemdSite struct {
	st                           *stack
	dir, sitePath                string
	site                         map[string]any
	HTTPPort, HTTPSPort, HubPort int
	Admin, Student               systemUser
}

// The rendered files' places, as `hubgen render -o /etc` writes them.
const (
	machineConfig = "/etc/jupyterhub/jupyterhub_config.py"
	hubUnit       = "jupyterhub.service"
)

// newSystemdSite makes a site for the machine, with an admin and a student; edit changes its
// document before it is written. Nothing is rendered or started yet.
func newSystemdSite(t *testing.T, st *stack, edit func(site map[string]any)) *systemdSite {
	t.Helper()
	s := &systemdSite{st: st, dir: t.TempDir()}
	// Each part of TestSystemd has its own users; the hub's database is in its own state_dir.
	s.Admin = addSystemUser(t, st, "a")
	s.Student = addSystemUser(t, st, "s")
	ports := freePorts(t, 5)
	s.HTTPPort, s.HTTPSPort, s.HubPort = ports[0], ports[1], ports[2]
	state := filepath.Join(s.dir, "state")
	s.site = siteParams{
		BaseURL:  "/",
		HTTPPort: s.HTTPPort, HTTPSPort: s.HTTPSPort,
		HubPort: s.HubPort, HubAPIPort: ports[3], ProxyAPIPort: ports[4],
		Cert:     makeCertificate(t, s.dir, testDomain),
		StateDir: state,
		Webroot:  worldReadableDir(t),
		// Debian's nginx.service expects its pid file here.
		PIDFile:    "/run/nginx.pid",
		Admins:     []string{s.Admin.Name},
		Allowed:    []string{s.Student.Name},
		Nginx:      st.nginxVersion(t),
		DefaultURL: st.DefaultURL,
	}.document()
	if thirdparty.IdleCuller.Missing() != "" {
		// The culler is on by default and the hub would start it; without the package there is
		// nothing to run. The spawner part skips its culling check, saying why.
		table(s.site, "culler")["enabled"] = false
	}
	if edit != nil {
		edit(s.site)
	}
	s.sitePath = filepath.Join(s.dir, "site.toml")
	writeSite(t, s.sitePath, s.site)
	makeSecrets(t, s.sitePath, secretFiles{
		CookieSecret: filepath.Join(state, "jupyterhub_cookie_secret"),
		ProxyToken:   filepath.Join(state, "proxy_auth_token"),
	})
	return s
}

// render writes the site's files into the machine's /etc with the hubgen binary, run inside
// as an administrator runs it, and has systemd read the unit. Debian's packages put their own
// nginx.conf (and on Debian 13 a jupyterhub_config.py) there, which render replaces only with
// --force, as on a fresh server, keeping them beside as NAME.hubgen-old.
func (s *systemdSite) render(t *testing.T) {
	t.Helper()
	writeSite(t, s.sitePath, s.site)
	s.st.run(t, 30*time.Second, "/", nil, hubgen, "render", s.sitePath, "-o", "/etc", "--force")
	s.st.run(t, 10*time.Second, "/", nil, "/usr/bin/grep", "-q", "sites-enabled", "/etc/nginx/nginx.conf.hubgen-old")
	s.st.systemctl(t, "daemon-reload")
}

// start renders the site and starts nginx and the hub with systemctl, as the README's quick start
// does; the test's cleanup stops both (the hub first) and, on failure, logs their journals.
func (s *systemdSite) start(t *testing.T) *browser {
	t.Helper()
	s.render(t)
	t.Cleanup(func() {
		if t.Failed() {
			for _, unit := range []string{"nginx.service", hubUnit, "jupyter-" + s.Student.Name + "-singleuser.service"} {
				t.Logf("----- journalctl -u %s -----\n%s", unit, s.st.journal(unit))
			}
		}
	})
	s.st.systemctl(t, "start", "nginx.service")
	t.Cleanup(func() { s.st.systemctl(t, "stop", "nginx.service") })
	s.st.systemctl(t, "start", hubUnit)
	t.Cleanup(func() { s.st.systemctl(t, "stop", hubUnit) })
	b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
	s.waitHealthy(t, b, 90*time.Second)
	return b
}

// waitHealthy waits until the hub's health check answers 200 through nginx: nginx, the proxy and
// the hub are all up.
func (s *systemdSite) waitHealthy(t *testing.T, b *browser, timeout time.Duration) {
	t.Helper()
	url := b.https + "/hub/health"
	var last string
	deadline := time.Now().Add(timeout)
	for {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		p, err := b.do(req, false)
		switch {
		case err != nil:
			last = err.Error()
		case p.StatusCode == http.StatusOK:
			return
		default:
			last = p.Status
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 200 from %s within %v (last: %s); %s is %s", url, timeout, last, hubUnit,
				s.st.unitProperties(t, hubUnit, "ActiveState")["ActiveState"])
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// api is the hub's REST API with a token of the site's admin, made with `jupyterhub token` in
// the machine, as an administrator does.
func (s *systemdSite) api(t *testing.T) hubAPI {
	t.Helper()
	state := table(s.site, "hub")["state_dir"].(string)
	token := strings.TrimSpace(s.st.run(t, 60*time.Second, state, nil, jupyterhubProgram, "token", "-f", machineConfig, s.Admin.Name))
	return hubAPI{t: t, base: "http://127.0.0.1:" + strconv.Itoa(s.HubPort) + "/hub/api", token: token}
}

// mainPID is the unit's MainPID as the machine numbers it, 0 when it has none.
func (st *stack) mainPID(t *testing.T, unit string) int {
	t.Helper()
	pid, err := strconv.Atoi(st.unitProperties(t, unit, "MainPID")["MainPID"])
	if err != nil {
		t.Fatalf("%s's MainPID: %v", unit, err)
	}
	return pid
}

// unitProcesses lists the processes (pids as this machine numbers them) in the unit's cgroup in
// the machine, with their command lines.
func (st *stack) unitProcesses(unit string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil || !st.machine.inside(e.Name()) {
			continue
		}
		cgroup, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cgroup"))
		if err != nil || !strings.Contains(string(cgroup), "/"+unit+"\n") {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		found = append(found, e.Name()+" "+strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " ")))
	}
	return found
}

// checkHubUnit: the rendered jupyterhub.service, started with systemctl, brings the hub up behind
// nginx with the site's caps; systemd restarts it when it dies; stopping it leaves nothing of the
// hub or the servers it spawned (with the local spawner, inside its unit). The unit's ExecStart is
// whatever hubgen renders: the test only starts, kills and stops it.
func checkHubUnit(t *testing.T, st *stack) {
	s := newSystemdSite(t, st, func(site map[string]any) {
		limits := table(site, "limits")
		limits["hub_memory_max"] = "3G"
		limits["hub_memory_high"] = "2560M"
		limits["hub_tasks_max"] = "4096"
	})
	start := time.Now()
	b := s.start(t)
	t.Logf("hub up through nginx %v after systemctl start", time.Since(start).Round(time.Millisecond))

	props := st.unitProperties(t, hubUnit, "MemoryMax", "MemoryHigh", "TasksMax", "ActiveState", "FragmentPath")
	want := map[string]string{
		"MemoryMax":   strconv.Itoa(3 << 30),
		"MemoryHigh":  strconv.Itoa(2560 << 20),
		"TasksMax":    "4096",
		"ActiveState": "active",
		// The rendered file, not Debian's own unit of the same name.
		"FragmentPath": "/etc/systemd/system/" + hubUnit,
	}
	for name, value := range want {
		if props[name] != value {
			t.Errorf("%s %s=%s, want %s (the site's limits)", hubUnit, name, props[name], value)
		}
	}

	// Restart=on-failure: the hub killed as the OOM killer would kill it comes back by itself.
	// Not in the instant the hub starts the culler's service, as a precaution: a SIGTERM that
	// reaches the service between the hub's fork and its exec may be lost (the forked hub's
	// Python handler only notes it), and systemd would then wait TimeoutStopSec (90 s) before it
	// kills the rest of the unit and restarts it; a real hub is rarely killed in that instant.
	if thirdparty.IdleCuller.Missing() == "" {
		waitFor(t, 60*time.Second, "the culler's service to run", func() bool {
			return strings.Contains(strings.Join(st.unitProcesses(hubUnit), "\n"), "-m jupyterhub_idle_culler")
		})
	}
	killed := st.mainPID(t, hubUnit)
	st.run(t, 10*time.Second, "/", nil, "/bin/kill", "-9", strconv.Itoa(killed))
	killedAt := time.Now()
	waitFor(t, 60*time.Second, "systemd to restart the killed hub", func() bool {
		pid := st.mainPID(t, hubUnit)
		return pid != 0 && pid != killed
	})
	s.waitHealthy(t, b, 90*time.Second)
	restarted := st.mainPID(t, hubUnit)
	t.Logf("hub killed (pid %d), serving again as pid %d %v later", killed, restarted, time.Since(killedAt).Round(time.Millisecond))
	if n := st.unitProperties(t, hubUnit, "NRestarts")["NRestarts"]; n != "1" {
		t.Errorf("%s NRestarts=%s after one kill, want 1", hubUnit, n)
	}

	// A student's server, spawned by the restarted hub: with the local spawner it runs inside
	// the hub's unit, so stopping the unit must take it down too.
	api := s.api(t)
	api.do(http.MethodPost, "/users/"+s.Student.Name+"/server", http.StatusCreated, http.StatusAccepted)
	waitFor(t, 90*time.Second, s.Student.Name+"'s server to be ready", func() bool {
		return api.serverState(s.Student.Name) == "ready"
	})
	if len(userProcesses(st, s.Student.Name)) == 0 {
		t.Fatalf("%s's server is ready but no process of theirs runs", s.Student.Name)
	}
	inUnit := st.unitProcesses(hubUnit)
	t.Logf("processes in %s before the stop:\n%s", hubUnit, strings.Join(inUnit, "\n"))
	if !strings.Contains(strings.Join(inUnit, "\n"), "singleuser") {
		t.Errorf("the student's server is not in %s: the stop below proves nothing about it", hubUnit)
	}

	st.systemctl(t, "stop", hubUnit)
	if got := st.unitProperties(t, hubUnit, "ActiveState", "MainPID"); got["ActiveState"] != "inactive" || got["MainPID"] != "0" {
		t.Errorf("after systemctl stop: %s ActiveState=%s MainPID=%s, want inactive and 0", hubUnit, got["ActiveState"], got["MainPID"])
	}
	if left := st.unitProcesses(hubUnit); len(left) > 0 {
		t.Errorf("processes of %s left after systemctl stop:\n%s", hubUnit, strings.Join(left, "\n"))
	}
	// At once, not after the grace removeSystemUser gives a hub stopped by a signal: systemd
	// waits for the whole unit before `systemctl stop` returns.
	if pids := userProcesses(st, s.Student.Name); len(pids) > 0 {
		t.Errorf("%s's server left running after systemctl stop: pids %v", s.Student.Name, pids)
	}
}

// checkSystemdSpawner: with spawner.kind = "systemd" and [limits], the real SystemdSpawner (from
// the third-party cache) runs the student's server as jupyter-NAME-singleuser.service, as the
// student, with the site's MemoryMax and CPUQuota; the whole session works through nginx; the
// culler stops the server's unit when it is idle; stopping the hub leaves no server behind.
func checkSystemdSpawner(t *testing.T, st *stack) {
	thirdparty.Require(t, thirdparty.SystemdSpawner)
	st.installPythonPackage(t, thirdparty.SystemdSpawner)
	const memory, cpu = 512 << 20, 0.5
	s := newSystemdSite(t, st, func(site map[string]any) {
		table(site, "spawner")["kind"] = "systemd"
		table(site, "limits")["memory"] = "512M"
		table(site, "limits")["cpu"] = cpu
	})
	userUnit := "jupyter-" + s.Student.Name + "-singleuser.service"
	start := time.Now()
	b := s.start(t)
	t.Logf("hub up through nginx %v after systemctl start", time.Since(start).Round(time.Millisecond))

	// The session, as on the other stacks: login, spawn, a kernel answering over its websocket.
	p := b.login("/", s.Student, "")
	if p.StatusCode != http.StatusOK || strings.HasSuffix(p.Request.URL.Path, "/hub/login") {
		t.Fatalf("student login ended at %s with %s, want the spawn page", p.Request.URL, p.Status)
	}
	b.waitForServer("/", s.Student.Name, st.ServerPage, 90*time.Second)
	t.Logf("logged in and server up in %v", time.Since(start).Round(time.Millisecond))
	serverURL := b.https + "/user/" + s.Student.Name + "/"
	b.kernelAnswers42(serverURL, s.Student.Name)

	// The server is a unit of its own, with the site's limits, running as the student.
	props := st.unitProperties(t, userUnit, "ActiveState", "MemoryMax", "CPUQuotaPerSecUSec", "User", "MainPID")
	want := map[string]string{
		"ActiveState":        "active",
		"MemoryMax":          strconv.Itoa(memory),
		"CPUQuotaPerSecUSec": fmt.Sprintf("%dms", int(cpu*1000)),
	}
	for name, value := range want {
		if props[name] != value {
			t.Errorf("%s %s=%s, want %s", userUnit, name, props[name], value)
		}
	}
	// SystemdSpawner sets User= to the account's uid.
	uid := strings.TrimSpace(st.run(t, 10*time.Second, "/", nil, "/usr/bin/id", "-u", s.Student.Name))
	if props["User"] != uid && props["User"] != s.Student.Name {
		t.Errorf("%s User=%s, want %s's uid %s", userUnit, props["User"], s.Student.Name, uid)
	}
	if props["MainPID"] == "0" || props["MainPID"] == "" {
		t.Fatalf("%s has no main process", userUnit)
	}
	owner := strings.TrimSpace(st.run(t, 10*time.Second, "/", nil, "/usr/bin/stat", "-c", "%U", "/proc/"+props["MainPID"]))
	if owner != s.Student.Name {
		t.Errorf("%s's main process runs as %s, want %s", userUnit, owner, s.Student.Name)
	}
	// Not in the hub's unit: a server under SystemdSpawner is held by its own limits only.
	for _, proc := range st.unitProcesses(hubUnit) {
		if strings.Contains(proc, "singleuser") {
			t.Errorf("a server runs in %s: %s", hubUnit, proc)
		}
	}

	checkSystemdCuller(t, s, userUnit)

	st.systemctl(t, "stop", hubUnit)
	if state := st.unitProperties(t, userUnit, "ActiveState")["ActiveState"]; state != "inactive" {
		t.Errorf("%s is %s after the hub stopped, want inactive", userUnit, state)
	}
	if pids := userProcesses(st, s.Student.Name); len(pids) > 0 {
		t.Errorf("%s's processes left after the hub stopped: %v", s.Student.Name, pids)
	}
}

// checkSystemdCuller: the site rendered again with a culler that counts seconds, and the hub
// restarted to read it; the student's server, spawned again, is stopped when idle, its unit with
// it, by the culler's service. The session above ran with the default hour, so the culler could
// not interrupt it.
func checkSystemdCuller(t *testing.T, s *systemdSite, userUnit string) {
	t.Helper()
	if msg := thirdparty.IdleCuller.Missing(); msg != "" {
		t.Logf("culling not checked: %s", msg)
		return
	}
	st := s.st
	culler := table(s.site, "culler")
	culler["timeout"] = strconv.Itoa(int(cullerTimeout/time.Second)) + "s"
	culler["interval"] = strconv.Itoa(int(cullerInterval/time.Second)) + "s"
	s.render(t)
	st.systemctl(t, "restart", hubUnit)
	s.waitHealthy(t, newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort), 90*time.Second)

	api := s.api(t)
	if api.serverState(s.Student.Name) == "none" {
		api.do(http.MethodPost, "/users/"+s.Student.Name+"/server", http.StatusCreated, http.StatusAccepted)
	}
	spawned := time.Now()
	waitFor(t, 90*time.Second, s.Student.Name+"'s server to be ready", func() bool {
		return api.serverState(s.Student.Name) == "ready"
	})
	if state := st.unitProperties(t, userUnit, "ActiveState")["ActiveState"]; state != "active" {
		t.Fatalf("%s is %s with the server ready, want active", userUnit, state)
	}
	limit := cullerTimeout + 4*cullerInterval + 30*time.Second
	waitFor(t, limit, userUnit+" to be stopped by the culler", func() bool {
		return api.serverState(s.Student.Name) == "none" &&
			st.unitProperties(t, userUnit, "ActiveState")["ActiveState"] == "inactive"
	})
	t.Logf("culled %v after the spawn request", time.Since(spawned).Round(time.Millisecond))
	stop := "DELETE /hub/api/users/" + s.Student.Name + "/server"
	var found bool
	waitFor(t, 10*time.Second, "the hub's journal to log the culler's request", func() bool {
		for _, line := range strings.Split(st.journal(hubUnit), "\n") {
			if strings.Contains(line, stop) {
				found = true
				if !strings.Contains(line, "idle-culler") {
					t.Errorf("the stop was not made by the idle-culler service: %s", line)
				}
			}
		}
		return found
	})
	if pids := userProcesses(st, s.Student.Name); len(pids) > 0 {
		t.Errorf("%s's processes left after the culler stopped the unit: %v", s.Student.Name, pids)
	}
}
