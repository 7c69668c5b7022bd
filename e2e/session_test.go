package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// liveSite is a site rendered by hubgen and running on a stack: nginx and JupyterHub started
// from the rendered files, with three system users.
type liveSite struct {
	st                        *stack
	BaseURL                   string
	UserSubdomains            bool // each user's server at NAME.testDomain
	HTTPPort, HTTPSPort       int
	HubPort                   int // hub.port: the proxy that nginx forwards to
	Admin, Student, Outsider  systemUser
	ChallengeToken, Challenge string // a file in the ACME webroot and its contents
	Dir, Root                 string
	params                    siteParams
	sitePath, state           string
	hub                       *process
}

// startLiveSite renders a site served at baseURL and starts it. Everything it starts is stopped
// when the test ends, passed or failed: the hub first (it stops the proxy and the users' servers),
// then nginx, then the users are removed, and then, on failure, the logs are printed.
func startLiveSite(t *testing.T, st *stack, baseURL string) *liveSite {
	t.Helper()
	return startLiveSiteWith(t, st, baseURL, false)
}

// startLiveSiteWith is startLiveSite with hub.user_subdomains set to subdomains, and then a
// certificate for testDomain and *.testDomain.
func startLiveSiteWith(t *testing.T, st *stack, baseURL string, subdomains bool) *liveSite {
	t.Helper()
	s := &liveSite{st: st, BaseURL: baseURL, UserSubdomains: subdomains, Dir: t.TempDir()}
	s.Root = filepath.Join(s.Dir, "root")
	dumpLogsOnFailure(t, map[string]string{
		"jupyterhub":            filepath.Join(s.Dir, "jupyterhub.log"),
		"nginx":                 filepath.Join(s.Dir, "nginx.log"),
		"nginx error_log (new)": filepath.Join(s.Dir, "nginx-error.log"),
	})
	s.Admin = addSystemUser(t, st, "a")
	s.Student = addSystemUser(t, st, "s")
	// A real account with a correct password that the site does not allow.
	s.Outsider = addSystemUser(t, st, "o")

	webroot := worldReadableDir(t)
	s.ChallengeToken, s.Challenge = randomHex(t, 16), randomHex(t, 16)
	challenge := filepath.Join(webroot, ".well-known", "acme-challenge", s.ChallengeToken)
	writeFile(t, challenge, []byte(s.Challenge), 0o644)
	for dir := filepath.Dir(challenge); dir != webroot; dir = filepath.Dir(dir) {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	s.state = filepath.Join(s.Dir, "state")
	ports := freePorts(t, 5)
	s.HTTPPort, s.HTTPSPort, s.HubPort = ports[0], ports[1], ports[2]
	s.sitePath = filepath.Join(s.Dir, "site.toml")
	s.params = siteParams{
		BaseURL:  baseURL,
		HTTPPort: s.HTTPPort, HTTPSPort: s.HTTPSPort,
		HubPort: s.HubPort, HubAPIPort: ports[3], ProxyAPIPort: ports[4],
		Cert:       makeCertificateFor(t, s.Dir, testDomain, "*."+testDomain),
		StateDir:   s.state,
		Webroot:    webroot,
		PIDFile:    filepath.Join(s.Dir, "nginx.pid"),
		Admins:     []string{s.Admin.Name},
		Allowed:    []string{s.Student.Name},
		Nginx:      st.nginxVersion(t),
		DefaultURL: st.DefaultURL,
		// Names under testDomain reach loopback like testDomain itself, in both browsers.
		UserSubdomains: subdomains,
	}
	writeSite(t, s.sitePath, s.params.document())
	makeSecrets(t, s.sitePath, secretFiles{
		CookieSecret: filepath.Join(s.state, "jupyterhub_cookie_secret"),
		ProxyToken:   filepath.Join(s.state, "proxy_auth_token"),
	})
	runHubgen(t, "render", s.sitePath, "-o", s.Root)

	// nginx first, so that the cleanups, which run in reverse, stop the hub first.
	startNginx(t, st, filepath.Join(s.Root, "nginx", "nginx.conf"), s.Dir, s.HTTPPort, s.HTTPSPort)
	s.startHub(t)
	return s
}

// serverURL is where user's server is, as b reaches it: on a host of its own with user
// subdomains, else under the hub's.
func (s *liveSite) serverURL(b *browser, user string) string {
	origin := b.https
	if s.UserSubdomains {
		origin = "https://" + user + "." + strings.TrimPrefix(b.https, "https://")
	}
	return origin + s.BaseURL + "user/" + user + "/"
}

// startHub starts the hub from the rendered config, in its state directory.
func (s *liveSite) startHub(t *testing.T) {
	t.Helper()
	health := "http://127.0.0.1:" + strconv.Itoa(s.HubPort) + s.BaseURL + "hub/health"
	s.hub = startHub(t, s.st, filepath.Join(s.Root, "jupyterhub", "jupyterhub_config.py"), s.state, s.Dir, health)
}

// changeUsers is what an instructor does at a new term: edit the site file's users, render it
// again and restart the hub, keeping its state directory (the database) as it is.
func (s *liveSite) changeUsers(t *testing.T, admins, allowed []string) {
	t.Helper()
	s.params.Admins, s.params.Allowed = admins, allowed
	writeSite(t, s.sitePath, s.params.document())
	runHubgen(t, "render", s.sitePath, "-o", s.Root)
	s.hub.stop(t, syscall.SIGTERM, 20*time.Second)
	// The first run's log is kept beside the next one's, for a failure's report.
	log := filepath.Join(s.Dir, "jupyterhub.log")
	if data, err := os.ReadFile(log); err == nil {
		f, err := os.OpenFile(filepath.Join(s.Dir, "jupyterhub-earlier.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err == nil {
			f.Write(data)
			f.Close()
		}
	}
	s.startHub(t)
}

// TestSession uses a course site as its users do, through the rendered nginx in front of the
// rendered JupyterHub: once served at the domain's root and once under a path, on every stack.
func TestSession(t *testing.T) {
	forEachStack(t, func(t *testing.T, st *stack) {
		for _, c := range []struct {
			baseURL    string
			subdomains bool
		}{{"/", false}, {"/engr101/", false}, {"/", true}, {"/engr101/", true}} {
			name := "base_url=" + c.baseURL
			if c.subdomains {
				name += ",user_subdomains"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				start := time.Now()
				s := startLiveSiteWith(t, st, c.baseURL, c.subdomains)
				t.Logf("%s: site up in %v", st.Name, time.Since(start).Round(time.Millisecond))
				t.Run("http", func(t *testing.T) { checkPlainHTTP(t, s) })
				t.Run("https", func(t *testing.T) { checkHTTPS(t, s) })
				t.Run("student", func(t *testing.T) { checkStudentSession(t, s) })
				t.Run("outsider", func(t *testing.T) { checkOutsiderRefused(t, s) })
				t.Run("admin", func(t *testing.T) { checkAdmin(t, s) })
				t.Run("logout", func(t *testing.T) { checkLogout(t, s) })
			})
		}
	})
}

// checkPlainHTTP: port 80 redirects everything to https, except ACME challenges, which certbot
// --webroot needs answered over plain http.
func checkPlainHTTP(t *testing.T, s *liveSite) {
	b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
	path := s.BaseURL + "hub/login?next=%2Fsomewhere"
	p := b.getOnce(b.http + path)
	if p.StatusCode != http.StatusMovedPermanently {
		t.Errorf("GET %s%s: %s, want 301", b.http, path, p.Status)
	}
	if got, want := p.Header.Get("Location"), b.https+path; got != want {
		t.Errorf("GET %s%s redirects to %q, want %q (https port and the whole request URI)", b.http, path, got, want)
	}

	challenge := "/.well-known/acme-challenge/" + s.ChallengeToken
	p = b.getOnce(b.http + challenge)
	if p.StatusCode != http.StatusOK || p.Body != s.Challenge {
		t.Errorf("GET %s%s: %s %q, want 200 with the webroot's file %q", b.http, challenge, p.Status, p.Body, s.Challenge)
	}
}

// checkHTTPS: the https server sends HSTS, and a site under a path sends "/" to it.
func checkHTTPS(t *testing.T, s *liveSite) {
	b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
	p := b.get(b.https + s.BaseURL + "hub/login")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", p.Request.URL, p.Status)
	}
	if p.ProtoMajor != 2 {
		t.Errorf("GET %s over %s, want HTTP/2", p.Request.URL, p.Proto)
	}
	if got := p.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=63072000") {
		t.Errorf("login page Strict-Transport-Security = %q, want max-age=63072000", got)
	}
	if s.BaseURL == "/" {
		return
	}
	p = b.getOnce(b.https + "/")
	if loc := p.Header.Get("Location"); p.StatusCode != http.StatusFound || (loc != s.BaseURL && loc != b.https+s.BaseURL) {
		t.Errorf("GET %s/: %s to %q, want 302 to %s", b.https, p.Status, loc, s.BaseURL)
	}
}

