package importer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/internal/golden"
	"github.com/hubgen/hubgen/internal/testsys"
	"github.com/hubgen/hubgen/internal/thirdparty"
	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

// needJupyterHub skips (or, under HUBGEN_E2E=require, fails) where no JupyterHub can load a config.
func needJupyterHub(t *testing.T) {
	t.Helper()
	if _, err := jupyterHubPython("jupyterhub"); err != nil {
		testsys.SkipOrFail(t, "import loads jupyterhub_config.py with JupyterHub's loader: "+err.Error()+" (apt-get install jupyterhub)")
	}
	if _, err := exec.LookPath("jupyterhub"); err != nil {
		testsys.SkipOrFail(t, "no jupyterhub")
	}
}

// TestRoundTrip renders every example, imports the rendered files, and renders the imported site
// file again: the bytes must be the same, and nothing may be reported as not carried over. The
// imported site files are golden files (testdata/roundtrip/<example>.toml).
func TestRoundTrip(t *testing.T) {
	needJupyterHub(t)
	paths, err := filepath.Glob("../examples/*.toml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".toml")
		t.Run(name, func(t *testing.T) {
			site, err := schema.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			if site.Auth.Type == schema.AuthLTI13 {
				// The config imports ltiauthenticator, which a real LTI server has installed;
				// here it comes from the third-party cache.
				thirdparty.Require(t, thirdparty.LTIAuthenticator)
				t.Setenv("PYTHONPATH", thirdparty.PythonPath())
			}
			files, err := render.Files(site)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := render.Write(dir, files); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir) // so that the imported file names the old files by short, stable paths
			res, err := Import(Options{
				Nginx: render.NginxConf, Config: render.JupyterHubConf, Unit: "systemd/system/jupyterhub.service",
				Timeout: 60 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range res.Items {
				t.Errorf("reported as not carried over: %s: %s", it.At, it.What)
			}
			for _, m := range res.Mistakes {
				if m.Number == 19 && !site.Hub.UserSubdomains {
					continue // one origin is what the site asked for
				}
				t.Errorf("hubgen's own output has mistake %d: %s: %s", m.Number, m.At, m.What)
			}
			if len(res.Secrets) > 0 {
				t.Errorf("hubgen's own output has inline secrets: %v", res.Secrets)
			}
			golden.Check(t, filepath.Join(testdataDir, "roundtrip", name+".toml"), res.Site)
			again, err := schema.Parse(filepath.Base(p), res.Site)
			if err != nil {
				t.Fatalf("the imported site file is invalid:\n%v\n%s", err, res.Site)
			}
			again.Dir = site.Dir
			rendered, err := render.Files(again)
			if err != nil {
				t.Fatal(err)
			}
			for out, want := range files {
				if diff := cmp.Diff(string(want), string(rendered[out])); diff != "" {
					t.Errorf("%s renders differently from the imported site file (-original +imported):\n%s", out, diff)
				}
			}
		})
	}
}

var testdataDir = func() string { wd, _ := os.Getwd(); return filepath.Join(wd, "testdata") }()
