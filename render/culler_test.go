package render

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/internal/testsys"
	"github.com/hubgen/hubgen/schema"
)

// debianPython is the Python that runs Debian's JupyterHub, with the traitlets its config needs.
const debianPython = "/usr/bin/python3"

// loadedConfig runs a rendered jupyterhub_config.py the way JupyterHub does (exec with
// get_config returning a traitlets Config) and returns what it configured for culling and limits.
const loadedConfig = `
import json, sys
from traitlets.config import Config
c = Config()
path = sys.argv[1]
exec(compile(open(path).read(), path, "exec"), {"get_config": lambda: c, "__file__": path})
def spawner_class(v):
    # A class the config defines (the local spawner's boot queue) stands for the library class
    # it extends.
    if isinstance(v, str):
        return v
    k = next(k for k in v.__mro__ if k.__module__.startswith(("jupyterhub.", "systemdspawner")))
    return k.__module__ + "." + k.__name__
def plain(v):
    # An unset list the config appended to is a LazyConfigValue until a trait applies it.
    return v.get_value([]) if hasattr(v, "get_value") else v
hub = c.JupyterHub
print(json.dumps({
    "services": plain(hub.services) if "services" in hub else None,
    "load_roles": plain(hub.load_roles) if "load_roles" in hub else None,
    "spawner_args": plain(c.Spawner.args) if "args" in c.Spawner else None,
    "spawner_class": spawner_class(hub.spawner_class) if "spawner_class" in hub else None,
    "systemd": dict(c.SystemdSpawner),
    "executable": sys.executable,
}))
`

type cullerConfig struct {
	Services []struct {
		Name    string   `json:"name"`
		Command []string `json:"command"`
		Admin   *bool    `json:"admin"`
	} `json:"services"`
	LoadRoles    []loadedRole   `json:"load_roles"`
	SpawnerArgs  []string       `json:"spawner_args"`
	SpawnerClass *string        `json:"spawner_class"`
	Systemd      map[string]any `json:"systemd"`
	Executable   string         `json:"executable"`
}

type loadedRole struct {
	Name     string   `json:"name"`
	Scopes   []string `json:"scopes"`
	Services []string `json:"services"`
}

