package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRootAppliesOnlyUnderIt: with --root, a program the site names by its absolute path is
// looked for under the root and then on this machine, where a staging root's hub would run it:
// a program that is there is not reported missing.
func TestRootAppliesOnlyUnderIt(t *testing.T) {
	f := newFixture(t)
	machine := filepath.Join(t.TempDir(), "bin", "jupyterhub-singleuser") // outside the root
	if err := os.MkdirAll(filepath.Dir(machine), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(machine, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.site.Spawner.Cmd[0] = machine
	r := f.run()["spawner.cmd"]
	if r.Status != Pass || r.Detail != "spawner.cmd "+machine+": executable" {
		t.Errorf("spawner.cmd on this machine, not under --root: %s %q, want ok naming %s", r.Status, r.Detail, machine)
	}
	// Under the root, the root's own program wins.
	f.write(machine, "#!/bin/sh\n", 0o755)
	if r := f.run()["spawner.cmd"]; r.Status != Pass || r.Detail != "spawner.cmd "+f.path(machine)+": executable" {
		t.Errorf("spawner.cmd under --root too: %s %q, want ok naming the root's", r.Status, r.Detail)
	}
}

// TestMissingProgramFixes: the fix for a missing spawner names only programs that exist: the
// same program installed elsewhere (Debian's), else the hub's Python's pip, else apt-get, else a
// comment; a missing hub Python gets no pip line at all.
func TestMissingProgramFixes(t *testing.T) {
	const conda = "/opt/conda/bin/jupyterhub-singleuser"
	for _, tc := range []struct {
		name   string
		found  map[string]string // what FindProgram finds
		python bool              // the hub's python3 exists
		fix    string
	}{
		{"installed elsewhere", map[string]string{"jupyterhub-singleuser": "/usr/bin/jupyterhub-singleuser", "apt-get": "/usr/bin/apt-get"}, true,
			`# jupyterhub-singleuser is installed at /usr/bin/jupyterhub-singleuser: set spawner.cmd = "/usr/bin/jupyterhub-singleuser" in site.toml, then: hubgen render site.toml -o ROOT/etc`},
		{"the hub's pip", map[string]string{"apt-get": "/usr/bin/apt-get"}, true,
			"ROOT/opt/hub/bin/python3 -m pip install jupyterhub jupyterlab"},
		{"Debian's package", map[string]string{"apt-get": "/usr/bin/apt-get"}, false,
			"apt-get install jupyterhub   # Debian's: /usr/bin/jupyterhub and /usr/bin/jupyterhub-singleuser; then set spawner.cmd in site.toml to it"},
		{"nothing", nil, false,
			"# install JupyterHub (jupyterhub-singleuser comes with it), then set spawner.cmd in site.toml to where it is"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.site.Spawner.Cmd[0] = conda
			f.sys.FindProgram = func(name string) string { return tc.found[name] }
			if !tc.python {
				f.remove("/opt/hub/bin/python3")
			}
			r := f.run()["spawner.cmd"]
			if fix := strings.ReplaceAll(r.Fix, f.root, "ROOT"); r.Status != Fail || fix != tc.fix {
				t.Errorf("%s %q\nfix %q\nwant FAIL, fix %q", r.Status, r.Detail, fix, tc.fix)
			}
		})
	}

	f := newFixture(t)
	f.remove("/opt/hub/bin/python3")
	r := f.run()["hub python"]
	if r.Status != Fail || r.Fix != "" || !strings.Contains(r.Detail, "python3: does not exist (it is the Python of hub.executable") {
		t.Errorf("hub python missing: %s %q fix %q; want FAIL naming hub.executable, no fix line", r.Status, r.Detail, r.Fix)
	}
}
