package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
	"github.com/hubgen/hubgen/secrets"
)

func checkCookieSecret(site *schema.Site, sys System, _ *facts) Result {
	return checkSecret(sys, "cookie secret", "hub.cookie_secret_file", site.Hub.CookieSecretFile, secrets.Token)
}

func checkProxyToken(site *schema.Site, sys System, _ *facts) Result {
	return checkSecret(sys, "proxy auth token", "hub.proxy_auth_token_file", site.Hub.ProxyAuthTokenFile, secrets.Token)
}

func checkDHParams(site *schema.Site, sys System, _ *facts) Result {
	if site.TLS.DHParam == "" {
		return Result{Name: "dhparam", Status: Skip, Detail: "tls.dhparam is not set: nginx uses no DHE ciphers"}
	}
	return checkSecret(sys, "dhparam", "tls.dhparam", site.TLS.DHParam, secrets.DHParams)
}

// checkSecret checks one secret file the way `hubgen secrets` does, with the command that fixes
// each kind of problem.
func checkSecret(sys System, name, key, sitePath string, kind secrets.Kind) Result {
	r := Result{Name: name}
	path := sys.path(sitePath)
	desc, err := secrets.Check(path, kind)
	var serr *secrets.Error
	switch {
	case err == nil:
		r.Detail = key + " " + path + ": " + desc
		return r
	case !errors.As(err, &serr):
		return fail(r, key+" "+err.Error(), "")
	}
	return fail(r, key+" "+err.Error(), serr.Fix(sys.hubgen("secrets"), sys.asRoot()))
}

func checkSpawner(site *schema.Site, sys System, _ *facts) Result {
	return checkProgram(site, sys, "spawner.cmd", site.Spawner.Cmd[0])
}

func checkHubExecutable(site *schema.Site, sys System, _ *facts) Result {
	return checkProgram(site, sys, "hub.executable", site.Hub.Executable)
}

// checkProgram checks that program, absolute or looked up in the unit's PATH, is a file root can
// execute: only someone's execute bit lets even root run it.
func checkProgram(site *schema.Site, sys System, key, program string) Result {
	r := Result{Name: key}
	candidates := []string{program}
	if !filepath.IsAbs(program) {
		candidates = candidates[:0]
		for _, dir := range render.UnitPath(site.Hub) {
			candidates = append(candidates, filepath.Join(dir, program))
		}
	}
	for _, c := range candidates {
		// A path the site names is looked for on this machine too (see System.program); a name
		// looked up in the unit's PATH only under the root, whose directories the hub would search.
		path := sys.path(c)
		if filepath.IsAbs(program) {
			path = sys.program(c)
		}
		info, err := os.Stat(path)
		if errors.Is(err, fs.ErrPermission) {
			return fail(r, fmt.Sprintf("%s %s: %v", key, path, describeError(err)), sys.asRoot())
		}
		if err != nil {
			continue
		}
		if !info.Mode().IsRegular() {
			return fail(r, fmt.Sprintf("%s %s: is not a regular file", key, path), "")
		}
		if info.Mode().Perm()&0o111 == 0 {
			return fail(r, fmt.Sprintf("%s %s: is not executable (mode %#o)", key, path, info.Mode().Perm()), "chmod 755 "+shell.Quote(path))
		}
		r.Detail = fmt.Sprintf("%s %s: executable", key, path)
		return r
	}
	where := sys.program(program)
	if !filepath.IsAbs(program) {
		where = fmt.Sprintf("%s in %v", program, render.UnitPath(site.Hub))
	}
	return fail(r, fmt.Sprintf("%s %s: does not exist", key, where), installProgramFix(site, sys, key, program))
}

// installProgramFix is the fix for a missing spawner or hub program, naming only programs that
// exist: the same program installed elsewhere (Debian's /usr/bin/jupyterhub-singleuser, when the
// site names /opt/conda's), else pip of the hub's own Python when that Python is there, else
// Debian's jupyterhub package (which brings jupyterhub and jupyterhub-singleuser).
func installProgramFix(site *schema.Site, sys System, key, program string) string {
	name := filepath.Base(program)
	if sys.FindProgram != nil {
		if found := sys.FindProgram(name); found != "" && found != program {
			return fmt.Sprintf("# %s is installed at %s: set %s = %s in %s, then: hubgen render %s -o %s",
				name, found, key, tomlQuote(found), shell.Quote(sys.Site), shell.Quote(sys.Site), shell.Quote(filepath.Join(rootOr(sys.Root), "etc")))
		}
	}
	python := filepath.Join(filepath.Dir(sys.program(site.Hub.Executable)), "python3")
	if _, err := os.Stat(python); err == nil {
		// jupyterhub-singleuser comes with the jupyterhub package, and the notebook server with
		// jupyterlab; both belong in the environment of the hub's own Python.
		return shell.Quote(python) + " -m pip install jupyterhub jupyterlab"
	}
	if sys.FindProgram != nil && sys.FindProgram("apt-get") != "" {
		return "apt-get install jupyterhub   # Debian's: /usr/bin/jupyterhub and /usr/bin/jupyterhub-singleuser; then set " + key + " in " + shell.Quote(sys.Site) + " to it"
	}
	return "# install JupyterHub (jupyterhub-singleuser comes with it), then set " + key + " in " + shell.Quote(sys.Site) + " to where it is"
}

// tomlQuote writes a path as a TOML string; paths hubgen accepts hold no quote or backslash.
func tomlQuote(p string) string { return strconv.Quote(p) }

func checkStateDir(site *schema.Site, sys System, _ *facts) Result {
	r := Result{Name: "state_dir"}
	path := sys.path(site.Hub.StateDir)
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// mkdir -p leaves a directory that appeared meanwhile as it is; install -d would re-mode it.
		return fail(r, fmt.Sprintf("hub.state_dir %s: %v (the hub runs in it and keeps its database there)", path, describeError(err)),
			"mkdir -p -m 0700 "+shell.Quote(path))
	case err != nil:
		return fail(r, fmt.Sprintf("hub.state_dir %s: %v", path, describeError(err)), unreadableFix(err, site, sys, ""))
	case !info.IsDir():
		return fail(r, fmt.Sprintf("hub.state_dir %s: is not a directory", path), "")
	}
	r.Detail = fmt.Sprintf("hub.state_dir %s: a directory", path)
	return r
}
