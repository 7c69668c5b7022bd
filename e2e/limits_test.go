package e2e

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// spawnerLimits has the hub's Python load a rendered config the way JupyterHub does, make the
// spawner class it names, and print what that spawner's traits hold: JupyterHub's own
// ByteSpecification and Float turn the site's "1536M" and 0.5 into numbers.
const spawnerLimits = `
import json, sys
from types import SimpleNamespace
from traitlets import import_item
from traitlets.config.loader import PyFileConfigLoader
config = PyFileConfigLoader("jupyterhub_config.py", sys.argv[1]).load_config()
# The hub makes a spawner for a user; the real SystemdSpawner names its unit after them at once.
user = SimpleNamespace(name="e2estudent", id=1)
spawner = import_item(config.JupyterHub.spawner_class)(config=config, user=user)
print(json.dumps({"class": config.JupyterHub.spawner_class, "mem_limit": spawner.mem_limit,
                  "cpu_limit": spawner.cpu_limit, "args": spawner.args}))
`

// TestSystemdSpawnerLimitsLoad: with spawner.kind = "systemd", JupyterHub starts up on the
// rendered config (--show-config-json runs its whole initialisation, which imports the spawner
// class) and the spawner it makes holds the site's limits. It loads the real SystemdSpawner from
// the third-party cache (testPythonPath); only when the cache lacks it does testdata/python's
// stand-in, with JupyterHub's own traits, take its place, so this test still runs. Nothing here
// spawns: systemd_test.go runs the real SystemdSpawner under systemd. On every stack: JupyterHub
// 3.0's and 5.2's traits both have to take the values.
func TestSystemdSpawnerLimitsLoad(t *testing.T) {
	forEachStack(t, checkSystemdSpawnerLimits)
}

func checkSystemdSpawnerLimits(t *testing.T, st *stack) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	// With accounts: JupyterHub 5 stops at start when the admin role names a user PAM does not
	// know (see addExampleAdmins).
	params := hubOnlySite(t, dir, []string{addSystemUser(t, st, "p").Name}, []string{addSystemUser(t, st, "k").Name})
	site := params.document()
	table(site, "spawner")["kind"] = "systemd"
	table(site, "culler")["kernel_timeout"] = "10m"
	table(site, "limits")["memory"] = "1536M"
	table(site, "limits")["cpu"] = 0.5
	_, root := renderHubSite(t, dir, state, site)
	configDir := filepath.Join(root, "jupyterhub")
	env := hubEnv()

	shown := st.run(t, 60*time.Second, state, env, jupyterhubProgram, "-f", filepath.Join(configDir, "jupyterhub_config.py"), "--show-config-json")
	if !strings.Contains(shown, `"spawner_class": "systemdspawner.SystemdSpawner"`) {
		t.Errorf("JupyterHub loaded no spawner_class systemdspawner.SystemdSpawner:\n%s", shown)
	}

	out := st.run(t, 60*time.Second, state, env, "/usr/bin/python3", "-c", spawnerLimits, configDir)
	var got struct {
		Class    string   `json:"class"`
		MemLimit int64    `json:"mem_limit"`
		CPULimit float64  `json:"cpu_limit"`
		Args     []string `json:"args"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Class != "systemdspawner.SystemdSpawner" || got.MemLimit != 1536<<20 || got.CPULimit != 0.5 {
		t.Errorf("spawner %s with mem_limit %d, cpu_limit %v; want systemdspawner.SystemdSpawner, %d bytes, 0.5 CPU", got.Class, got.MemLimit, got.CPULimit, 1536<<20)
	}
	if !slices.Contains(got.Args, "--MappingKernelManager.cull_idle_timeout=600") {
		t.Errorf("the spawner's args %v lack the kernel timeout: SystemdSpawner passes Spawner.args on too", got.Args)
	}
}
