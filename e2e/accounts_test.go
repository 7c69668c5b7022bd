package e2e

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAccounts runs `hubgen accounts` as root with the real useradd, chpasswd and usermod: it
// creates a roster's accounts with initial passwords, one new student logs in through the
// rendered nginx and JupyterHub with hers, and once she is off the roster and accounts is applied
// again, the same login is refused; back on the roster, she is unlocked. An account hubgen did not
// make and a system account in the site are left alone. On Debian 12 only: hubgen runs on this
// machine and manages this machine's accounts.
func TestAccounts(t *testing.T) {
	st := debian12Stack(t)
	dir := t.TempDir()
	dumpLogsOnFailure(t, map[string]string{
		"jupyterhub": filepath.Join(dir, "jupyterhub.log"),
		"nginx":      filepath.Join(dir, "nginx.log"),
	})
	// An account made by hand before hubgen: accounts must keep it as it is.
	admin := addSystemUser(t, st, "a")
	students := make([]string, 3)
	for i := range students {
		// Unique per run, valid for useradd and the site; removed at the end whatever happens.
		students[i] = "e2ek" + randomHex(t, 4)
		removeAccountMadeByHub(t, st, students[i])
	}
	shadowBefore := shadowLine(t, admin.Name)

	state := filepath.Join(dir, "state")
	webroot := worldReadableDir(t)
	ports := freePorts(t, 5)
	params := siteParams{
		BaseURL:  "/",
		HTTPPort: ports[0], HTTPSPort: ports[1], HubPort: ports[2], HubAPIPort: ports[3], ProxyAPIPort: ports[4],
		Cert:     makeCertificate(t, dir, testDomain),
		StateDir: state, Webroot: webroot,
		PIDFile: filepath.Join(dir, "nginx.pid"),
		Admins:  []string{admin.Name},
		Allowed: students,
	}
	sitePath := filepath.Join(dir, "site.toml")
	writeSite(t, sitePath, params.document())

	// The plan changes nothing.
	plan := runHubgen(t, "accounts", sitePath)
	for _, s := range students {
		if !strings.Contains(plan, "create  "+s+"\n") {
			t.Errorf("plan does not create %s:\n%s", s, plan)
		}
		if exec.Command("id", s).Run() == nil {
			t.Fatalf("the plan made account %s", s)
		}
	}
	if !strings.Contains(plan, "keep    "+admin.Name+" ") {
		t.Errorf("plan does not keep the hand-made account %s:\n%s", admin.Name, plan)
	}

	passwordsFile := filepath.Join(dir, "passwords.csv")
	start := time.Now()
	out := runHubgen(t, "accounts", sitePath, "--apply", "--passwords", passwordsFile)
	t.Logf("applied %d new accounts in %v", len(students), time.Since(start).Round(time.Millisecond))
	passwords := readPasswords(t, passwordsFile)
	for _, s := range students {
		if passwords[s] == "" || strings.Contains(out, passwords[s]) {
			t.Errorf("%s: password %q missing from %s, or printed", s, passwords[s], passwordsFile)
		}
		if _, err := os.Stat(filepath.Join("/home", s, ".bashrc")); err != nil {
			t.Errorf("%s has no home from /etc/skel: %v", s, err)
		}
	}
	if info, _ := os.Stat(filepath.Join(state, "hubgen_accounts")); info == nil || info.Mode().Perm() != 0o600 {
		t.Errorf("state_dir/hubgen_accounts is missing or not 0600: %v", info)
	}
	if got := shadowLine(t, admin.Name); got != shadowBefore {
		t.Errorf("accounts changed the hand-made account %s", admin.Name)
	}

	// Idempotent: applied again, nothing changes and no passwords file is needed.
	if again := runHubgen(t, "accounts", sitePath, "--apply"); !strings.Contains(again, "nothing to change") {
		t.Errorf("second apply: %s, want nothing to change", again)
	}
	// A passwords file is never overwritten.
	cmd := exec.Command(hubgen, "accounts", sitePath, "--apply", "--passwords", passwordsFile)
	if err := cmd.Run(); err != nil {
		t.Errorf("apply with nothing to create and an existing passwords file: %v, want success (the file is not touched)", err)
	}

	makeSecrets(t, sitePath, secretFiles{
		CookieSecret: filepath.Join(state, "jupyterhub_cookie_secret"),
		ProxyToken:   filepath.Join(state, "proxy_auth_token"),
	})
	root := filepath.Join(dir, "root")
	runHubgen(t, "render", sitePath, "-o", root)
	startNginx(t, st, filepath.Join(root, "nginx", "nginx.conf"), dir, params.HTTPPort, params.HTTPSPort)
	startHub(t, st, filepath.Join(root, "jupyterhub", "jupyterhub_config.py"), state, dir,
		"http://127.0.0.1:"+strconv.Itoa(params.HubPort)+"/hub/health")

	kendra := systemUser{Name: students[0], Password: passwords[students[0]]}
	// next keeps the hub from spawning a server this test does not need.
	b := newBrowser(t, testDomain, params.HTTPPort, params.HTTPSPort)
	if p := b.login("/", kendra, "/hub/home"); p.StatusCode != http.StatusOK || p.Request.URL.Path != "/hub/home" {
		t.Fatalf("%s's login with the generated password ended at %s with %s, want /hub/home", kendra.Name, p.Request.URL, p.Status)
	}

	// Off the roster: the account is locked. The running hub still lists her; the lock alone
	// must keep her out.
	params.Allowed = students[1:]
	writeSite(t, sitePath, params.document())
	out = runHubgen(t, "accounts", sitePath, "--apply")
	if !strings.Contains(out, "locked   "+kendra.Name) {
		t.Errorf("apply after removing %s: %s, want her locked", kendra.Name, out)
	}
	if status := mustRun(t, 10*time.Second, "", nil, "passwd", "--status", kendra.Name); !strings.HasPrefix(status, kendra.Name+" L ") {
		t.Errorf("passwd --status %s: %q, want L (locked)", kendra.Name, status)
	}
	if _, err := os.Stat(filepath.Join("/home", kendra.Name)); err != nil {
		t.Errorf("locking removed %s's home: %v", kendra.Name, err)
	}
	b = newBrowser(t, testDomain, params.HTTPPort, params.HTTPSPort)
	p := b.login("/", kendra, "/hub/home")
	if !strings.HasSuffix(p.Request.URL.Path, "/hub/login") || !strings.Contains(p.Body, "Invalid username or password") {
		t.Errorf("locked %s's login ended at %s with %s, want the login form with \"Invalid username or password\"", kendra.Name, p.Request.URL, p.Status)
	}

	// Back on the roster: unlocked, with the password she had.
	params.Allowed = students
	writeSite(t, sitePath, params.document())
	if out = runHubgen(t, "accounts", sitePath, "--apply"); !strings.Contains(out, "unlocked "+kendra.Name) {
		t.Errorf("apply after adding %s again: %s, want her unlocked", kendra.Name, out)
	}
	b = newBrowser(t, testDomain, params.HTTPPort, params.HTTPSPort)
	if p := b.login("/", kendra, "/hub/home"); p.StatusCode != http.StatusOK || p.Request.URL.Path != "/hub/home" {
		t.Errorf("unlocked %s's login ended at %s with %s, want /hub/home", kendra.Name, p.Request.URL, p.Status)
	}
}

