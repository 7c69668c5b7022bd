package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// A class start: every student of a course logs in and starts a server within a few seconds, as
// at 9:00 on the first lab. runStorm plays it against the rendered nginx and JupyterHub with real
// PAM accounts, one simulated browser per student, and reports what the students saw. The suite
// runs 40 students on every stack (TestClassStorm); bench/storm.sh runs 200 and prints the figures
// (TestClassStormBench).

// stormOptions are what a storm varies.
type stormOptions struct {
	Students int
	// Spread: each student starts at a random moment within it.
	Spread time.Duration
	// Patience bounds each student's whole session, login to kernel answer; every request and
	// loop of the storm ends by then.
	Patience time.Duration
	// Hubgen is the binary that renders the site; "" is the one built from this tree. The
	// benchmark renders with main's, for the figures before a change.
	Hubgen string
}

// stormReport is what a storm measured.
type stormReport struct {
	Stack      string
	Students   int
	In         int           // students whose kernel printed 42
	LastIn     time.Duration // from the storm's start to the last student in
	ErrorPages map[string]int
	Nginx5xx   int
	APISamples int
	APIp50     time.Duration
	APIp95     time.Duration
	APIFailed  int // GET /hub/api that did not answer 200
	Reconnects int // kernel websockets that dropped and were opened again, as a notebook page does
	// KernelsReopened: students whose first kernel did not answer and who reopened the notebook.
	// KernelsDied and
	// PortsTaken count the hub's log lines that say why: "KernelRestarter: restart failed", and a
	// kernel's "Address already in use".
	KernelsReopened, KernelsDied, PortsTaken int
	Usage                                    usage
	Failures                                 []string
}

func (r *stormReport) String() string {
	var pages []string
	for k, n := range r.ErrorPages {
		pages = append(pages, fmt.Sprintf("%d× %s", n, k))
	}
	sort.Strings(pages)
	s := fmt.Sprintf("%s: %d/%d students in, last after %v; error pages: %d %v; nginx 5xx: %d; kernel websockets reopened: %d; kernels dead at start and reopened: %d (hub log: %d restarts failed, %d ports taken); GET /hub/api p50 %v, p95 %v over %d samples (%d not 200); peak PSS: hub %.0f MiB, all servers and kernels %.0f MiB; CPU: hub %.0f s, servers and kernels %.0f s (%.2f s a student)",
		r.Stack, r.In, r.Students, r.LastIn.Round(100*time.Millisecond), r.errorPageCount(), pages, r.Nginx5xx, r.Reconnects,
		r.KernelsReopened, r.KernelsDied, r.PortsTaken,
		r.APIp50.Round(time.Millisecond), r.APIp95.Round(time.Millisecond), r.APISamples, r.APIFailed,
		float64(r.Usage.HubPeakKiB)/1024, float64(r.Usage.UsersPeakKiB)/1024,
		r.Usage.HubCPU, r.Usage.UsersCPU, r.Usage.UsersCPU/float64(max(1, r.Students)))
	// The physical floor: the CPU the students' servers and kernels took, spread over every core.
	floor := time.Duration(r.Usage.UsersCPU / float64(runtime.NumCPU()) * float64(time.Second))
	if floor > 0 {
		s += fmt.Sprintf("; floor %v on %d cores, last in at %.2f× the floor", floor.Round(100*time.Millisecond), runtime.NumCPU(), float64(r.LastIn)/float64(floor))
	}
	for i, f := range r.Failures {
		if i == 10 {
			s += fmt.Sprintf("\n  ... and %d more", len(r.Failures)-i)
			break
		}
		s += "\n  " + f
	}
	return s
}

func (r *stormReport) errorPageCount() int {
	n := 0
	for _, c := range r.ErrorPages {
		n += c
	}
	return n
}

