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

		// Values nginx or JupyterHub would refuse or misread.
		{"spawner.cmd a string with arguments", withLines(`spawner.cmd = "/usr/bin/jupyterhub-singleuser --debug"`), []string{
			`site.toml:8:7: warning: spawner.cmd: "/usr/bin/jupyterhub-singleuser --debug" looks like a program and its arguments, which would be read as one program name with spaces (use a list: cmd = ["/usr/bin/jupyterhub-singleuser", "--debug"])`,
		}},
		{"spawner.cmd a list whose program has arguments", withLines(`spawner.cmd = ["/usr/bin/jupyterhub-singleuser --debug", "--port=0"]`), []string{
			`site.toml:8:8: warning: spawner.cmd[0]: "/usr/bin/jupyterhub-singleuser --debug" looks like a program and its arguments, which would be read as one program name with spaces (use a list: cmd = ["/usr/bin/jupyterhub-singleuser", "--debug", "--port=0"])`,
		}},
		{"spawner.cmd a path with a space", withLines(`spawner.cmd = "/opt/my env/bin/jupyterhub-singleuser"`), nil},
		{"body size past nginx's limit", withLines(`nginx.client_max_body_size = "9999999999g"`), []string{
			`site.toml:11:24: nginx.client_max_body_size: "9999999999g" is more than nginx can count (at most "8589934591g"; "0" turns the limit off)`,
		}},
		{"body size at nginx's limit", withLines(`nginx.client_max_body_size = "8589934591G"`), nil},
		{"body size past 2^64", withLines(`nginx.client_max_body_size = "99999999999999999999"`), []string{
			`site.toml:11:24: nginx.client_max_body_size: "99999999999999999999" is more than nginx can count (at most "9223372036854775807"; "0" turns the limit off)`,
		}},
		{"domain an IPv4 address", withLines(`domain = "192.0.2.10"`), []string{
			`site.toml:1:10: domain: "192.0.2.10" is an IP address (hubgen needs the hub's domain name, like "notebooks.example.edu": certificates and server_name are for names)`,
		}},
		{"domain an IPv6 address", withLines(`domain = "2001:db8::1"`), []string{
			`site.toml:1:10: domain: "2001:db8::1" is an IP address (hubgen needs the hub's domain name, like "notebooks.example.edu": certificates and server_name are for names)`,
		}},
		{"domain with a numeric last label", withLines(`domain = "hub.example.123"`), []string{
			`site.toml:1:10: domain: "hub.example.123" ends in the label "123", which does not start with a letter as every top-level domain does (a name like "notebooks.example.edu")`,
		}},
		{"domain a URL with capitals", withLines(`domain = "https://Hub.Example.EDU/"`), []string{
			`site.toml:1:10: domain: "https://Hub.Example.EDU/" is a URL, not a domain name (just the name: "hub.example.edu")`,
		}},
		{"domain a URL with a port", withLines(`domain = "https://hub.example.edu:8443/engr101/"`), []string{
			`site.toml:1:10: domain: "https://hub.example.edu:8443/engr101/" is a URL, not a domain name (just the name: "hub.example.edu")`,
		}},
		{"root as admin, a service account as student", withLines(`users.admin = ["prof", "root"]`, `users.allowed = ["www-data"]`), []string{
			`site.toml:6:18: warning: users.admin[1]: "root" is the superuser: notebooks would run with every right on the machine (use a person's own account)`,
			`site.toml:7:12: warning: users.allowed[0]: "www-data" is a service's account, not a person's: notebooks would run with its rights (use a person's own account)`,
		}},
		{"nginx version as nginx -v prints it", withLines(`nginx.version = "1.22.1"`), nil},
		{"nginx version 2", withLines(`nginx.version = "2.0"`), []string{
			"site.toml:11:11: nginx.version: \"2.0\" is not an nginx hubgen knows (it writes for nginx 1.18 to 1.x; MAJOR.MINOR[.PATCH] of `nginx -v`, like \"1.22\")",
		}},
		{"nginx version of four parts", withLines(`nginx.version = "1.22.1.1"`), []string{
			"site.toml:11:11: nginx.version: \"1.22.1.1\" is not a version (MAJOR.MINOR[.PATCH] of `nginx -v`, like \"1.22\" or \"1.22.1\")",
		}},

		// Positions and echoes.
		{"byte order mark", "\ufeff" + withLines(`domain = "Hub.example.edu"`), []string{
			`site.toml:1:10: domain: "Hub.example.edu" has an uppercase letter (domains are written lowercase: "hub.example.edu")`,
		}},
		{"byte order mark before bad UTF-8", "\ufeffdomain = \"hub\xff\"\n", []string{
			`site.toml:1:14: toml: byte 0xff is not UTF-8 (TOML files are UTF-8 text; save the file as UTF-8)`,
		}},
		{"port past int32", withLines(`hub.port = 9223372036854775807`), []string{
			`site.toml:10:8: hub.port: 9223372036854775807 is not a port (a number from 1 to 65535)`,
		}},
		{"port past int32, negative", withLines(`hub.port = -9223372036854775808`), []string{
			`site.toml:10:8: hub.port: -9223372036854775808 is not a port (a number from 1 to 65535)`,
		}},

		// Once silently ignored.
		{"resolver listed twice", withLines(`tls.resolvers = ["9.9.9.9", "127.0.0.53", "9.9.9.9"]`), []string{
			`site.toml:5:39: tls.resolvers[2]: "9.9.9.9" is listed twice (remove this one; it is tls.resolvers[0])`,
		}},
		{"executable in a directory with a colon", withLines(`hub.executable = "/opt/hub:2/bin/jupyterhub"`), []string{
			`site.toml:10:14: hub.executable: "/opt/hub:2/bin/jupyterhub" has a ":" in its directory, which the unit's PATH would split in two (install jupyterhub in a directory without ":")`,
		}},
		{"executable beside a spawner in a directory with a colon", withLines(`spawner.cmd = ["/opt/hub:2/bin/jupyterhub-singleuser"]`), []string{
			`site.toml:8:8: spawner.cmd[0]: "/opt/hub:2/bin/jupyterhub-singleuser" has a ":" in its directory, where the unit would run jupyterhub from, and the unit's PATH would split it in two (set hub.executable, or install jupyterhub in a directory without ":")`,
		}},

		{"certificate and key in one file, and fullchain as its own chain", withLines(`tls.key = "/etc/ssl/hub.pem"`, `tls.trusted_certificate = "/etc/ssl/hub.pem"`), nil},
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

// TestNginxVersionKeepsMinor: a version as `nginx -v` prints it reaches the templates as
// MAJOR.MINOR, which is what they (and Site's doc) go by.
func TestNginxVersionKeepsMinor(t *testing.T) {
	for written, want := range map[string]string{"1.25.1": "1.25", "1.22": "1.22", "1.027.3": "1.027"} {
		site, err := Parse("site.toml", []byte(withLines(`nginx.version = "`+written+`"`)))
		if err != nil {
			t.Fatal(err)
		}
		if site.Nginx.Version != want {
			t.Errorf("nginx.version %q: Site has %q, want %q", written, site.Nginx.Version, want)
		}
	}
}