func loadCullerConfig(t *testing.T, extra string) cullerConfig {
	t.Helper()
	if _, err := os.Stat(debianPython); err != nil {
		testsys.SkipOrFail(t, "this test runs the rendered config in Debian's python3 (apt-get install python3-traitlets): "+err.Error())
	}
	dir := t.TempDir()
	token := filepath.Join(dir, "proxy_auth_token")
	if err := os.WriteFile(token, []byte("0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := `domain = "hub.example.edu"
[tls]
cert = "/etc/ssl/hub.pem"
key = "/etc/ssl/hub.key"
[users]
admin = ["prof"]
[hub]
proxy_auth_token_file = "` + token + `"
` + extra
	if !strings.Contains(extra, "[spawner]") {
		src += "[spawner]\ncmd = \"/usr/bin/jupyterhub-singleuser\"\n"
	}
	site, err := schema.Parse("site.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Files(site)
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "jupyterhub_config.py")
	if err := os.WriteFile(conf, files[JupyterHubConf], 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(debianPython, "-c", loadedConfig, conf).CombinedOutput()
	if err != nil {
		t.Fatalf("python3 runs the rendered config: %v\n%s", err, out)
	}
	var got cullerConfig
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return got
}

// withoutAdminRole leaves out the admin role, which the access block always defines (access.go):
// the culler's role is what these tests look at.
func withoutAdminRole(roles []loadedRole) []loadedRole {
	var out []loadedRole
	for _, r := range roles {
		if r.Name != "admin" {
			out = append(out, r)
		}
	}
	return out
}

// readmeScopes are the scopes jupyterhub-idle-culler's README lists as what it needs.
var readmeScopes = []string{"list:users", "read:users:activity", "read:servers", "delete:servers"}

// TestCullerServiceAsPythonLoadsIt: the rendered config, run by Python, defines the culler as a
// managed service started with the hub's own interpreter, with the site's timings in seconds, and
// a role of exactly the README's scopes (admin:users only when users are culled); no admin flag.
func TestCullerServiceAsPythonLoadsIt(t *testing.T) {
	tests := []struct {
		name, site string
		wantArgs   []string
		wantScopes []string
	}{
		{"defaults", "",
			[]string{"--timeout=3600", "--cull-every=600", "--concurrency=10", "--config="}, readmeScopes},
		{"users and max age", "[culler]\ntimeout = \"90m\"\ninterval = \"1m30s\"\nmax_age = \"2d\"\nusers = true\nconcurrency = 3\n",
			[]string{"--timeout=5400", "--cull-every=90", "--concurrency=3", "--config=", "--max-age=172800", "--cull-users=True"},
			append(append([]string(nil), readmeScopes...), "admin:users")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadCullerConfig(t, tt.site)
			got.LoadRoles = withoutAdminRole(got.LoadRoles)
			if len(got.Services) != 1 || len(got.LoadRoles) != 1 {
				t.Fatalf("services %+v, roles %+v; want one of each", got.Services, got.LoadRoles)
			}
			svc, role := got.Services[0], got.LoadRoles[0]
			if svc.Admin != nil {
				t.Errorf("the service sets admin: %v; it must have only its role", *svc.Admin)
			}
			want := append([]string{got.Executable, "-m", "jupyterhub_idle_culler"}, tt.wantArgs...)
			if diff := cmp.Diff(want, svc.Command); diff != "" {
				t.Errorf("culler command (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantScopes, role.Scopes); diff != "" {
				t.Errorf("culler role scopes (-want +got):\n%s", diff)
			}
			if role.Name != svc.Name || len(role.Services) != 1 || role.Services[0] != svc.Name {
				t.Errorf("role %q is for services %v, want the service %q", role.Name, role.Services, svc.Name)
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		got := loadCullerConfig(t, "[culler]\nenabled = false\n")
		got.LoadRoles = withoutAdminRole(got.LoadRoles)
		// The one argument left is the class start's (classstart.go), not the culler's.
		if got.Services != nil || got.LoadRoles != nil || len(got.SpawnerArgs) != 1 || strings.Contains(got.SpawnerArgs[0], "MappingKernelManager") {
			t.Errorf("culler off, yet services %+v, roles %+v, spawner args %v", got.Services, got.LoadRoles, got.SpawnerArgs)
		}
	})
}

// TestKernelCullingAndLimitsAsPythonLoadsThem: the kernel timeout reaches every server's command
// line in seconds; SystemdSpawner is named by its class path with the site's limits.
func TestKernelCullingAndLimitsAsPythonLoadsThem(t *testing.T) {
	got := loadCullerConfig(t, "[spawner]\ncmd = \"/usr/bin/jupyterhub-singleuser\"\nkind = \"systemd\"\n[culler]\nkernel_timeout = \"45m\"\n[limits]\nmemory = \"1536M\"\ncpu = 0.5\n")
	wantArgs := []string{
		"--MappingKernelManager.cull_idle_timeout=2700",
		"--MappingKernelManager.cull_interval=300",
		"--MappingKernelManager.cull_connected=True",
		"--KernelRestarter.stable_start_time=120",
	}
	if diff := cmp.Diff(wantArgs, got.SpawnerArgs); diff != "" {
		t.Errorf("Spawner.args (-want +got):\n%s", diff)
	}
	if got.SpawnerClass == nil || *got.SpawnerClass != "systemdspawner.SystemdSpawner" {
		t.Errorf("spawner_class = %v, want systemdspawner.SystemdSpawner", got.SpawnerClass)
	}
	if diff := cmp.Diff(map[string]any{"mem_limit": "1536M", "cpu_limit": 0.5}, got.Systemd); diff != "" {
		t.Errorf("SystemdSpawner config (-want +got):\n%s", diff)
	}

	local := loadCullerConfig(t, "")
	if (local.SpawnerClass != nil && *local.SpawnerClass != "jupyterhub.spawner.LocalProcessSpawner") || len(local.Systemd) != 0 {
		t.Errorf("the local spawner, yet spawner_class %v and SystemdSpawner %v", local.SpawnerClass, local.Systemd)
	}
}
