// Package doctor checks a server before its hub starts: the certificate and key, the secret files,
// the programs the hub runs, its users and state directory, and nginx's opinion of the rendered
// config. Each check is a small function of the site and a System, which holds everything that
// touches the machine, so that a test can make each check fail.
package doctor

import (
	"context"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/schema"
)

// Status is a check's verdict.
type Status int

const (
	Pass Status = iota
	Warn        // works now, needs attention soon
	Fail
	Skip // could not be checked, because of another check's failure or a missing program
)

func (s Status) String() string {
	return [...]string{"ok", "warn", "FAIL", "skip"}[s]
}

// Result is one check's outcome.
type Result struct {
	Name   string // what was checked, "certificate expiry"
	Status Status
	Detail string // what was found; never a secret's value
	Fix    string // for a failure or warning, the shell command that fixes it; may be empty
}

// System is what the checks read from the machine.
type System struct {
	// Root is joined to every path of the site, as `hubgen secrets --root` does; "" for none.
	Root string
	// Site is how fix commands name the site file, usually the path as it was typed.
	Site string
	Now  func() time.Time
	// LookupUser tells whether a system user exists; an error is a failure to look.
	LookupUser func(name string) (bool, error)
	// Nginx is the nginx program, "" when nginx is not installed.
	Nginx string
	// NginxTest runs `nginx -t` on the config file at conf and returns its output.
	NginxTest func(nginx, conf string) ([]byte, error)
	// PyImport imports module with the python program, as the hub's unit would run it.
	PyImport func(python, module string) error
	// ImportOAuthenticator has the Python at python import oauthenticator and returns its version.
	ImportOAuthenticator func(python string) (string, error)
	// NginxVersion runs `nginx -v` and returns its output.
	NginxVersion func(nginx string) ([]byte, error)
	// FindProgram returns where a program is installed on this machine (Debian's
	// /usr/bin/jupyterhub-singleuser, apt-get), "" when nowhere: fix lines name only programs
	// that exist.
	FindProgram func(name string) string
	// ReadHubSchema has the hub's python read the installed JupyterHub's schema revisions and the
	// revision of the database file, without writing it.
	ReadHubSchema func(python, database string) (HubSchema, error)
	// LookupHost resolves a host name to its addresses; nil: no resolver to ask.
	LookupHost func(host string) ([]string, error)
}

