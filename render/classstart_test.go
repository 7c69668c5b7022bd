package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hubgen/hubgen/schema"
)

// TestClassStartSizesNginxForTheClass: nginx's connection and descriptor limits grow with the
// users the site lets in, never below nginx's own default and never beyond what one machine
// serves.
func TestClassStartSizesNginxForTheClass(t *testing.T) {
	for _, tc := range []struct {
		users            int
		connections, fds int
	}{
		{users: 1, connections: 1024, fds: 2048},
		{users: 64, connections: 1024, fds: 2048},
		{users: 202, connections: 202*8 + 512, fds: 2 * (202*8 + 512)},
		{users: 100_000, connections: 65536, fds: 131072},
	} {
		t.Run(fmt.Sprint(tc.users), func(t *testing.T) {
			names := make([]string, tc.users)
			for i := range names {
				names[i] = fmt.Sprintf("u%06d", i)
			}
			site, err := schema.Parse("site.toml", []byte(fmt.Sprintf(`domain = "hub.example.edu"
[tls]
cert = "/etc/ssl/hub.pem"
key = "/etc/ssl/hub.key"
[users]
admin = [%q]
allowed = ["%s"]
[spawner]
cmd = "/usr/bin/jupyterhub-singleuser"
`, names[0], strings.Join(names, `", "`))))
			if err != nil {
				t.Fatal(err)
			}
			files, err := Files(site)
			if err != nil {
				t.Fatal(err)
			}
			conf := string(files[NginxConf])
			for _, want := range []string{
				fmt.Sprintf("\n    worker_connections %d;\n", tc.connections),
				fmt.Sprintf("\nworker_rlimit_nofile %d;\n", tc.fds),
			} {
				if !strings.Contains(conf, want) {
					t.Errorf("%d users: nginx.conf lacks %q", tc.users, strings.TrimSpace(want))
				}
			}
			py := string(files[JupyterHubConf])
			if want := fmt.Sprintf("\n_CLASS_SIZE = %d\n", tc.users); !strings.Contains(py, want) {
				t.Errorf("%d users: jupyterhub_config.py lacks %q", tc.users, strings.TrimSpace(want))
			}
		})
	}
}