// checkStudentSession: an allowed user logs in with their system password, their server is
// spawned and reached through the OAuth round trip, and code runs in a kernel over a websocket,
// all through nginx.
func checkStudentSession(t *testing.T, s *liveSite) {
	b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
	start := time.Now()
	p := b.login(s.BaseURL, s.Student, "")
	if p.StatusCode != http.StatusOK || strings.HasSuffix(p.Request.URL.Path, "/hub/login") {
		t.Fatalf("student login ended at %s with %s, want the spawn page", p.Request.URL, p.Status)
	}
	serverURL := s.serverURL(b, s.Student.Name)
	b.waitForServerAt(serverURL, s.st.ServerPage, 60*time.Second)
	t.Logf("logged in and server up in %v", time.Since(start).Round(time.Millisecond))

	// The hub and the notebook server learn the browser's scheme from X-Forwarded-Proto; with
	// it, the server's login cookie is Secure and never travels over plain http.
	if set, secure := b.cookies.setSecure("jupyterhub-user-" + s.Student.Name); !set || !secure {
		t.Errorf("cookie jupyterhub-user-%s: set %v, Secure %v; want a Secure cookie (does nginx send X-Forwarded-Proto?)", s.Student.Name, set, secure)
	}

	b.kernelAnswers42(serverURL, s.Student.Name)
	t.Logf("kernel answered in %v after login", time.Since(start).Round(time.Millisecond))

	// A notebook larger than nginx's 1m default body size saves.
	big := `{"type": "file", "format": "text", "content": "` + strings.Repeat("x", 3<<20) + `"}`
	p = b.mustDo(http.MethodPut, serverURL+"api/contents/big.txt", strings.NewReader(big), http.Header{
		"Content-Type": {"application/json"},
		"X-Xsrftoken":  {b.cookie(serverURL, "_xsrf")},
		"Referer":      {serverURL + "tree"},
	}, false)
	if p.StatusCode != http.StatusCreated && p.StatusCode != http.StatusOK {
		t.Errorf("saving a 3 MB file: %s, want 201 (client_max_body_size)", p.Status)
	}

	p = b.get(b.https + s.BaseURL + "hub/admin")
	if p.StatusCode != http.StatusForbidden {
		t.Errorf("student GET hub/admin: %s, want 403", p.Status)
	}
	if s.UserSubdomains {
		checkHubOnItsHost(t, s, b, serverURL)
	}
}