// TestClassStorm: 40 students logging in at once on every stack all get a working kernel, and
// none of them sees an error page on the way. How long it takes is the benchmark's business.
//
// One class on one machine at a time: the stacks share this machine's cores and its loopback
// ports, and two storms at once would be 80 students on it, not 40. So the stacks take turns,
// and no other test runs beside them (the test and its subtests are not parallel).
func TestClassStorm(t *testing.T) {
	for _, st := range allStacks {
		t.Run(st.Name, func(t *testing.T) { classStorm(t, st) })
	}
}

// classStorm is TestClassStorm on one stack.
func classStorm(t *testing.T, st *stack) {
	st.require(t)
	var r *stormReport
	// Registered before the storm's servers, so it runs after they stop and log: a failure's
	// output ends with the report, where a CI summary that keeps only the end shows it.
	t.Cleanup(func() {
		if t.Failed() && r != nil {
			t.Logf("the storm, again after the logs: %s", r)
		}
	})
	r = runStorm(t, st, stormOptions{Students: 40, Spread: 3 * time.Second, Patience: 8 * time.Minute})
	t.Log(r)
	if r.In != r.Students {
		t.Errorf("%d of %d students got a kernel that answers", r.In, r.Students)
	}
	if n := r.errorPageCount(); n > 0 {
		t.Errorf("students saw %d error pages: %v", n, r.ErrorPages)
	}
	if r.Nginx5xx > 0 {
		t.Errorf("nginx answered 5xx %d times", r.Nginx5xx)
	}
	if r.KernelsReopened > 0 {
		// The one known way a student's first kernel fails: its port taken at start. Anything
		// else is a failure.
		if r.PortsTaken < r.KernelsReopened {
			t.Errorf("%d students' first kernel failed, and the hub's log has %d taken ports (%d failed restarts): a kernel failed for another reason", r.KernelsReopened, r.PortsTaken, r.KernelsDied)
		} else {
			t.Logf("%d students' first kernel failed at start, its port taken, and they reopened the notebook (README \"A class start\", TestKernelPortTaken)", r.KernelsReopened)
		}
	}
}

// TestClassStormBench is the 200-student benchmark, run by bench/storm.sh (never by the suite):
// HUBGEN_STORM_STUDENTS students on the stack HUBGEN_STORM_STACK (default debian12), the site
// rendered by HUBGEN_STORM_HUBGEN when set. It prints the report as one line.
func TestClassStormBench(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("HUBGEN_STORM_STUDENTS"))
	if n <= 0 {
		t.Skip("a benchmark: bench/storm.sh runs it with HUBGEN_STORM_STUDENTS")
	}
	want := os.Getenv("HUBGEN_STORM_STACK")
	if want == "" {
		want = "debian12"
	}
	for _, st := range allStacks {
		if st.Name != want {
			continue
		}
		t.Run(st.Name, func(t *testing.T) {
			st.require(t)
			r := runStorm(t, st, stormOptions{Students: n, Spread: 3 * time.Second, Patience: 15 * time.Minute,
				Hubgen: os.Getenv("HUBGEN_STORM_HUBGEN")})
			fmt.Printf("STORM %s\n", r)
		})
	}
}

