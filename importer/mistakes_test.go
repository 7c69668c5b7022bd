package importer

import (
	"os"
	"path/filepath"
	"slices"
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
