package schema

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// slipSite is a valid site file; each slip case replaces or adds lines of it by their key.
const slipSite = `domain = "hub.example.edu"
[tls]
cert = "/etc/ssl/hub.pem"
key = "/etc/ssl/hub.key"
[users]
admin = ["prof"]
[spawner]
cmd = ["/usr/bin/jupyterhub-singleuser"]
[hub]
[nginx]
`

// withLines puts "key = value" lines into slipSite: a line whose key slipSite has replaces it, any
// other goes at the end of its table ("hub.port = 1" under [hub]).
func withLines(lines ...string) string {
	text := slipSite
	for _, l := range lines {
		key, value, _ := strings.Cut(l, " = ")
		table, name, dotted := strings.Cut(key, ".")
		if !dotted {
			name, table = key, ""
		}
		var out []string
		current, placed := "", false
		for _, t := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			if strings.HasPrefix(t, "[") {
				if current == table && !placed {
					out = append(out, name+" = "+value)
					placed = true
				}
				current = strings.Trim(t, "[]")
			}
			if current == table && strings.HasPrefix(t, name+" = ") && !placed {
				out = append(out, name+" = "+value)
				placed = true
				continue
			}
			out = append(out, t)
		}
		if !placed {
			out = append(out, name+" = "+value)
		}
		text = strings.Join(out, "\n") + "\n"
	}
	return text
}

// slipProblems parses text as site.toml and returns every problem and warning as printed.
func slipProblems(t *testing.T, text string) []string {
	t.Helper()
	site, err := Parse("site.toml", []byte(text))
	var problems Problems
	switch {
	case errors.As(err, &problems):
	case err != nil:
		t.Fatal(err)
	default:
		problems = site.Warnings
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	return got
}

// TestSlips: mistakes a hostile trial of 0.1.0 found accepted (or misreported), one row each, with
// the exact messages.
func TestSlips(t *testing.T) {
	tests := []struct {
		name string
		site string
		want []string
	}{
		// Paths that collide destroy data.
		{"cookie secret is the state directory", withLines(`hub.state_dir = "/srv/hub"`, `hub.cookie_secret_file = "/srv/hub"`), []string{
			`site.toml:11:22: hub.cookie_secret_file: "/srv/hub" is also hub.state_dir (site.toml:10:13) (each needs a path of its own)`,
		}},
		{"cookie secret is the database", withLines(`hub.cookie_secret_file = "/srv/jupyterhub/jupyterhub.sqlite"`), []string{
			`site.toml:10:22: hub.cookie_secret_file: "/srv/jupyterhub/jupyterhub.sqlite" is also the database (hub.state_dir + /jupyterhub.sqlite) (by default) (each needs a path of its own)`,
		}},
		{"pid file is the certificate", withLines(`nginx.pid = "/etc/ssl/hub.pem"`), []string{
			`site.toml:11:7: nginx.pid: "/etc/ssl/hub.pem" is also tls.cert (site.toml:3:8) (each needs a path of its own)`,
		}},
		{"key inside the certificate", withLines(`tls.key = "/etc/ssl/hub.pem/key"`), []string{
			`site.toml:4:7: tls.key: "/etc/ssl/hub.pem/key" is inside tls.cert "/etc/ssl/hub.pem" (site.toml:3:8), which is a file (give each a path of its own)`,
		}},
		{"state directory inside the dhparam file", withLines(`tls.dhparam = "/srv/dh"`, `hub.state_dir = "/srv/dh/hub"`), []string{
			// Once, although the database and both secret files are inside the dhparam file too.
			`site.toml:11:13: hub.state_dir: "/srv/dh/hub" is inside tls.dhparam "/srv/dh" (site.toml:5:11), which is a file (give each a path of its own)`,
		}},
		{"an output", withLines(`tls.trusted_certificate = "/etc/nginx/nginx.conf"`), []string{
			`site.toml:5:23: tls.trusted_certificate: "/etc/nginx/nginx.conf" is also the output /etc/nginx/nginx.conf (hubgen render -o /etc) (each needs a path of its own)`,
		}},
		{"the certificate where an output's directory must be", withLines(`tls.cert = "/etc/jupyterhub"`), []string{
			`site.toml:3:8: tls.cert: "/etc/jupyterhub" is a file, but the output /etc/jupyterhub/jupyterhub_config.py (hubgen render -o /etc) "/etc/jupyterhub/jupyterhub_config.py" is inside it (give each a path of its own)`,
		}},
		{"acme webroot is the state directory", withLines(`nginx.acme_webroot = "/srv/jupyterhub"`), []string{
			`site.toml:11:16: nginx.acme_webroot: "/srv/jupyterhub" is also hub.state_dir (by default) (each needs a path of its own)`,
		}},
		{"the dhparam file where a later key says a directory is", withLines(`hub.state_dir = "/srv/hub"`, `tls.dhparam = "/srv/hub/dh.pem"`, `nginx.acme_webroot = "/srv/hub/dh.pem/www"`), []string{
			`site.toml:13:16: nginx.acme_webroot: "/srv/hub/dh.pem/www" is inside tls.dhparam "/srv/hub/dh.pem" (site.toml:5:11), which is a file (give each a path of its own)`,
		}},
		{"a later file where an earlier directory's parent is", withLines(`tls.dhparam = "/srv/hub/dh.pem/x"`, `nginx.pid = "/srv/hub/dh.pem"`), []string{
			`site.toml:12:7: nginx.pid: "/srv/hub/dh.pem" is a file, but tls.dhparam "/srv/hub/dh.pem/x" (site.toml:5:11) is inside it (give each a path of its own)`,
		}},
		{"secrets in the state directory are fine", withLines(`hub.state_dir = "/srv/hub"`, `hub.cookie_secret_file = "/srv/hub/cookie"`, `tls.dhparam = "/srv/hub/dh.pem"`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, slipProblems(t, tt.site)); diff != "" {
				t.Errorf("problems (-want +got):\n%s\nsite:\n%s", diff, tt.site)
			}
		})
	}
}