// FindProgram looks for an installed program as an administrator's shell would, then in the
// directories Debian and pip install programs to, which sudo's and cron's PATH may lack.
func FindProgram(name string) string {
	if p, err := exec.LookPath(name); err == nil && filepath.IsAbs(p) {
		return p
	}
	for _, dir := range []string{"/usr/bin", "/usr/local/bin", "/usr/sbin"} {
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// Local is the System of this machine, with root joined to the site's paths.
func Local(root, site string) System {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		// Administrators' PATH has /usr/sbin; sudo and cron may not.
		if _, serr := exec.LookPath("/usr/sbin/nginx"); serr == nil {
			nginx = "/usr/sbin/nginx"
		}
	}
	return System{
		Root:                 root,
		Site:                 site,
		Now:                  time.Now,
		LookupUser:           lookupUser,
		Nginx:                nginx,
		NginxTest:            runNginxTest,
		PyImport:             importPython,
		ImportOAuthenticator: importOAuthenticator,
		NginxVersion:         runNginxVersion,
		FindProgram:          FindProgram,
		ReadHubSchema:        runReadHubSchema,
		LookupHost:           lookupHost,
	}
}

// lookupHost asks the system's resolver, for at most a few seconds.
func lookupHost(host string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return net.DefaultResolver.LookupHost(ctx, host)
}

func lookupUser(name string) (bool, error) {
	_, err := user.Lookup(name)
	if _, unknown := err.(user.UnknownUserError); unknown {
		return false, nil
	}
	return err == nil, err
}

// check is one check: a function of the site and the machine.
type check func(*schema.Site, System, *facts) Result

// facts carries what one check learned to the checks after it, so the certificate is parsed once.
type facts struct {
	cert *certificate // nil when it did not load
}

// A Check is one of doctor's checks: the name its result carries, what it looks at (for `hubgen
// doctor`'s help and man page, which list every check from here), and whether it applies to the
// OAuth login types only.
type Check struct {
	Name      string
	Doc       string
	OAuthOnly bool // a PAM site's run leaves it out
	run       check
}

// Checks run in this order: the certificate before what depends on it.
var Checks = []Check{
	{Name: "certificate", Doc: "tls.cert exists and parses", run: checkCertificate},
	{Name: "private key", Doc: "tls.key exists, parses and belongs to the certificate", run: checkKey},
	{Name: "private key mode", Doc: "group and others cannot read tls.key", run: checkKeyMode},
	{Name: "certificate domain", Doc: "the certificate covers domain", run: checkCertificateDomain},
	{Name: "certificate expiry", Doc: "not expired; a warning under 14 days left", run: checkCertificateExpiry},
	{Name: "certificate renewal", Doc: "for certbot's certificates: renewal/NAME.conf renews through nginx's nginx.acme_webroot (not standalone, which needs nginx's port), and a deploy hook reloads nginx", run: checkRenewal},
	{Name: "user subdomains", Doc: "with hub.user_subdomains: the certificate covers domain and *.domain; without: a warning that a student's server can act as whoever opens its links", run: checkSubdomainCertificate},
	{Name: "user subdomains DNS", Doc: "with hub.user_subdomains: a random name under domain resolves (a warning: DNS may differ inside a campus)", run: checkSubdomainDNS},
	{Name: "cookie secret", Doc: "exists, mode 0600, 64 hex digits", run: checkCookieSecret},
	{Name: "proxy auth token", Doc: "exists, mode 0600, 64 hex digits", run: checkProxyToken},
	{Name: "dhparam", Doc: "when tls.dhparam is set: exists, mode 0600, a DH group of 2048 bits or more", run: checkDHParams},
	{Name: "spawner.cmd", Doc: "the program exists and is executable", run: checkSpawner},
	{Name: "hub.executable", Doc: "the jupyterhub program exists and is executable", run: checkHubExecutable},
	{Name: "hub python", Doc: `the hub's Python imports jupyterhub_idle_culler (culler on), systemdspawner (spawner.kind = "systemd") and ltiauthenticator (auth.type = "lti13")`, run: checkHubPython},
	{Name: "users", Doc: "every admin and allowed user has a system account (PAM needs one)", run: checkUsers},
	{Name: "state_dir", Doc: "hub.state_dir is a directory", run: checkStateDir},
	{Name: "database schema", Doc: "the database's alembic revision is the installed JupyterHub's, or an older one that the hub upgrades at start (never one from a newer JupyterHub)", run: checkDatabase},
	{Name: "nginx version", Doc: "when nginx is installed, `nginx -v` takes the HTTP/2 form nginx.version renders", run: checkNginxVersion},
	{Name: "nginx -t", Doc: "when nginx is installed, it accepts the nginx.conf render would write", run: checkNginx},
	{Name: "oauthenticator", Doc: "oidc, github: the hub's Python imports oauthenticator", OAuthOnly: true, run: checkOAuthenticator},
	{Name: "oauth client secret", Doc: "oidc, github: auth.client_secret_file exists, is the hub's alone (0600) and is not empty", OAuthOnly: true, run: checkClientSecret},
	{Name: "oauth callback URL", Doc: "oidc, github: the URL to register with the identity provider; lti13: the URLs to register with the platform (its result is named lti 1.3 URLs)", OAuthOnly: true, run: checkCallbackURL},
	{Name: "useradd", Doc: "oidc, github, lti13: useradd is on the unit's PATH, for the hub to make each user's account", OAuthOnly: true, run: checkAccountTool},
}

// Run runs every check on site, in a fixed order.
func Run(site *schema.Site, sys System) []Result {
	var f facts
	results := make([]Result, 0, len(Checks))
	for _, c := range Checks {
		// A check that does not apply to this site (the OAuth ones on a PAM site) says nothing.
		if r := c.run(site, sys, &f); r != (Result{}) {
			results = append(results, r)
		}
	}
	return results
}

// path is where a path of the site is on this System.
func (sys System) path(p string) string {
	if sys.Root == "" {
		return p
	}
	return filepath.Join(sys.Root, p)
}

// program is where a program the site names (spawner.cmd, hub.executable, the hub's Python) is
// on this System. --root is for a tree of the files hubgen makes (secrets, rendered files) or a
// whole system's root: a program is looked for under it first, and then on this machine, where
// `doctor --root STAGING` finds the programs installed.
func (sys System) program(p string) string {
	if sys.Root == "" {
		return p
	}
	under := filepath.Join(sys.Root, p)
	if _, err := os.Lstat(under); err != nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return under
}

// hubgen is a hubgen command line for a fix, with --root when doctor was given one.
func (sys System) hubgen(command string, args ...string) string {
	words := append([]string{"hubgen", command, shell.Quote(sys.Site)}, args...)
	if sys.Root != "" && sys.Root != "/" {
		words = append(words, "--root", shell.Quote(sys.Root))
	}
	return strings.Join(words, " ")
}
