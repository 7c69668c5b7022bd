package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/internal/thirdparty"
)

// TestImportedSitesRun takes the site files `hubgen import` made from hand-written deployments
// (the golden outputs of cmd/hubgen's import tests: four shapes people run and the blog's part 5)
// and proves them on the real programs, as TestExamples does the examples: rendered with the
// machine paths moved into a temporary directory, nginx -t accepts the nginx.conf and JupyterHub
// loads the config with the imported site's values.
func TestImportedSitesRun(t *testing.T) {
	goldens, err := filepath.Glob("../cmd/hubgen/testdata/import/*/want.txt")
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no import golden files (%v)", err)
	}
	goldens = append(goldens, "../cmd/hubgen/testdata/import/seed-blog-part5.txt")
	sites := map[string]string{}
	for _, g := range goldens {
		data, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		_, site, ok := strings.Cut(string(data), "-- site.toml --\n")
		if !ok {
			t.Fatalf("%s has no site file", g)
		}
		name := filepath.Base(filepath.Dir(g))
		if strings.HasSuffix(g, "seed-blog-part5.txt") {
			name = "seed-blog-part5"
		}
		path := filepath.Join(t.TempDir(), name+".toml")
		writeFile(t, path, []byte(site), 0o644)
		sites[name] = path
	}
	forEachStack(t, func(t *testing.T, st *stack) {
		nginxVersion := st.nginxVersion(t)
		var paths []string
		for _, p := range sites {
			paths = append(paths, p)
		}
		addExampleAdmins(t, st, paths)
		for name, path := range sites {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				e := rewriteExample(t, path, dir, nginxVersion)
				site, secret := prepareOAuthExample(t, st, e.Path, dir)
				root := filepath.Join(dir, "root")
				runHubgen(t, "render", e.Path, "-o", root)
				checkNginxConfig(t, st, filepath.Join(root, "nginx", "nginx.conf"), dir)
				got := showConfig(t, st, filepath.Join(root, "jupyterhub", "jupyterhub_config.py"), dir)
				if diff := cmp.Diff(e.Want, got); diff != "" {
					t.Errorf("%s: JupyterHub %s loaded other values than the imported site's (-want +got):\n%s", st.Name, st.JupyterHub, diff)
				}
				if secret != "" {
					checkOAuthConfig(t, st, site, filepath.Join(root, "jupyterhub", "jupyterhub_config.py"), dir, secret)
				}
			})
		}
	})
}

// TestImportRoundTripOnStacks: on each stack, the loader `hubgen import --print-loader` prints runs
// with that stack's JupyterHub and Python (3.0 on 3.11, 5.2 on 3.13) on every example's rendered
// config, and the site file import makes from its output renders to the same bytes.
func TestImportRoundTripOnStacks(t *testing.T) {
	examples, err := filepath.Glob("../examples/*.toml")
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples (%v)", err)
	}
	forEachStack(t, func(t *testing.T, st *stack) {
		for _, example := range examples {
			name := strings.TrimSuffix(filepath.Base(example), ".toml")
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				if strings.Contains(string(mustRead(t, example)), `type = "lti13"`) {
					// Its config imports ltiauthenticator: hubEnv's PYTHONPATH has it from the cache.
					thirdparty.Require(t, thirdparty.LTIAuthenticator)
				}
				dir := t.TempDir()
				writeFile(t, filepath.Join(dir, name+".toml"), mustRead(t, example), 0o644)
				// A roster is relative to the site file: it moves with it.
				if err := os.CopyFS(filepath.Join(dir, "rosters"), os.DirFS(filepath.Join(filepath.Dir(example), "rosters"))); err != nil {
					t.Fatal(err)
				}
				old, again := filepath.Join(dir, "old"), filepath.Join(dir, "again")
				runHubgen(t, "render", "-q", filepath.Join(dir, name+".toml"), "-o", old)
				loader := filepath.Join(dir, "loader.py")
				writeFile(t, loader, []byte(runHubgen(t, "import", "--print-loader")), 0o644)
				shown := st.run(t, 60*time.Second, dir, hubEnv(), "/usr/bin/python3", loader, filepath.Join(old, "jupyterhub", "jupyterhub_config.py"))
				if !strings.Contains(shown, `{"jupyterhub": "`+st.JupyterHub+".") {
					t.Fatalf("%s: the loader did not run with JupyterHub %s: %.200s", st.Name, st.JupyterHub, shown)
				}
				configJSON := filepath.Join(dir, "config.json")
				writeFile(t, configJSON, []byte(shown), 0o644)
				site := filepath.Join(dir, "imported", name+".toml")
				os.MkdirAll(filepath.Dir(site), 0o755)
				runHubgen(t, "import", "--nginx", filepath.Join(old, "nginx", "nginx.conf"), "--config-json", configJSON,
					"--unit", filepath.Join(old, "systemd", "system", "jupyterhub.service"), "-o", site)
				runHubgen(t, "render", "-q", site, "-o", again)
				for _, out := range []string{"nginx/nginx.conf", "jupyterhub/jupyterhub_config.py", "systemd/system/jupyterhub.service"} {
					want, got := mustRead(t, filepath.Join(old, out)), mustRead(t, filepath.Join(again, out))
					if diff := cmp.Diff(string(want), string(got)); diff != "" {
						t.Errorf("%s: %s renders differently after import with JupyterHub %s's loader (-old +imported):\n%s", st.Name, out, st.JupyterHub, diff)
					}
				}
			})
		}
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
