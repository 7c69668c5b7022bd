package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hubgen/hubgen/internal/golden"
	"github.com/hubgen/hubgen/internal/testsys"
	"github.com/hubgen/hubgen/schema"
)

func needJupyterHub(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("jupyterhub"); err != nil {
		testsys.SkipOrFail(t, "hubgen import loads jupyterhub_config.py with JupyterHub's loader (apt-get install jupyterhub)")
	}
}

// importShapes are hand-written deployments of the shapes people run, under testdata/import/:
// each imports to a valid site file, and its whole output (report, secrets, mistakes, the diff to
// hubgen's render and the site file) is a golden file.
var importShapes = map[string][]string{
	"sites-enabled": {"--nginx", "etc/nginx/nginx.conf", "--config", "jupyterhub_config.py"},
	"whitelist":     {"--nginx", "nginx.conf", "--config", "jupyterhub_config.py"},
	"bind-url":      {"--nginx", "nginx.conf", "--config", "jupyterhub_config.py"},
	"github-inline": {"--nginx", "nginx.conf", "--config", "jupyterhub_config.py", "--unit", "jupyterhub.service"},
	// github-inline's config (without create_system_users, which would make accounts) as
	// `jupyterhub -f FILE --show-config-json` printed it on JupyterHub 3.0 with oauthenticator
	"config-json": {"--nginx", "nginx.conf", "--config-json", "config.json"},
}

func TestImportShapes(t *testing.T) {
	needJupyterHub(t)
	for name, args := range importShapes {
		t.Run(name, func(t *testing.T) {
			dir, _ := filepath.Abs(filepath.Join("testdata", "import", name))
			t.Chdir(dir)
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"import"}, args...), &env{stdout: &stdout, stderr: &stderr})
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, stderr.String())
			}
			golden.Check(t, filepath.Join(dir, "want.txt"), stdout.Bytes())
			out := stdout.String()
			site := out[strings.LastIndex(out, "-- site.toml --\n")+len("-- site.toml --\n"):]
			if _, err := schema.Parse("site.toml", []byte(site)); err != nil {
				t.Errorf("the imported site file is invalid:\n%v", err)
			}
			assertNoSecrets(t, dir, out)
		})
	}
}

// assertNoSecrets fails when a secret of the shape's config (a quoted string of 32 hex digits or
// more) appears in what import printed.
func assertNoSecrets(t *testing.T, dir, out string) {
	t.Helper()
	config, _ := os.ReadFile(filepath.Join(dir, "jupyterhub_config.py"))
	json, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	for _, m := range regexp.MustCompile(`['"]([0-9a-f]{32,})['"]`).FindAllStringSubmatch(string(config)+string(json), -1) {
		if strings.Contains(out, m[1]) {
			t.Errorf("the output holds the secret %s...", m[1][:6])
		}
	}
}

// TestImportWrites: -o writes the site file, refuses to overwrite one, and writes nothing when
// the import fails.
func TestImportWrites(t *testing.T) {
	needJupyterHub(t)
	dir, _ := filepath.Abs(filepath.Join("testdata", "import", "bind-url"))
	out := filepath.Join(t.TempDir(), "site.toml")
	var stdout, stderr bytes.Buffer
	args := []string{"import", "--nginx", filepath.Join(dir, "nginx.conf"), "--config", filepath.Join(dir, "jupyterhub_config.py"), "-o", out}
	if code := run(args, &env{stdout: &stdout, stderr: &stderr}); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if _, err := schema.Load(out); err != nil {
		t.Fatalf("written site file: %v", err)
	}
	stderr.Reset()
	if code := run(args, &env{stdout: &stdout, stderr: &stderr}); code != exitFailure || !strings.Contains(stderr.String(), "exists") {
		t.Errorf("second import over the file: exit %d, %s", code, stderr.String())
	}
	bad := filepath.Join(t.TempDir(), "raises.py")
	os.WriteFile(bad, []byte("c = get_config()\nraise RuntimeError('no')\n"), 0o644)
	out2 := filepath.Join(t.TempDir(), "site.toml")
	stderr.Reset()
	code := run([]string{"import", "--nginx", filepath.Join(dir, "nginx.conf"), "--config", bad, "-o", out2}, &env{stdout: &stdout, stderr: &stderr})
	if code != exitInvalid || !strings.Contains(stderr.String(), "raises.py:2: the config failed as JupyterHub loaded it: RuntimeError: no") {
		t.Errorf("a config that raises: exit %d, %s", code, stderr.String())
	}
	if _, err := os.Lstat(out2); err == nil {
		t.Error("a failed import wrote the site file")
	}
}

// TestImportHidesSecrets: a secret in a setting import does not know (a service's api_token, a
// database password) appears nowhere in the output: not in the report, not in the diff of the old
// config, not in the site file.
func TestImportHidesSecrets(t *testing.T) {
	needJupyterHub(t)
	dir := t.TempDir()
	config := filepath.Join(dir, "jupyterhub_config.py")
	os.WriteFile(config, []byte(`c = get_config()
c.JupyterHub.load_roles = [{'name': 'admin', 'users': ['prof']}]
c.JupyterHub.services = [{"name": "grader", "api_token": "feedbeeffeedbeeffeedbeeffeedbeef00"}]
c.JupyterHub.db_password = "feedbeeffeedbeeffeedbeeffeedbeef11"
c.GenericOAuthenticator.client_secret = "feedbeeffeedbeeffeedbeeffeedbeef22"
`), 0o644)
	nginx, _ := filepath.Abs(filepath.Join("testdata", "import", "bind-url", "nginx.conf"))
	var stdout, stderr bytes.Buffer
	code := run([]string{"import", "--nginx", nginx, "--config", config}, &env{stdout: &stdout, stderr: &stderr})
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String() + stderr.String()
	if !strings.Contains(out, "--- "+config) {
		t.Fatalf("no diff of the old config in the output:\n%s", out)
	}
	if strings.Contains(out, "feedbeef") {
		t.Errorf("a secret is in the output:\n%s", out)
	}
}

// TestImportWithoutJupyterHub: without a JupyterHub to load the config, import says so, what to
// run instead, and exits 2 without writing.
func TestImportWithoutJupyterHub(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("testdata", "import", "bind-url"))
	out := filepath.Join(t.TempDir(), "site.toml")
	var stdout, stderr bytes.Buffer
	code := run([]string{"import", "--nginx", filepath.Join(dir, "nginx.conf"), "--config", filepath.Join(dir, "jupyterhub_config.py"),
		"--jupyterhub", "no-such-jupyterhub", "-o", out}, &env{stdout: &stdout, stderr: &stderr})
	if code != exitFailure || !strings.Contains(stderr.String(), "JupyterHub is not installed here") || !strings.Contains(stderr.String(), "python3 loader.py "+filepath.Join(dir, "jupyterhub_config.py")+" > config.json") {
		t.Errorf("exit %d, stderr %s", code, stderr.String())
	}
	if _, err := os.Lstat(out); err == nil {
		t.Error("wrote the site file")
	}
}
