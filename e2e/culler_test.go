package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubgen/hubgen/internal/thirdparty"
)

// cullerTimeout is the test site's culler.timeout: short, so the test waits seconds, not an hour.
// hubgen warns about it (activity can take 5m30s to reach the hub), which an idle server that
// nobody touches does not care about.
const (
	cullerTimeout  = 20 * time.Second
	cullerInterval = 5 * time.Second
	// kernelTimeout is culler.kernel_timeout: an idle kernel goes well before its server does.
	kernelTimeout = 4 * time.Second
)

// TestCuller: a hub started from the rendered config, with the culler on, stops a student's idle
// server through the hub's API, and the culler does it as its own service with the scoped role
// hubgen rendered, not as an admin. On every stack: JupyterHub 3.0 and 5.2 differ in the scopes
// and the API the culler uses.
func TestCuller(t *testing.T) {
	forEachStack(t, checkCuller)
}

func checkCuller(t *testing.T, st *stack) {
	thirdparty.Require(t, thirdparty.IdleCuller)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	logPath := filepath.Join(dir, "jupyterhub.log")
	dumpLogsOnFailure(t, map[string]string{"jupyterhub": logPath})
	student := addSystemUser(t, st, "c")
	// The admin only calls the API with a token, but needs a system account all the same: the
	// rendered config removes users PAM does not know at start, and JupyterHub 5 then stops,
	// its admin role naming a user it cannot add (see addExampleAdmins).
	admin := addSystemUser(t, st, "a").Name

	// nginx is not started: the culler talks to the hub alone.
	params := hubOnlySite(t, dir, []string{admin}, []string{student.Name})
	site := params.document()
	culler := table(site, "culler")
	culler["timeout"] = strconv.Itoa(int(cullerTimeout/time.Second)) + "s"
	culler["interval"] = strconv.Itoa(int(cullerInterval/time.Second)) + "s"
	culler["kernel_timeout"] = strconv.Itoa(int(kernelTimeout/time.Second)) + "s"
	_, root := renderHubSite(t, dir, state, site)
	config := filepath.Join(root, "jupyterhub", "jupyterhub_config.py")

	// Not startHub, which gives the hub 30 seconds to answer: this one also starts the culler's
	// service, on a machine that may be busy with the other stack's tests.
	hub := startProcess(t, st, "jupyterhub", logPath, state, hubEnv(), jupyterhubProgram, "-f", config)
	t.Cleanup(func() {
		hub.stop(t, syscall.SIGTERM, 20*time.Second)
		checkConfigWarnings(t, st, logPath)
	})
	proxy := "http://127.0.0.1:" + strconv.Itoa(params.HubPort)
	waitForHealth(t, hub, proxy+"/hub/health", 60*time.Second)

	token := strings.TrimSpace(st.run(t, 60*time.Second, state, hubEnv(), jupyterhubProgram, "token", "-f", config, admin))
	api := hubAPI{t: t, base: proxy + "/hub/api", token: token}

	// The culler runs as a service holding exactly the rendered role, and is no admin.
	var svc struct {
		Admin bool     `json:"admin"`
		Roles []string `json:"roles"`
	}
	api.getJSON("/services/idle-culler", &svc)
	if svc.Admin || len(svc.Roles) != 1 || svc.Roles[0] != "idle-culler" {
		t.Errorf("service idle-culler: admin %v, roles %v; want no admin and the one role idle-culler", svc.Admin, svc.Roles)
	}

	start := time.Now()
	api.do(http.MethodPost, "/users/"+student.Name+"/server", http.StatusCreated, http.StatusAccepted)
	waitFor(t, 60*time.Second, student.Name+"'s server to be ready", func() bool {
		return api.serverState(student.Name) == "ready"
	})
	t.Logf("%s's server ready after %v", student.Name, time.Since(start).Round(time.Millisecond))

	// Inside the server, a kernel nobody runs code in is shut down after culler.kernel_timeout.
	server := hubAPI{t: t, base: proxy + "/user/" + student.Name + "/api", token: token}
	var kernel struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(server.do(http.MethodPost, "/kernels", http.StatusCreated), &kernel); err != nil || kernel.ID == "" {
		t.Fatalf("start a kernel: %v %+v", err, kernel)
	}
	kernelStart := time.Now()
	waitFor(t, kernelTimeout+20*time.Second, "the idle kernel to be culled", func() bool {
		return !strings.Contains(string(server.do(http.MethodGet, "/kernels", http.StatusOK)), kernel.ID)
	})
	t.Logf("idle kernel culled %v after it started; the server is now idle", time.Since(kernelStart).Round(time.Millisecond))

	// Stopped by the culler: after the timeout, within a few of its rounds.
	limit := cullerTimeout + 4*cullerInterval + 30*time.Second
	waitFor(t, limit, student.Name+"'s idle server to be culled", func() bool {
		return api.serverState(student.Name) == "none"
	})
	culledAfter := time.Since(start)
	t.Logf("culled %v after the spawn request", culledAfter.Round(time.Millisecond))
	if culledAfter < cullerTimeout {
		t.Errorf("server stopped %v after the spawn, before culler.timeout %v: something else stopped it", culledAfter, cullerTimeout)
	}

	// The hub logs each API request with who made it: the stop came from the service. The hub
	// drops the server from the user's model before it answers (and logs) the culler's DELETE,
	// so the line may come a moment after the state says "none".
	stop := "DELETE /hub/api/users/" + student.Name + "/server"
	var hubLog []byte
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		if hubLog, err = os.ReadFile(logPath); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(hubLog), stop) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	found := false
	for _, line := range strings.Split(string(hubLog), "\n") {
		if strings.Contains(line, stop) {
			found = true
			t.Logf("hub log: %s", line)
			if !strings.Contains(line, "idle-culler") {
				t.Errorf("the stop was not made by the idle-culler service: %s", line)
			}
		}
	}
	if !found {
		t.Errorf("the hub log has no %q: the server stopped some other way", stop)
	}
	// The single-user server, whose log is the hub's, took the kernel options without a word.
	if !strings.Contains(string(hubLog), fmt.Sprintf("Culling kernels with idle durations > %d seconds", int(kernelTimeout/time.Second))) {
		t.Errorf("the single-user server's log does not say it culls kernels idle for %v", kernelTimeout)
	}
	for _, line := range strings.Split(string(hubLog), "\n") {
		if strings.Contains(line, "MappingKernelManager") && (strings.Contains(line, "[W") || strings.Contains(line, "not recognized")) {
			t.Errorf("the single-user server warns about the kernel culling options: %s", line)
		}
	}
	if strings.Contains(string(hubLog), "admin: True") || strings.Contains(string(hubLog), "'admin' key") {
		t.Errorf("the hub log mentions an admin service:\n%s", logTail(logPath, 4<<10))
	}
}

// hubAPI calls JupyterHub's REST API with a token.
type hubAPI struct {
	t           *testing.T
	base, token string
}

func (a hubAPI) do(method, path string, want ...int) []byte {
	a.t.Helper()
	req, err := http.NewRequest(method, a.base+path, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+a.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, code := range want {
		if resp.StatusCode == code {
			return body
		}
	}
	a.t.Fatalf("%s %s: %s %s, want %v", method, path, resp.Status, body, want)
	return nil
}

func (a hubAPI) getJSON(path string, v any) {
	a.t.Helper()
	body := a.do(http.MethodGet, path, http.StatusOK)
	if err := json.Unmarshal(body, v); err != nil {
		a.t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
}

// serverState is "none", "pending" or "ready" for the user's default server.
func (a hubAPI) serverState(user string) string {
	a.t.Helper()
	var u struct {
		Servers map[string]struct {
			Ready bool `json:"ready"`
		} `json:"servers"`
	}
	a.getJSON("/users/"+user, &u)
	s, ok := u.Servers[""]
	switch {
	case !ok:
		return "none"
	case s.Ready:
		return "ready"
	}
	return "pending"
}

// waitFor polls done every half second until it is true, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
