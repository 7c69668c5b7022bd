// Package doctor checks a server before its hub starts: the certificate and key, the secret files,
// the programs the hub runs, its users and state directory, and nginx's opinion of the rendered
// config. Each check is a small function of the site and a System, which holds everything that
// touches the machine, so that a test can make each check fail.
package doctor

import (
	"context"
	"net"
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
	// LookupHost resolves a host name to its addresses; nil: no resolver to ask.
	LookupHost func(host string) ([]string, error)
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

// checks run in this order: the certificate before what depends on it.
var checks = []check{
	checkCertificate,
	checkKey,
	checkKeyMode,
	checkCertificateDomain,
	checkCertificateExpiry,
	checkSubdomainCertificate,
	checkSubdomainDNS,
	checkCookieSecret,
	checkProxyToken,
	checkDHParams,
	checkSpawner,
	checkHubExecutable,
	checkHubPython,
	checkUsers,
	checkStateDir,
	checkNginxVersion,
	checkNginx,
	checkOAuthenticator, checkClientSecret, checkCallbackURL, checkAccountTool, // oauthChecks
}

// Run runs every check on site, in a fixed order.
func Run(site *schema.Site, sys System) []Result {
	var f facts
	results := make([]Result, 0, len(checks))
	for _, c := range checks {
		// A check that does not apply to this site (the OAuth ones on a PAM site) says nothing.
		if r := c(site, sys, &f); r != (Result{}) {
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

// hubgen is a hubgen command line for a fix, with --root when doctor was given one.
func (sys System) hubgen(command string, args ...string) string {
	words := append([]string{"hubgen", command, shell.Quote(sys.Site)}, args...)
	if sys.Root != "" && sys.Root != "/" {
		words = append(words, "--root", shell.Quote(sys.Root))
	}
	return strings.Join(words, " ")
}
