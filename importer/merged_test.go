package importer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubgen/hubgen/internal/thirdparty"
	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

// TestSubdomainsAndLTIByHand: hand-written configs of the keys that came after import (users'
// hosts, LTI 1.3, upgrade_db), read from --config-json so that no JupyterHub is needed.
func TestSubdomainsAndLTIByHand(t *testing.T) {
	dir := t.TempDir()
	nginx := filepath.Join(dir, "nginx.conf")
	os.WriteFile(nginx, []byte(`events {}
http {
    server {
        listen 443 ssl;
        server_name hub.example.edu *.hub.example.edu;
        ssl_certificate /etc/letsencrypt/live/hub.example.edu/fullchain.pem;
        ssl_certificate_key /etc/letsencrypt/live/hub.example.edu/privkey.pem;
        client_max_body_size 100m;
        location / { proxy_pass http://127.0.0.1:8000; }
    }
}
`), 0o644)
	tests := []struct {
		name, config string
		site, items  []string // in the site file, in the report's items
		mistakes     []int
		notMistakes  []int
	}{
		{
			name:        "wildcard without subdomain_host",
			config:      `{"JupyterHub": {"load_roles": [{"name": "admin", "users": ["prof"]}]}}`,
			items:       []string{"server_name *.hub.example.edu without JupyterHub.subdomain_host"},
			mistakes:    []int{19},
			notMistakes: []int{4},
		},
		{
			name: "subdomain_host, no upgrade_db",
			config: `{"JupyterHub": {"load_roles": [{"name": "admin", "users": ["prof"]}], "subdomain_host": "https://hub.example.edu",
				"tornado_settings": {"cookie_options": {"domain": ""}}, "upgrade_db": false}}`,
			site:        []string{"user_subdomains = true"},
			items:       []string{"JupyterHub.upgrade_db = false: hubgen's hub upgrades its database at start"},
			notMistakes: []int{4, 19},
		},
		{
			name: "ltiauthenticator without deployments",
			config: `{"JupyterHub": {"load_roles": [{"name": "admin", "users": ["prof"]}], "authenticator_class": "ltiauthenticator.lti13.auth.LTI13Authenticator"},
				"LTI13Authenticator": {"issuer": "https://canvas.instructure.com", "client_id": "{'10000000000123'}", "username_key": "email",
				"authorize_url": "https://sso.canvaslms.com/api/lti/authorize_redirect", "jwks_endpoint": "https://sso.canvaslms.com/api/lti/security/jwks"}}`,
			site: []string{`type = "lti13"`, `client_id = "10000000000123"`, `issuer = "https://canvas.instructure.com"`,
				`jwks_url = "https://sso.canvaslms.com/api/lti/security/jwks"`, `authorize_url = "https://sso.canvaslms.com/api/lti/authorize_redirect"`},
			items: []string{"no deployment ids: ltiauthenticator admits a launch from any deployment"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := filepath.Join(t.TempDir(), "config.json")
			os.WriteFile(config, []byte(tt.config), 0o644)
			res, err := Import(Options{Nginx: nginx, ConfigJSON: config})
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.site {
				if !strings.Contains(string(res.Site), want) {
					t.Errorf("no %s in the site file:\n%s", want, res.Site)
				}
			}
			var items []string
			for _, it := range res.Items {
				items = append(items, it.What)
			}
			for _, want := range tt.items {
				if !slices.ContainsFunc(items, func(s string) bool { return strings.Contains(s, want) }) {
					t.Errorf("no item %q in %q", want, items)
				}
			}
			var numbers []int
			for _, m := range res.Mistakes {
				numbers = append(numbers, m.Number)
			}
			for _, n := range tt.mistakes {
				if !slices.Contains(numbers, n) {
					t.Errorf("mistake %d not found; found %v", n, numbers)
				}
			}
			for _, n := range tt.notMistakes {
				if slices.Contains(numbers, n) {
					t.Errorf("mistake %d found; it is not one here (found %v)", n, numbers)
				}
			}
		})
	}
}

// TestLTIDeploymentsOrder: several deployments round-trip in the site file's order, which the
// rendered set literal keeps and the evaluated set does not.
func TestLTIDeploymentsOrder(t *testing.T) {
	needJupyterHub(t)
	thirdparty.Require(t, thirdparty.LTIAuthenticator)
	t.Setenv("PYTHONPATH", thirdparty.PythonPath())
	data, err := os.ReadFile("../examples/lti-canvas.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), `deployment_ids = ["4501:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"]`, `deployment_ids = ["zeta", "alpha", "mid"]`, 1)
	text = strings.Replace(text, `roster = "rosters/canvas-engr101-2027s.csv"`, "", 1) // relative to the example
	site, err := schema.Parse("lti.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Files(site)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := render.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	res, err := Import(Options{Nginx: render.NginxConf, Config: render.JupyterHubConf, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if want := `deployment_ids = ["zeta", "alpha", "mid"]`; !strings.Contains(string(res.Site), want) {
		t.Errorf("no %s in\n%s", want, res.Site)
	}
}
