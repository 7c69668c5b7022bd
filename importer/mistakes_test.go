package importer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFileModeMistakes: a private key readable by everyone (12, the blog's chmod 777) and a cookie
// secret readable by others (13) are found on the files themselves; a server block alone (15) too.
func TestFileModeMistakes(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "privkey.pem")
	secret := filepath.Join(dir, "cookie_secret")
	os.WriteFile(key, []byte("key"), 0o644)
	os.Chmod(key, 0o777)
	os.WriteFile(secret, []byte("secret"), 0o600)
	os.Chmod(secret, 0o644)
	nginx := filepath.Join(dir, "jupyterhub.conf")
	os.WriteFile(nginx, []byte(`server {
    listen 443 ssl;
    server_name hub.example.edu;
    ssl_certificate `+filepath.Join(dir, "fullchain.pem")+`;
    ssl_certificate_key `+key+`;
    location / { proxy_pass http://127.0.0.1:8000; }
}
`), 0o644)
	config := filepath.Join(dir, "config.json")
	os.WriteFile(config, []byte(`{"JupyterHub": {"cookie_secret_file": "`+secret+`"}, "Authenticator": {"admin_users": "{'prof'}"}}`), 0o644)
	res, err := Import(Options{Nginx: nginx, ConfigJSON: config})
	if err != nil {
		t.Fatal(err)
	}
	var numbers []int
	for _, m := range res.Mistakes {
		numbers = append(numbers, m.Number)
	}
	for _, want := range []int{12, 13, 15} {
		if !slices.Contains(numbers, want) {
			t.Errorf("mistake %d not found; found %v", want, numbers)
		}
	}
}

// TestSecretReadFromFile: a secret the config reads from a file (with open or pathlib), present
// here or not, becomes the site's secret file; its value is never needed.
func TestSecretReadFromFile(t *testing.T) {
	needJupyterHub(t)
	dir := t.TempDir()
	present := filepath.Join(dir, "token")
	os.WriteFile(present, []byte("0123456789abcdef0123456789abcdef\n"), 0o600)
	config := filepath.Join(dir, "jupyterhub_config.py")
	os.WriteFile(config, []byte(`import pathlib
c = get_config()
c.JupyterHub.load_roles = [{'name': 'admin', 'users': ['prof']}]
c.JupyterHub.authenticator_class = 'github'
c.GitHubOAuthenticator.client_secret = pathlib.Path('/nonexistent/oauth_secret').read_text().strip()
with open('`+present+`') as f:
    c.ConfigurableHTTPProxy.auth_token = f.read().strip()
`), 0o644)
	nginx := filepath.Join("..", "cmd", "hubgen", "testdata", "import", "bind-url", "nginx.conf")
	res, err := Import(Options{Nginx: nginx, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	site := string(res.Site)
	for _, want := range []string{`client_secret_file = "/nonexistent/oauth_secret"`, `proxy_auth_token_file = "` + present + `"`} {
		if !strings.Contains(site, want) {
			t.Errorf("no %s in\n%s", want, site)
		}
	}
	if len(res.Secrets) > 0 || strings.Contains(site, "0123456789abcdef") {
		t.Errorf("a secret read from a file was taken for an inline one: %v", res.Secrets)
	}
}