// TestAccountsRefusesSystemAccounts: a site that names a system account gets exit 1, and the
// account is not touched.
func TestAccountsRefusesSystemAccounts(t *testing.T) {
	debian12Stack(t)
	dir := t.TempDir()
	params := siteParams{BaseURL: "/", HTTPPort: 80, HTTPSPort: 443, HubPort: 8000, HubAPIPort: 8081, ProxyAPIPort: 8001,
		Cert: certificate{Cert: "/c.pem", Key: "/k.pem"}, StateDir: filepath.Join(dir, "state"), Webroot: "/var/www", PIDFile: "/run/nginx.pid",
		Admins: []string{"daemon"}, Allowed: []string{"root"}}
	sitePath := filepath.Join(dir, "site.toml")
	writeSite(t, sitePath, params.document())
	before := shadowLine(t, "daemon")
	cmd := exec.Command(hubgen, "accounts", sitePath, "--apply")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 {
		t.Errorf("exit %v, want 1", err)
	}
	for _, want := range []string{"refuse  daemon (uid 1: a system account", "refuse  root (uid 0: a system account"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q lacks %q", stderr.String(), want)
		}
	}
	if shadowLine(t, "daemon") != before {
		t.Error("accounts changed daemon's account")
	}
}

// shadowLine is the account's /etc/shadow entry, to see that nothing changed it.
func shadowLine(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("/etc/shadow")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, name+":") {
			return line
		}
	}
	t.Fatalf("%s has no /etc/shadow entry", name)
	return ""
}

// readPasswords reads a passwords file, checking it is 0600.
func readPasswords(t *testing.T, path string) map[string]string {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %#o, want 0600", path, info.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		name, password, _ := strings.Cut(line, ",")
		out[name] = password
	}
	return out
}
