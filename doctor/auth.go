package doctor

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/schema"
)

// The checks of this file apply to the OAuth login types (auth.type "oidc" and "github") and
// return Result{} for PAM, which Run leaves out.

// importOAuthenticator runs the hub's Python and returns oauthenticator's version, or why it
// could not import the classes the config names.
func importOAuthenticator(python string) (string, error) {
	cmd := exec.Command(python, "-c", "import oauthenticator.generic, oauthenticator.github, oauthenticator; print(oauthenticator.__version__)")
	// The unit sets no PYTHONPATH: what the hub imports is what this Python finds on its own.
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		return "", err
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return "", fmt.Errorf("%v: %s", err, lastLine(errOut.String()))
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return "", fmt.Errorf("no answer within 30 s")
	}
	return strings.TrimSpace(out.String()), nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// checkOAuthenticator: the config names oauthenticator's classes, which the hub's own Python must
// import; Debian ships no oauthenticator.
func checkOAuthenticator(site *schema.Site, sys System, _ *facts) Result {
	if !site.Auth.OAuth() {
		return Result{}
	}
	r := Result{Name: "oauthenticator"}
	if sys.ImportOAuthenticator == nil {
		r.Status, r.Detail = Skip, "cannot run the hub's Python here"
		return r
	}
	python := hubPython(sys, site.Hub.Executable)
	version, err := sys.ImportOAuthenticator(python)
	if err != nil {
		detail := fmt.Sprintf("%s cannot import oauthenticator (auth.type = %q needs it): %v", python, site.Auth.Type, err)
		// The same install line as for the culler: on Debian's own Python, apt for what Debian
		// packages and pip --no-deps for oauthenticator alone, so no Debian file is replaced.
		return fail(r, detail, installLine(python, strings.HasPrefix(python, "/usr/bin/"), []pythonModule{oauthenticatorModule}))
	}
	r.Detail = fmt.Sprintf("%s imports oauthenticator %s", python, version)
	return r
}

// checkClientSecret: the hub reads the OAuth client secret from its file at start and stops
// without it; the file must be the hub's alone. The secret's value is never read into a message.
func checkClientSecret(site *schema.Site, sys System, _ *facts) Result {
	if !site.Auth.OAuth() {
		return Result{}
	}
	r := Result{Name: "oauth client secret"}
	path := sys.path(site.Auth.ClientSecretFile)
	q := shell.Quote(path)
	info, err := os.Stat(path)
	switch {
	case os.IsNotExist(err):
		// touch creates the file empty without replacing one, and the umask keeps it 0600.
		return fail(r, fmt.Sprintf("auth.client_secret_file %s: does not exist (put the client secret the provider gave you in it)", path),
			"(umask 077 && touch "+q+") && editor "+q)
	case err != nil:
		return fail(r, fmt.Sprintf("auth.client_secret_file %s: %s", path, describeError(err)), "")
	case !info.Mode().IsRegular():
		return fail(r, fmt.Sprintf("auth.client_secret_file %s: is not a regular file", path), "")
	case info.Mode().Perm()&0o077 != 0:
		return fail(r, fmt.Sprintf("auth.client_secret_file %s: mode %#o lets other users read the client secret (want 0600)", path, info.Mode().Perm()),
			"chmod 600 "+q)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fail(r, fmt.Sprintf("auth.client_secret_file %s: %s", path, describeError(err)), "")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fail(r, fmt.Sprintf("auth.client_secret_file %s: is empty (the hub would not start)", path), "editor "+q)
	}
	r.Detail = fmt.Sprintf("auth.client_secret_file %s: mode 0600, not empty", path)
	return r
}

// checkCallbackURL prints the URL to register with the identity provider: a provider refuses to
// send people back anywhere else.
func checkCallbackURL(site *schema.Site, sys System, _ *facts) Result {
	if site.Auth.Type == schema.AuthLTI13 {
		u := site.LTI13URLs()
		return Result{Name: "lti 1.3 URLs", Detail: "register with the platform: OpenID Connect login initiation URL " + u.LoginInitiation +
			", redirect (launch) URL " + u.Redirect + ", target link URI " + u.TargetLink + " (the tool's configuration JSON is at " + u.Config + ")"}
	}
	if !site.Auth.OAuth() {
		return Result{}
	}
	return Result{Name: "oauth callback URL", Detail: "register " + site.OAuthCallbackURL() + " with the identity provider as this hub's redirect (callback) URL"}
}

// checkAccountTool: with OAuth the hub makes each user's system account itself, with useradd
// from the unit's PATH.
func checkAccountTool(site *schema.Site, sys System, _ *facts) Result {
	if !site.Auth.HubMakesAccounts() {
		return Result{}
	}
	r := checkProgram(site, sys, "useradd", "useradd")
	r.Name = "useradd"
	if r.Status == Fail {
		r.Detail += " (the hub makes each listed user's missing account with it when it starts)"
		r.Fix = "apt-get install passwd"
	}
	return r
}