// runStorm starts a site for opts.Students students on st, lets them all in at once, and reports.
func runStorm(t *testing.T, st *stack, opts stormOptions) *stormReport {
	t.Helper()
	s := &liveSite{st: st, BaseURL: "/", Dir: t.TempDir()}
	s.Root = filepath.Join(s.Dir, "root")
	accessLog := filepath.Join(s.Dir, "nginx-access.log")
	dumpLogsOnFailure(t, map[string]string{
		"jupyterhub":            filepath.Join(s.Dir, "jupyterhub.log"),
		"nginx":                 filepath.Join(s.Dir, "nginx.log"),
		"nginx error_log (new)": filepath.Join(s.Dir, "nginx-error.log"),
	})
	s.Admin = addSystemUser(t, st, "a")
	students := make([]systemUser, opts.Students)
	names := make([]string, opts.Students)
	for i := range students {
		students[i] = addSystemUser(t, st, "s")
		names[i] = students[i].Name
	}
	s.state = filepath.Join(s.Dir, "state")
	ports := freePorts(t, 5)
	s.HTTPPort, s.HTTPSPort, s.HubPort = ports[0], ports[1], ports[2]
	s.sitePath = filepath.Join(s.Dir, "site.toml")
	s.params = siteParams{
		BaseURL:  s.BaseURL,
		HTTPPort: s.HTTPPort, HTTPSPort: s.HTTPSPort,
		HubPort: s.HubPort, HubAPIPort: ports[3], ProxyAPIPort: ports[4],
		Cert:       makeCertificate(t, s.Dir, testDomain),
		StateDir:   s.state,
		Webroot:    worldReadableDir(t),
		PIDFile:    filepath.Join(s.Dir, "nginx.pid"),
		Admins:     []string{s.Admin.Name},
		Allowed:    names,
		Nginx:      st.nginxVersion(t),
		DefaultURL: st.DefaultURL,
	}
	writeSite(t, s.sitePath, s.params.document())
	makeSecrets(t, s.sitePath, secretFiles{})
	render := hubgen
	if opts.Hubgen != "" {
		render = opts.Hubgen
	}
	mustRun(t, 30*time.Second, "", nil, render, "render", s.sitePath, "-o", s.Root)

	// The rendered file, with one change: the access log goes to the test's own file, since the
	// shared one mixes in every other test's requests, and the storm counts nginx's 5xx in it.
	conf := filepath.Join(s.Root, "nginx", "nginx.conf")
	data, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	moved := strings.Replace(string(data), "access_log /var/log/nginx/access.log;", "access_log "+accessLog+";", 1)
	if moved == string(data) {
		t.Fatalf("%s has no access_log /var/log/nginx/access.log line to move", conf)
	}
	writeFile(t, conf, []byte(moved), 0o644)
	startNginx(t, st, conf, s.Dir, s.HTTPPort, s.HTTPSPort)
	s.startHub(t)
	// On SIGTERM the hub stops every student's server and kernel before it exits: seen here, 40
	// of them took over 20 s on 2 busy cores.
	s.hub.stopGrace = 20*time.Second + time.Duration(opts.Students)*time.Second

	r := &stormReport{Stack: st.Name, Students: opts.Students, ErrorPages: map[string]int{}}
	var mu sync.Mutex // guards r
	ctx, cancel := context.WithTimeout(context.Background(), opts.Patience)
	defer cancel()

	// While the students come in: the hub's API latency through nginx, and memory.
	sampling, stopSampling := context.WithCancel(ctx)
	var samplers sync.WaitGroup
	var latencies []time.Duration
	samplers.Add(2)
	go func() {
		defer samplers.Done()
		latencies, r.APIFailed = sampleHubAPI(sampling, t, s)
	}()
	go func() {
		defer samplers.Done()
		r.Usage = sampleUsage(sampling, st, s.hub.cmd.Process.Pid, names)
	}()

	start := time.Now()
	var wg sync.WaitGroup
	for _, u := range students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newStormBrowser(t, s, func(status int, method, path string) {
				key := fmt.Sprintf("%d %s %s", status, method, strings.ReplaceAll(path, u.Name, "NAME"))
				mu.Lock()
				r.ErrorPages[key]++
				mu.Unlock()
			})
			select {
			case <-time.After(rand.N(opts.Spread)):
			case <-ctx.Done():
			}
			err := stormStudent(ctx, b, s, u, r, func(n *int) {
				mu.Lock()
				*n++
				mu.Unlock()
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				r.Failures = append(r.Failures, u.Name+": "+err.Error())
				return
			}
			r.In++
			r.LastIn = max(r.LastIn, time.Since(start))
		}()
	}
	wg.Wait()
	stopSampling()
	samplers.Wait()
	r.APISamples = len(latencies)
	r.APIp50, r.APIp95 = percentile(latencies, 50), percentile(latencies, 95)
	r.Nginx5xx = count5xx(t, accessLog)
	if hubLog, err := os.ReadFile(filepath.Join(s.Dir, "jupyterhub.log")); err == nil {
		r.KernelsDied = strings.Count(string(hubLog), "KernelRestarter: restart failed")
		r.PortsTaken = strings.Count(string(hubLog), "Address already in use")
	}
	sort.Strings(r.Failures)
	return r
}

