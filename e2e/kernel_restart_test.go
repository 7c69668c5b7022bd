package e2e

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// kernelRestartScript loads a rendered jupyterhub_config.py with traitlets' loader, as `jupyterhub
// -f` does, gives the notebook server's arguments it sets (Spawner.args) to a real jupyter_client
// KernelManager as a server would take them, starts a real kernel, and restarts it as
// KernelRestarter does when the kernel died before it was up (newports=True). It prints the
// kernel's ports before and after, as JSON.
const kernelRestartScript = `
import json, os, sys

import jupyter_client
from jupyter_client.manager import KernelManager
from traitlets.config.loader import KVArgParseConfigLoader, PyFileConfigLoader

path = sys.argv[1]
hub = PyFileConfigLoader(os.path.basename(path), os.path.dirname(path)).load_config()
spawner_args = hub.Spawner.args  # appended to, so a LazyConfigValue until a Spawner takes it
if hasattr(spawner_args, "get_value"):
    spawner_args = spawner_args.get_value([])
args = [a for a in spawner_args if a.startswith("--KernelManager.")]
km = KernelManager(config=KVArgParseConfigLoader(argv=args).load_config())
names = ("shell_port", "iopub_port", "stdin_port", "hb_port", "control_port")
km.start_kernel()
try:
    before = [km.get_connection_info()[n] for n in names]
    km.restart_kernel(now=True, newports=True)
    after = [km.get_connection_info()[n] for n in names]
finally:
    km.shutdown_kernel(now=True)
configurable = "cache_ports" in KernelManager.class_trait_names(config=True)
print(json.dumps({"version": jupyter_client.__version__, "args": args, "configurable": configurable, "before": before, "after": after}))
`

// TestKernelRestartNewPorts: a kernel that dies before it is up (its port bound by another
// student's kernel first, as in TestClassStorm: "Address already in use", six times, then
// "KernelRestarter: restart failed" and a dead kernel) is restarted on new ports, where the
// notebook server's jupyter_client allows it. jupyter_client caches the ports it hands out and,
// while it does, restarts every kernel on the ports it first had; the rendered config turns the
// cache off where jupyter_client 8 makes that a setting. Debian 12's 7.4.9 has no such setting:
// there the test checks that restarts keep the ports, as the stack says (KernelRestartKeepsPorts).
func TestKernelRestartNewPorts(t *testing.T) {
	forEachStack(t, func(t *testing.T, st *stack) {
		dir := t.TempDir()
		site := hubOnlySite(t, dir, []string{"prof"}, []string{"student"}).document()
		_, root := renderHubSite(t, dir, filepath.Join(dir, "state"), site)
		config := filepath.Join(root, "jupyterhub", "jupyterhub_config.py")
		// A runtime directory of the test's own for the kernel's connection file.
		env := append(hubEnv(), "JUPYTER_RUNTIME_DIR="+filepath.Join(dir, "runtime"))
		out := st.run(t, 2*time.Minute, dir, env, hubPythonOf(st), "-c", kernelRestartScript, config)
		var got struct {
			Version       string
			Args          []string
			Configurable  bool
			Before, After []int
		}
		if err := json.Unmarshal([]byte(lastLines(out, 1)), &got); err != nil {
			t.Fatalf("%v in the script's output:\n%s", err, out)
		}
		kept := slices.Equal(got.Before, got.After) // new ports are random: all five come again only when kept
		if st.KernelRestartKeepsPorts {
			// What the stack says of itself, which the storm relies on: check it still holds.
			if got.Configurable || !kept {
				t.Fatalf("jupyter_client %s on %s: cache_ports a setting: %v, restart kept the ports: %v; the stack's KernelRestartKeepsPorts says it cannot take new ones", got.Version, st.Name, got.Configurable, kept)
			}
			t.Logf("jupyter_client %s: no setting to stop caching ports; a restart keeps %v", got.Version, got.Before)
			return
		}
		if kept {
			t.Errorf("jupyter_client %s with the rendered server arguments %q: a restart before the kernel was up kept its ports %v; a port another kernel took stays taken", got.Version, got.Args, got.Before)
		}
	})
}
