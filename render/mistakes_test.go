package render

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// directiveLines returns the nginx.conf's lines without comments and surrounding blanks, so a
// commented-out directive does not count as present.
func directiveLines(conf string) []string {
	var lines []string
	for _, l := range strings.Split(conf, "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 && !strings.Contains(l[:i], "'") && !strings.Contains(l[:i], `"`) {
			l = l[:i]
		}
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

func hasLine(lines []string, re string) bool {
	r := regexp.MustCompile(re)
	for _, l := range lines {
		if r.MatchString(l) {
			return true
		}
	}
	return false
}

// TestNoDesignMistakes renders every example and checks that none of the mistakes README lists
// under "What hubgen fixes", which hand-written configs copied from blog posts make, appears in
// any output.
func TestNoDesignMistakes(t *testing.T) {
	for name, path := range examples(t) {
		t.Run(name, func(t *testing.T) {
			site := loadExample(t, path)
			files, err := Files(site)
			if err != nil {
				t.Fatal(err)
			}
			conf := string(files[NginxConf])
			lines := directiveLines(conf)
			py := string(files[JupyterHubConf])

			// 1. "ssl on" is gone from nginx; the https listen carries "ssl".
			if hasLine(lines, `^ssl\s+on;`) {
				t.Error("1: nginx.conf has `ssl on`")
			}
			if !hasLine(lines, `^listen\s+\S*\d+\s+ssl[\s;]`) {
				t.Error("1: no `listen PORT ssl`")
			}
			// 2. proxy_http_version 1.1 is set, not commented out.
			if !hasLine(lines, `^proxy_http_version 1\.1;$`) {
				t.Error("2: proxy_http_version 1.1 is not set")
			}
			// 3. Connection comes from the map, never a hard-coded "upgrade".
			if hasLine(lines, `^proxy_set_header\s+Connection\s+"?upgrade"?;`) {
				t.Error("3: Connection is hard-coded")
			}
			if !hasLine(lines, `^map \$http_upgrade \$connection_upgrade \{$`) || !hasLine(lines, `^proxy_set_header Connection \$connection_upgrade;$`) {
				t.Error("3: the $connection_upgrade map is not used")
			}
			// 4. One spelling of the domain in every server_name.
			names := regexp.MustCompile(`(?m)^\s*server_name\s+([^;]+);`).FindAllStringSubmatch(conf, -1)
			if len(names) != 2 {
				t.Errorf("4: %d server_name directives, want 2", len(names))
			}
			want := site.Domain
			if site.Hub.UserSubdomains {
				want += " *." + site.Domain // users' hosts, below the one domain
			}
			for _, n := range names {
				if n[1] != want {
					t.Errorf("4: server_name %q, want %q", n[1], want)
				}
			}
			// 5. No TLS 1.0 or 1.1.
			if hasLine(lines, `^ssl_protocols.*TLSv1(\.1)?[\s;]`) || !hasLine(lines, `^ssl_protocols( TLSv1\.[23])+;$`) {
				t.Error("5: ssl_protocols allows TLS 1.0 or 1.1, or is missing")
			}
			// 6. Stapling only with a trusted certificate and a resolver.
			if hasLine(lines, `^ssl_stapling on;`) != (hasLine(lines, `^ssl_trusted_certificate `) && hasLine(lines, `^resolver `)) {
				t.Error("6: ssl_stapling without ssl_trusted_certificate and resolver, or the reverse")
			}
			if hasLine(lines, `^ssl_stapling on;`) != (site.TLS.TrustedCertificate != "") {
				t.Error("6: stapling does not follow tls.trusted_certificate")
			}
			// 7. HSTS with always; the cipher string whole.
			if site.TLS.HSTS && !hasLine(lines, `^add_header Strict-Transport-Security "?max-age=\d+"? always;$`) {
				t.Error("7: HSTS is missing `always`")
			}
			checkCiphers(t, lines)
			// 8. ACME challenges served on the http port, before the redirect; no `allow all`.
			acme := strings.Index(conf, "location /.well-known/acme-challenge/ {")
			redirect := strings.Index(conf, "return 301 https://")
			https := strings.Index(conf, " ssl")
			if acme < 0 || redirect < 0 || !(acme < redirect && redirect < https) {
				t.Error("8: the ACME location is not in the http server before the redirect")
			}
			if hasLine(lines, `^allow all;`) {
				t.Error("8: `allow all` is in the config")
			}
			// 9, 10. The proxy token is the token file's contents, never the path or a literal.
			if !regexp.MustCompile(`(?m)^c\.ConfigurableHTTPProxy\.auth_token = _read_proxy_auth_token\('` + regexp.QuoteMeta(site.Hub.ProxyAuthTokenFile) + `'\)$`).MatchString(py) {
				t.Error("9: auth_token is not read from proxy_auth_token_file")
			}
			if regexp.MustCompile(`(?m)^c\.ConfigurableHTTPProxy\.auth_token = '`).MatchString(py) {
				t.Error("9: auth_token is a string literal")
			}
			if strings.Contains(py, "c.JupyterHub.proxy_auth_token") {
				t.Error("10: the deprecated JupyterHub.proxy_auth_token is set")
			}
			// 11. allowed_users, not whitelist.
			if strings.Contains(py, "whitelist") || !strings.Contains(py, "c.Authenticator.allowed_users = ") {
				t.Error("11: whitelist is used, or allowed_users is not")
			}
			// 17 and 18: the database's memory never outranks the site file (the e2e access test
			// proves it on the real hubs; here, that the settings doing it are all present).
			for _, want := range []string{"c.Authenticator.username_pattern = '", "c.Authenticator.delete_invalid_users = True\n",
				"    c.Authenticator.allow_existing_users = False\n", "c.JupyterHub.load_roles = [{'name': 'admin', 'users': "} {
				if !strings.Contains(py, want) {
					t.Errorf("17/18: jupyterhub_config.py lacks %q", want)
				}
			}
			if strings.Contains(py, "c.Authenticator.admin_users") {
				t.Error("18: admin_users is set; it only grants, and JupyterHub warns when it is set with the admin role")
			}
			// 12. Nothing makes anything world-writable.
			for path, data := range files {
				if strings.Contains(string(data), "777") {
					t.Errorf("12: %s mentions 777", path)
				}
			}
			// 13 is the secrets command's: the cookie secret file is created 0600 there. Here the
			// config must name the file and hold no secret.
			if !strings.Contains(py, "c.JupyterHub.cookie_secret_file = '"+site.Hub.CookieSecretFile+"'") || strings.Contains(py, "cookie_secret =") {
				t.Error("13: cookie_secret_file is not set, or a cookie secret is inline")
			}
			// 14. Forwarded proto, no buffering, a body size above nginx's 1m default.
			for _, re := range []string{`^proxy_set_header X-Forwarded-Proto \$scheme;$`, `^proxy_buffering off;$`, `^client_max_body_size \d+[kKmMgG]?;$`} {
				if !hasLine(lines, re) {
					t.Errorf("14: no line matching %s", re)
				}
			}
			// 15. The whole file, not just a server block.
			for _, re := range []string{`^user \S+;$`, `^worker_processes auto;$`, `^pid \S+;$`, `^events \{$`, `^http \{$`, `^include /etc/nginx/mime\.types;$`} {
				if !hasLine(lines, re) {
					t.Errorf("15: no line matching %s", re)
				}
			}
		})
	}
}

// checkCiphers asks OpenSSL whether every cipher in ssl_ciphers is a real one, which catches a
// cipher string cut off by copy and paste.
func checkCiphers(t *testing.T, lines []string) {
	t.Helper()
	var list string
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, "ssl_ciphers "); ok {
			list = strings.Trim(strings.TrimSuffix(v, ";"), `"'`)
		}
	}
	if list == "" {
		return // the modern profile leaves TLS 1.3's suites to OpenSSL
	}
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Log("openssl not installed: ssl_ciphers checked for shape only")
		if !regexp.MustCompile(`^[A-Z0-9-]+(:[A-Z0-9-]+)*$`).MatchString(list) {
			t.Errorf("7: ssl_ciphers %q is malformed", list)
		}
		return
	}
	// OpenSSL expands the list, dropping names it does not know: a cut-off name disappears.
	out, err := exec.Command(openssl, "ciphers", "-ciphersuites", "", list).CombinedOutput()
	if got := strings.TrimSpace(string(out)); err != nil || got != list {
		t.Errorf("7: OpenSSL reads ssl_ciphers %q as %q (%v): a name is cut off or unknown", list, got, err)
	}
}
