package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The alembic revisions JupyterHub writes into its database: the newest of Debian 12's 3.0 and of
// Debian 13's 5.2 (their jupyterhub/alembic/versions).
const (
	schemaJupyterHub30 = "651f5419b74d"
	schemaJupyterHub52 = "4621fec11365"
)

// upgradeDBLine is the rendered config's line that makes the hub upgrade its database at start.
const upgradeDBLine = "c.JupyterHub.upgrade_db = True\n"

// TestDatabaseUpgrade is a server's Debian 12 → 13 upgrade: Debian 12's JupyterHub 3.0 makes the
// database from the rendered config, then Debian 13's JupyterHub 5.2 starts from the same config
// and command line (the unit's `jupyterhub -f CONFIG`, in state_dir) on that database. First the
// control: without the config's upgrade_db line, 5.2 stops and asks for `jupyterhub upgrade-db`,
// the database untouched. Then with the rendered config it upgrades the database, keeping
// JupyterHub's own copy of the old one beside it, and serves. hubgen doctor, run inside Debian 13,
// says what it sees before and after.
func TestDatabaseUpgrade(t *testing.T) {
	old, upgraded := stackNamed(t, "debian12"), stackNamed(t, "debian13")
	dir := t.TempDir()
	dumpLogsOnFailure(t, map[string]string{
		"jupyterhub":                filepath.Join(dir, "jupyterhub.log"),
		"jupyterhub (3.0)":          filepath.Join(dir, "jupyterhub-3.0.log"),
		"jupyterhub (5.2), control": filepath.Join(dir, "jupyterhub-control.log"),
	})
	state := filepath.Join(dir, "state")
	ports := freePorts(t, 5)
	sitePath := filepath.Join(dir, "site.toml")
	site := siteParams{
		BaseURL:  "/",
		HTTPPort: ports[0], HTTPSPort: ports[1],
		HubPort: ports[2], HubAPIPort: ports[3], ProxyAPIPort: ports[4],
		Cert:     makeCertificate(t, dir, testDomain),
		StateDir: state,
		Webroot:  worldReadableDir(t),
		PIDFile:  filepath.Join(dir, "nginx.pid"),
		// An admin with an account in both stacks: JupyterHub 5 stops when an admin has none.
		Admins: []string{"root"},
	}.document()
	// The culler would need the third-party cache; the database is what this test is about.
	table(site, "culler")["enabled"] = false
	writeSite(t, sitePath, site)
	makeSecrets(t, sitePath, secretFiles{
		CookieSecret: filepath.Join(state, "jupyterhub_cookie_secret"),
		ProxyToken:   filepath.Join(state, "proxy_auth_token"),
	})
	root := filepath.Join(dir, "root")
	runHubgen(t, "render", sitePath, "-o", root)
	config := filepath.Join(root, "jupyterhub", "jupyterhub_config.py")
	database := filepath.Join(state, "jupyterhub.sqlite")
	health := "http://127.0.0.1:" + strconv.Itoa(ports[2]) + "/hub/health"

	// Debian 12's hub makes the database and runs on it.
	hub := startHub(t, old, config, state, dir, health)
	hub.stop(t, syscall.SIGTERM, 20*time.Second)
	keepLog(t, dir, "jupyterhub-3.0.log")
	if got := schemaRevision(t, database); got != schemaJupyterHub30 {
		t.Fatalf("JupyterHub 3.0 left schema %q, want %s", got, schemaJupyterHub30)
	}
	if line := doctorLine(t, doctorIn(t, upgraded, sitePath), "database schema"); !strings.HasPrefix(line, "warn") || !strings.Contains(line, "from an older JupyterHub than 5.2") {
		t.Errorf("doctor on Debian 13 with the 3.0 database says\n%s\nwant a warning that the hub upgrades it", line)
	}

	// The control: the same config without upgrade_db, as hubgen rendered it before.
	rendered := readFile(t, config)
	if !strings.Contains(rendered, upgradeDBLine) {
		t.Fatalf("the rendered config lacks %q", upgradeDBLine)
	}
	control := filepath.Join(dir, "control_config.py")
	writeFile(t, control, []byte(strings.Replace(rendered, upgradeDBLine, "", 1)), 0o644)
	// Its output goes to a file, not a pipe: a hub that does not stop would leave its proxy
	// holding a pipe open, and the test waiting on it.
	controlLog := filepath.Join(dir, "jupyterhub-control.log")
	hub = startProcess(t, upgraded, "jupyterhub (control)", controlLog, state, hubEnv(), jupyterhubProgram, "-f", control)
	select {
	case <-hub.done:
	case <-time.After(2 * time.Minute):
		hub.stop(t, syscall.SIGTERM, 20*time.Second)
		t.Fatalf("JupyterHub 5.2 without upgrade_db on a 3.0 database did not stop within 2 minutes, want it to ask for `jupyterhub upgrade-db`")
	}
	out := readFile(t, controlLog)
	if hub.err == nil || !strings.Contains(out, "upgrade-db") {
		t.Fatalf("JupyterHub 5.2 without upgrade_db on a 3.0 database: %v, want it to stop asking for `jupyterhub upgrade-db`:\n%s", hub.err, out)
	}
	t.Logf("control: JupyterHub 5.2 without upgrade_db: %v: %s", hub.err, lastLines(out, 4))
	if got := schemaRevision(t, database); got != schemaJupyterHub30 {
		t.Fatalf("the control changed the schema to %q", got)
	}

	// The rendered config: Debian 13's hub upgrades the database and serves.
	before := readFile(t, database)
	startHub(t, upgraded, config, state, dir, health)
	if got := schemaRevision(t, database); got != schemaJupyterHub52 {
		t.Errorf("after JupyterHub 5.2 started: schema %q, want %s", got, schemaJupyterHub52)
	}
	backups, _ := filepath.Glob(database + ".*")
	if len(backups) != 1 || readFile(t, backups[0]) != before {
		t.Errorf("copies of the database beside it: %v, want one, JupyterHub's copy of the 3.0 database", backups)
	}
	if line := doctorLine(t, doctorIn(t, upgraded, sitePath), "database schema"); !strings.HasPrefix(line, "ok") {
		t.Errorf("doctor on Debian 13 after the upgrade says\n%s\nwant ok", line)
	}
}

// stackNamed is one stack, for a test that needs that one; it skips or fails the test as
// forEachStack does when the stack cannot run.
func stackNamed(t *testing.T, name string) *stack {
	t.Helper()
	for _, st := range allStacks {
		if st.Name == name {
			st.require(t)
			return st
		}
	}
	t.Fatalf("no %s stack: setUpStacks did not run", name)
	return nil
}

// keepLog moves the hub's log aside, so that the next hub's log does not replace it.
func keepLog(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.Rename(filepath.Join(dir, "jupyterhub.log"), filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// schemaRevision reads the alembic revision of a JupyterHub database with Debian's Python, whose
// sqlite3 module the test machine has (Go's standard library reads no SQLite).
func schemaRevision(t *testing.T, database string) string {
	t.Helper()
	out := mustRun(t, 30*time.Second, "", nil, "/usr/bin/python3", "-c",
		`import sqlite3, sys; print(",".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT version_num FROM alembic_version")))`, database)
	return strings.TrimSpace(out)
}

// lastLines is the end of a program's output, for a log line.
func lastLines(out string, n int) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