// checkHubOnItsHost: with user subdomains the hub's login cookie never reaches a user's host
// (JupyterHub 3 would set it for the parent domain), and the hub's pages asked for on a user's
// host are sent to the hub's own, so its login form never shows in a student's origin.
func checkHubOnItsHost(t *testing.T, s *liveSite, b *browser, serverURL string) {
	if !strings.HasPrefix(serverURL, "https://"+s.Student.Name+"."+testDomain+":") {
		t.Errorf("the student's server is at %s, want a host of its own", serverURL)
	}
	if c := b.cookie(b.https+s.BaseURL+"hub/", "jupyterhub-hub-login"); c == "" {
		t.Error("no jupyterhub-hub-login cookie for the hub after login")
	}
	userHost := serverURL[:strings.Index(serverURL[len("https://"):], "/")+len("https://")]
	for _, path := range []string{"hub/", "hub/home"} {
		if c := b.cookie(userHost+s.BaseURL+path, "jupyterhub-hub-login"); c != "" {
			t.Errorf("the hub's login cookie is sent to the student's host %s%s", userHost, s.BaseURL+path)
		}
	}
	// The hub warns about nothing the setting touches (its lines read "[W 2026-... app:123] ...";
	// it warns of TLS ended in front and of scopes on every site, with or without subdomains).
	if data, err := os.ReadFile(filepath.Join(s.Dir, "jupyterhub.log")); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			lower := strings.ToLower(line)
			about := strings.Contains(lower, "domain") || strings.Contains(lower, "cookie") || strings.Contains(lower, "not recognized") || strings.Contains(lower, "deprecated")
			if strings.HasPrefix(line, "[W ") && about {
				t.Errorf("the hub warned: %s", line)
			}
		}
	}
	path := s.BaseURL + "hub/login?next=%2Fx"
	p := b.getOnce(userHost + path)
	if loc := p.Header.Get("Location"); p.StatusCode != http.StatusFound || loc != b.https+path {
		t.Errorf("GET %s%s: %s to %q, want 302 to %s%s", userHost, path, p.Status, loc, b.https, path)
	}
}

