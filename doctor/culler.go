package doctor

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/schema"
)

// pythonImportTimeout bounds one `python -c "import X"`; an import takes well under a second.
const pythonImportTimeout = 30 * time.Second

// pythonModule is a module the rendered config makes the hub import, and the distribution that
// provides it.
type pythonModule struct {
	Module, Package string
	// Debian packages its dependencies as these, so that pip, told --no-deps, replaces none of
	// the system's own.
	DebianDeps []string
}

var (
	cullerModule = pythonModule{"jupyterhub_idle_culler", "jupyterhub-idle-culler",
		[]string{"python3-dateutil", "python3-packaging", "python3-tornado", "python3-traitlets"}}
	systemdSpawnerModule = pythonModule{"systemdspawner", "jupyterhub-systemdspawner", nil}
	// oauthenticator 17's dependencies, as Debian packages them.
	oauthenticatorModule = pythonModule{"oauthenticator", "oauthenticator",
		[]string{"python3-jwt", "python3-ruamel.yaml", "python3-jsonschema", "python3-requests"}}
	// ltiauthenticator 1.6's dependencies, as Debian packages them.
	ltiAuthenticatorModule = pythonModule{"ltiauthenticator", "jupyterhub-ltiauthenticator",
		[]string{"python3-jwt", "python3-cryptography", "python3-oauthlib", "python3-escapism", "python3-cachetools"}}
)

// checkHubPython: the culler runs as `sys.executable -m jupyterhub_idle_culler` and SystemdSpawner
// is imported by the hub, so both must import in the hub's own Python. A hub that cannot start
// its culler service stops at start.
func checkHubPython(site *schema.Site, sys System, _ *facts) Result {
	r := Result{Name: "hub python"}
	var needed []pythonModule
	if site.Culler.Enabled {
		needed = append(needed, cullerModule)
	}
	if site.Spawner.Kind == schema.SpawnerSystemd {
		needed = append(needed, systemdSpawnerModule)
	}
	if site.Auth.Type == schema.AuthLTI13 {
		needed = append(needed, ltiAuthenticatorModule)
	}
	if len(needed) == 0 {
		r.Status = Skip
		r.Detail = "culler.enabled is false, spawner.kind is local and auth.type is not lti13: the config imports no module beyond JupyterHub"
		return r
	}
	sitePython := hubPython(sys, site.Hub.Executable)
	python := sys.program(sitePython)
	if _, err := os.Stat(python); err != nil {
		// A pip line for a Python that is not there would fail too; the hub's program is the fix.
		return fail(r, fmt.Sprintf("the hub's Python %s: %v (it is the Python of hub.executable %s: fix that first)", python, describeError(err), sys.program(site.Hub.Executable)), "")
	}
	var missing []pythonModule
	var names []string
	for _, m := range needed {
		names = append(names, m.Module)
		if err := sys.PyImport(python, m.Module); err != nil {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		r.Detail = fmt.Sprintf("%s imports %s", python, strings.Join(names, ", "))
		return r
	}
	var what []string
	for _, m := range missing {
		what = append(what, m.Module)
	}
	return fail(r, fmt.Sprintf("%s cannot import %s (the hub runs the culler and imports the spawner and authenticator with this Python)", python, strings.Join(what, ", ")),
		installLine(python, strings.HasPrefix(sitePython, "/usr/bin/"), missing))
}

// hubPython is the Python that runs the jupyterhub program: the interpreter of its "#!" line
// (pip and conda write their environment's Python there), or python3 beside it, which is also
// what "#!/usr/bin/env python3" finds first on the unit's PATH (conda and venvs put both in one
// bin directory).
func hubPython(sys System, executable string) string {
	beside := filepath.Join(filepath.Dir(executable), "python3")
	f, err := os.Open(sys.program(executable))
	if err != nil {
		return beside
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if !strings.HasPrefix(line, "#!") || len(fields) == 0 || !filepath.IsAbs(fields[0]) || !strings.HasPrefix(filepath.Base(fields[0]), "python") {
		return beside
	}
	return fields[0]
}

// installLine is the command that installs the missing modules into python. Debian's own Python
// refuses pip (PEP 668) and Debian packages neither module: pip then installs into /usr/local
// alone, with --no-deps, after apt has installed the dependencies, so no file of a Debian package
// is replaced. Any other Python (conda, a venv) is the administrator's own, where pip is the way.
func installLine(python string, debian bool, missing []pythonModule) string {
	var pkgs, debs []string
	for _, m := range missing {
		pkgs = append(pkgs, m.Package)
		debs = append(debs, m.DebianDeps...)
	}
	if !debian {
		return shell.Quote(python) + " -m pip install " + strings.Join(pkgs, " ")
	}
	debs = append([]string{"python3-pip"}, debs...)
	return "apt-get install " + strings.Join(debs, " ") + " && " +
		shell.Quote(python) + " -m pip install --break-system-packages --no-deps " + strings.Join(pkgs, " ")
}

// importPython runs `python -c "import module"` in the environment the systemd unit gives the
// hub: no PYTHONPATH from the shell doctor runs in, which the hub would not have.
func importPython(python, module string) error {
	ctx, cancel := context.WithTimeout(context.Background(), pythonImportTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", "import "+module)
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s -c 'import %s': %v: %s", python, module, err, strings.TrimSpace(string(out)))
	}
	return nil
}
