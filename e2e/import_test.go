package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