// checkLogout: logging out ends the hub session: the login cookie is cleared where it was set,
// and the hub asks for a login again.
func checkLogout(t *testing.T, s *liveSite) {
	b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
	home := s.BaseURL + "hub/home"
	if p := b.login(s.BaseURL, s.Admin, home); p.Request.URL.Path != home {
		t.Fatalf("admin login ended at %s with %s, want %s", p.Request.URL, p.Status, home)
	}
	b.get(b.https + s.BaseURL + "hub/logout")
	if c := b.cookie(b.https+s.BaseURL+"hub/", "jupyterhub-hub-login"); c != "" {
		t.Error("the jupyterhub-hub-login cookie is still there after logout")
	}
	if p := b.get(b.https + home); !strings.HasSuffix(p.Request.URL.Path, "/hub/login") {
		t.Errorf("after logout GET %s ended at %s (%s), want the login form", home, p.Request.URL, p.Status)
	}
}

// checkOutsiderRefused: a system user who is not in the site's lists cannot log in, even with the
// right password.
func checkOutsiderRefused(t *testing.T, s *liveSite) {
	b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
	p := b.login(s.BaseURL, s.Outsider, "")
	// JupyterHub 3.0 shows the login form again, with 200.
	if !strings.HasSuffix(p.Request.URL.Path, "/hub/login") || !strings.Contains(p.Body, "Invalid username or password") {
		t.Errorf("not-allowed user's login ended at %s with %s, want the login form with \"Invalid username or password\"", p.Request.URL, p.Status)
	}
	if c := b.cookie(b.https+s.BaseURL+"hub/", "jupyterhub-hub-login"); c != "" {
		t.Errorf("not-allowed user got a jupyterhub-hub-login cookie")
	}
	if p := b.get(b.https + s.BaseURL + "hub/home"); !strings.HasSuffix(p.Request.URL.Path, "/hub/login") {
		t.Errorf("not-allowed user reached %s (%s), want a redirect to the login form", p.Request.URL, p.Status)
	}
}

// checkAdmin: an admin reaches the admin page, and the page's own calls to the hub's REST API
// (cookie-authenticated, checked against Referer) work through nginx.
func checkAdmin(t *testing.T, s *liveSite) {
	b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
	adminPath := s.BaseURL + "hub/admin"
	// next keeps the admin from spawning a server nobody uses.
	p := b.login(s.BaseURL, s.Admin, adminPath)
	if p.StatusCode != http.StatusOK || p.Request.URL.Path != adminPath {
		t.Fatalf("admin login ended at %s with %s, want 200 at %s", p.Request.URL, p.Status, adminPath)
	}
	// The hub compares the Referer with the scheme (X-Forwarded-Proto) and host:port (Host) it
	// was given, and drops the cookie's authority if they differ.
	p = b.mustDo(http.MethodGet, b.https+s.BaseURL+"hub/api/users", nil,
		http.Header{"Referer": {b.https + adminPath}, "Accept": {"application/json"}}, false)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, s.Student.Name) {
		t.Errorf("admin page's GET hub/api/users: %s %.300s, want 200 listing %s (do nginx's Host and X-Forwarded-Proto match the browser's origin?)", p.Status, p.Body, s.Student.Name)
	}
}