// newStormBrowser is a browser for one student of a storm: requests wait as long as the storm
// allows (a person's browser waits minutes, not 20 s), and every answer of 400 or more, which a
// browser would show as an error page, is passed to errorPage.
func newStormBrowser(t *testing.T, s *liveSite, errorPage func(status int, method, path string)) *browser {
	b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
	for _, c := range []*http.Client{b.client, b.http1} {
		c.Timeout = 0 // the storm's context bounds each request
		c.Transport = &errorPageTransport{next: c.Transport, errorPage: errorPage}
	}
	b.dialer.HandshakeTimeout = 2 * time.Minute
	b.kernelWait = 2 * time.Minute
	return b
}

type errorPageTransport struct {
	next      http.RoundTripper
	errorPage func(status int, method, path string)
}

func (e *errorPageTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := e.next.RoundTrip(req)
	if err == nil && resp.StatusCode >= 400 {
		e.errorPage(resp.StatusCode, req.Method, req.URL.Path)
	}
	return resp, err
}

// stormStudent is one student's first minute, as their browser goes through it: the login form,
// the spawn-pending page until its progress stream says the server is ready, the server itself
// (through its OAuth round trip with the hub), a kernel, and print(6*7) over the kernel's
// websocket. Any step that does not go as a person needs it ends the student's storm.
func stormStudent(ctx context.Context, b *browser, s *liveSite, u systemUser, r *stormReport, count func(*int)) error {
	get := func(rawURL string, header http.Header) (page, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return page{}, err
		}
		for k, v := range header {
			req.Header[k] = v
		}
		return b.do(req, true)
	}
	loginURL := b.https + s.BaseURL + "hub/login"
	p, err := get(loginURL, nil)
	if err != nil {
		return err
	}
	if p.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", loginURL, p.Status)
	}
	form := url.Values{"username": {u.Name}, "password": {u.Password}}
	if m := xsrfFieldRE.FindStringSubmatch(p.Body); m != nil {
		form.Set("_xsrf", html.UnescapeString(m[1]))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, loginURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if p, err = b.do(req, true); err != nil {
		return fmt.Errorf("log in: %w", err)
	}
	if p.StatusCode != http.StatusOK {
		return fmt.Errorf("log in: ended at %s with %s", p.Request.URL.Path, p.Status)
	}
	serverPath := s.BaseURL + "user/" + u.Name + "/"
	if pending := s.BaseURL + "hub/spawn-pending/" + u.Name; strings.HasPrefix(p.Request.URL.Path, pending) {
		// The page's script follows the spawn's progress as an event stream and moves on when
		// the server is ready.
		if err := followSpawnProgress(ctx, b, s.BaseURL, u.Name, b.https+pending); err != nil {
			return err
		}
	} else if !strings.HasPrefix(p.Request.URL.Path, serverPath) {
		return fmt.Errorf("log in: ended at %s (%s), want the spawn-pending page or the server", p.Request.URL.Path, p.Status)
	}
	// Where the page goes once the server is up. (Debian 13's server has no page of its own at
	// /user/NAME/, see setUpStacks, so the student opens one that needs the login.)
	p, err = get(b.https+serverPath+s.st.ServerPage, nil)
	if err != nil {
		return fmt.Errorf("open the server: %w", err)
	}
	if p.StatusCode != http.StatusOK || !strings.HasPrefix(p.Request.URL.Path, serverPath) {
		return fmt.Errorf("open the server: ended at %s with %s", p.Request.URL.Path, p.Status)
	}
	serverURL := b.https + serverPath
	xsrf := b.cookie(serverURL, "_xsrf")
	startKernel := func() (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, serverURL+"api/kernels", strings.NewReader("{}"))
		if err != nil {
			return "", err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Xsrftoken", xsrf)
		req.Header.Set("Referer", serverURL+"tree")
		p, err := b.do(req, false)
		if err != nil {
			return "", fmt.Errorf("start a kernel: %w", err)
		}
		var kernel struct{ ID string }
		if p.StatusCode != http.StatusCreated || json.Unmarshal([]byte(p.Body), &kernel) != nil || kernel.ID == "" {
			return "", fmt.Errorf("start a kernel: %s %.200s", p.Status, p.Body)
		}
		return kernel.ID, nil
	}
	// A notebook page reconnects its kernel websocket when the connection drops (the classic
	// notebook and JupyterLab both do, and show "reconnecting", not an error page): the storm does
	// the same, twice at most, and counts it. Seen once in a 40-student storm on Debian 13: close
	// 1006 while the server was still busy with the class's other kernels.
	run := func(kernelID string) (string, error) {
		for try := 0; ; try++ {
			out, err := b.execute(serverURL, kernelID, u.Name, "print(6*7)")
			var closed *websocket.CloseError
			if err == nil || try == 2 || !errors.As(err, &closed) || closed.Code != websocket.CloseAbnormalClosure {
				return out, err
			}
			count(&r.Reconnects)
			select {
			case <-time.After(2 * time.Second):
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
	}
	kernelID, err := startKernel()
	if err != nil {
		return err
	}
	out, err := run(kernelID)
	if err != nil {
		// A kernel whose port another kernel took first (README "A class start"): Debian 12's
		// jupyter_client restarts it on the same ports until it gives up, and Debian 13's restart
		// on new ports was once seen never to answer the student's websocket. The notebook shows
		// the kernel dead or reconnecting; the student reopens it, which starts a new kernel.
		// Counted; the storm checks the hub's log for a taken port for each.
		count(&r.KernelsReopened)
		if kernelID, err = startKernel(); err != nil {
			return err
		}
		out, err = run(kernelID)
	}
	if err != nil {
		return fmt.Errorf("print(6*7): %w", err)
	}
	if out != "42\n" {
		return fmt.Errorf("print(6*7) printed %q", out)
	}
	return nil
}

// followSpawnProgress reads the spawn's progress events, as the spawn-pending page's script does,
// until the server is ready; a failed spawn is what the page would show as an error.
func followSpawnProgress(ctx context.Context, b *browser, baseURL, name, pendingURL string) error {
	progress := b.https + baseURL + "hub/api/users/" + name + "/server/progress"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, progress, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Referer", pendingURL)
	resp, err := b.client.Do(req)
	if err != nil {
		return fmt.Errorf("spawn progress: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("spawn progress: %s", resp.Status)
	}
	var last string
	scanner := bufio.NewScanner(resp.Body)
	scanner.Buffer(make([]byte, 64<<10), 1<<20)
	for scanner.Scan() {
		data, ok := strings.CutPrefix(scanner.Text(), "data:")
		if !ok {
			continue
		}
		var event struct {
			Ready, Failed bool
			Message       string
		}
		if err := json.Unmarshal([]byte(data), &event); err != nil {
			return fmt.Errorf("spawn progress: %q: %w", data, err)
		}
		last = event.Message
		switch {
		case event.Failed:
			// The page shows this message in red: an error page in all but its status.
			return fmt.Errorf("spawn failed (the page says %q)", event.Message)
		case event.Ready:
			return nil
		}
	}
	return fmt.Errorf("spawn progress ended before the server was ready (last: %q, %v)", last, scanner.Err())
}

// sampleHubAPI times GET /hub/api through nginx every 250 ms until ctx ends: what every page of
// the hub waits for when the hub is busy.
func sampleHubAPI(ctx context.Context, t *testing.T, s *liveSite) (latencies []time.Duration, failed int) {
	b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
	b.client.Timeout = 30 * time.Second
	api := b.https + s.BaseURL + "hub/api"
	for ctx.Err() == nil {
		start := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, api, nil)
		p, err := b.do(req, false)
		if ctx.Err() != nil {
			break
		}
		latencies = append(latencies, time.Since(start))
		if err != nil || p.StatusCode != http.StatusOK {
			failed++
		}
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
	return latencies, failed
}

// usage is what sampleUsage measured: peak memory, and the CPU time used.
type usage struct {
	HubPeakKiB, UsersPeakKiB int64   // proportional set sizes (PSS), so shared libraries count once
	HubCPU, UsersCPU         float64 // seconds, user + system
}

// sampleUsage reads the memory and CPU time of the hub and of every process of the named users in
// the stack once a second until ctx ends.
func sampleUsage(ctx context.Context, st *stack, hubPID int, users []string) usage {
	uids := map[string]bool{}
	for _, name := range users {
		out, err := st.command(ctx, "/", nil, "/usr/bin/id", "-u", name).Output()
		if err == nil {
			uids[strings.TrimSpace(string(out))] = true
		}
	}
	root := st.hostPath("/")
	var u usage
	cpu := map[int]float64{} // the last CPU time seen of each process, also of those that ended
	for ctx.Err() == nil {
		var sum int64
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			isHub := pid == hubPID
			if !isHub {
				if !uids[procUID(pid)] {
					continue
				}
				if r, err := os.Readlink(filepath.Join("/proc", e.Name(), "root")); err != nil || r != root {
					continue
				}
			}
			pss := procPSS(pid)
			if t, ok := procCPU(pid); ok {
				cpu[pid] = t
			}
			if isHub {
				u.HubPeakKiB = max(u.HubPeakKiB, pss)
			} else {
				sum += pss
			}
		}
		u.UsersPeakKiB = max(u.UsersPeakKiB, sum)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	for pid, t := range cpu {
		if pid == hubPID {
			u.HubCPU = t
		} else {
			u.UsersCPU += t
		}
	}
	return u
}

// procUID is a process's real uid, from /proc/PID/status.
func procUID(pid int) string {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if fields := strings.Fields(line); len(fields) > 1 && fields[0] == "Uid:" {
			return fields[1]
		}
	}
	return ""
}

// procPSS is a process's proportional set size in KiB, from /proc/PID/smaps_rollup.
func procPSS(pid int) int64 {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "smaps_rollup"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if fields := strings.Fields(line); len(fields) > 1 && fields[0] == "Pss:" {
			n, _ := strconv.ParseInt(fields[1], 10, 64)
			return n
		}
	}
	return 0
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every Linux this runs on.
const clockTicks = 100

// procCPU is a process's user and system CPU time in seconds, from /proc/PID/stat.
func procCPU(pid int) (float64, bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces; the fields after it are fixed.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseFloat(fields[11], 64)
	stime, err2 := strconv.ParseFloat(fields[12], 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return (utime + stime) / clockTicks, true
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	sorted := append([]time.Duration(nil), d...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return sorted[(len(sorted)-1)*p/100]
}

// accessStatusRE finds the status in a line of nginx's combined log format.
var accessStatusRE = regexp.MustCompile(`" (\d{3}) `)

// count5xx counts nginx's 5xx answers in its access log.
func count5xx(t *testing.T, path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("nginx access log: %v", err)
		return 0
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if m := accessStatusRE.FindStringSubmatch(line); m != nil && m[1][0] == '5' {
			n++
		}
	}
	return n
}
