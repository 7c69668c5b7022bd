package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

// TestClassStartByHand: the class-start settings are dropped when they are what render writes
// for the imported site's users (here two, with SystemdSpawner: no boot queue), and reported,
// saying hubgen sizes them, when a hand-written config sets them to anything else.
func TestClassStartByHand(t *testing.T) {
	for _, c := range []struct {
		name, rlimit, limit, start, http string
		want                             []string // reported keys
	}{
		{"hubgen's", "2048", "2", "60", "60", nil},
		{"hand-written", "4096", "10", "120", "60", []string{"worker_rlimit_nofile", "concurrent_spawn_limit", "start_timeout", "http_timeout"}},
		{"a limit only", "2048", "5", "60", "60", []string{"concurrent_spawn_limit", "start_timeout", "http_timeout"}},
		{"http_timeout apart", "2048", "2", "60", "30", []string{"concurrent_spawn_limit", "start_timeout", "http_timeout"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			nginx := filepath.Join(dir, "nginx.conf")
			os.WriteFile(nginx, []byte(`worker_rlimit_nofile `+c.rlimit+`;
events { worker_connections 1024; }
http {
server {
    listen 443 ssl;
    server_name hub.example.edu;
    ssl_certificate /etc/letsencrypt/live/hub.example.edu/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/hub.example.edu/privkey.pem;
    location / { proxy_pass http://127.0.0.1:8000; }
}
}
`), 0o644)
			config := filepath.Join(dir, "config.json")
			os.WriteFile(config, []byte(`{"JupyterHub": {"spawner_class": "systemdspawner.SystemdSpawner", "concurrent_spawn_limit": `+c.limit+`},
"Spawner": {"start_timeout": `+c.start+`, "http_timeout": `+c.http+`, "args": ["--KernelRestarter.stable_start_time=120"]},
"Authenticator": {"admin_users": "{'prof'}", "allowed_users": "{'prof', 'ta'}"}}`), 0o644)
			res, err := Import(Options{Nginx: nginx, ConfigJSON: config})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range res.Items {
				if strings.Contains(it.What, "A class start") {
					got = append(got, it.What)
				}
			}
			for _, key := range c.want {
				found := false
				for _, g := range got {
					found = found || strings.Contains(g, key)
				}
				if !found {
					t.Errorf("%s not reported as sized by hubgen; reported %q", key, got)
				}
			}
			for _, it := range res.Items {
				for _, key := range []string{"worker_", "concurrent_spawn_limit", "_timeout", "KernelRestarter"} {
					if len(c.want) == 0 && strings.Contains(it.What, key) {
						t.Errorf("hubgen's own line reported: %s: %s", it.At, it.What)
					}
				}
			}
		})
	}
}

// TestClassStartArgsAreTheTemplates: the notebook servers' arguments import drops as hubgen's own
// are the ones the config passes. The round trip runs on a machine whose jupyter_client (7) leaves
// the cache_ports one out, so it would not see the two part.
func TestClassStartArgsAreTheTemplates(t *testing.T) {
	site, err := schema.Load("../examples/minimal.toml")
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Files(site)
	if err != nil {
		t.Fatal(err)
	}
	config := string(files[render.JupyterHubConf])
	for _, arg := range []string{classStartKernelArg, classStartPortsArg} {
		if line := "c.Spawner.args.append('" + arg + "')"; !strings.Contains(config, line) {
			t.Errorf("the rendered config has no line %s: import drops an argument render does not pass", line)
		}
	}
}
