package doctor

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/internal/testsys"
	"github.com/hubgen/hubgen/schema"
	"github.com/hubgen/hubgen/secrets"
)

const siteText = `domain = "hub.example.edu"
[tls]
cert = "/etc/ssl/hub/fullchain.pem"
key = "/etc/ssl/hub/privkey.pem"
dhparam = "/etc/jupyterhub/secrets/dhparam.pem"
[users]
admin = ["prof"]
allowed = ["kendra", "sam"]
[spawner]
cmd = ["jupyterhub-singleuser", "--debug"]
[hub]
user_subdomains = true
state_dir = "/srv/hub"
executable = "/opt/hub/bin/jupyterhub"
cookie_secret_file = "/etc/jupyterhub/secrets/cookie"
proxy_auth_token_file = "/etc/jupyterhub/secrets/token"
`

// now is the fixture's clock; its certificate is valid from a day before to 60 days after.
var now = time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is a server that passes every check: a root with the site's files, and a System whose
// users, clock and nginx a test can change.
type fixture struct {
	t    *testing.T
	root string
	site *schema.Site
	sys  System
	// nginxRuns are the config files the fake nginx -t was given.
	nginxRuns []string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOf(t, siteText)
}

// letsEncryptSite is siteText with the certificate where certbot puts it.
var letsEncryptSite = strings.NewReplacer(
	"/etc/ssl/hub/fullchain.pem", "/etc/letsencrypt/live/hub.example.edu/fullchain.pem",
	"/etc/ssl/hub/privkey.pem", "/etc/letsencrypt/live/hub.example.edu/privkey.pem").Replace(siteText)

func newFixtureOf(t *testing.T, text string) *fixture {
	t.Helper()
	site, err := schema.Parse("site.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, root: t.TempDir(), site: site}
	users := map[string]bool{"prof": true, "kendra": true, "sam": true}
	f.sys = System{
		Site: "site.toml",
		Now:  func() time.Time { return now },
		LookupUser: func(name string) (bool, error) {
			return users[name], nil
		},
		Nginx: "/usr/sbin/nginx",
		NginxTest: func(nginx, conf string) ([]byte, error) {
			f.nginxRuns = append(f.nginxRuns, conf)
			return nil, nil
		},
		PyImport: func(python, module string) error { return nil },
		// Debian 12's, which takes the default nginx.version's `listen ... ssl http2`.
		NginxVersion: func(nginx string) ([]byte, error) {
			return []byte("nginx version: nginx/1.22.1\n"), nil
		},
		// A wildcard record: every name under the domain resolves.
		LookupHost: func(host string) ([]string, error) {
			if strings.HasSuffix(host, ".hub.example.edu") {
				return []string{"192.0.2.10"}, nil
			}
			return nil, fmt.Errorf("lookup %s: no such host", host)
		},
	}
	f.sys.Root = f.root
	f.writeCert(site.TLS.Cert, site.TLS.Key, []string{"hub.example.edu", "*.hub.example.edu"}, now.Add(-24*time.Hour), now.Add(60*24*time.Hour))
	if _, err := secrets.Ensure(f.root, site); err != nil {
		t.Fatal(err)
	}
	f.write(site.Hub.Executable, "#!/bin/sh\n", 0o755)
	f.write("/opt/hub/bin/jupyterhub-singleuser", "#!/bin/sh\n", 0o755)
	f.write("/opt/hub/bin/python3", "#!/bin/sh\n", 0o755) // the hub's Python; PyImport is faked
	if err := os.MkdirAll(f.path(site.Hub.StateDir), 0o700); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) path(p string) string { return filepath.Join(f.root, p) }

func (f *fixture) write(p, content string, mode os.FileMode) {
	f.t.Helper()
	full := f.path(p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), mode); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Chmod(full, mode); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) remove(p string) {
	f.t.Helper()
	if err := os.RemoveAll(f.path(p)); err != nil {
		f.t.Fatal(err)
	}
}

// writeCert writes a self-signed certificate for names and its key, 0600.
func (f *fixture) writeCert(certPath, keyPath string, names []string, notBefore, notAfter time.Time) {
	f.t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    notBefore,
		NotAfter:     notAfter,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		f.t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		f.t.Fatal(err)
	}
	f.write(certPath, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), 0o644)
	f.write(keyPath, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})), 0o600)
}

func (f *fixture) run() map[string]Result {
	f.t.Helper()
	results := Run(f.site, f.sys)
	byName := map[string]Result{}
	for _, r := range results {
		if _, dup := byName[r.Name]; dup {
			f.t.Fatalf("two checks are named %q", r.Name)
		}
		byName[r.Name] = r
	}
	return byName
}

// TestAllPass: the fixture is a good server, so every failure below is the test's doing.
func TestAllPass(t *testing.T) {
	f := newFixture(t)
	results := f.run()
	for _, c := range Checks {
		if c.Name == "certificate renewal" {
			continue // it says nothing of a certificate that is not certbot's, as the fixture's is not
		}
		if _, ran := results[c.Name]; ran == c.OAuthOnly {
			t.Errorf("check %q: result on a PAM site %v, want %v (a check's result carries its name in Checks)", c.Name, ran, !c.OAuthOnly)
		}
	}
	if len(results) == 0 {
		t.Error("no results")
	}
	for name, r := range results {
		if r.Status != Pass {
			t.Errorf("%s: %s: %s (fix: %s); want ok on the fixture", name, r.Status, r.Detail, r.Fix)
		}
		if r.Detail == "" {
			t.Errorf("%s: no detail", name)
		}
	}
	if len(f.nginxRuns) != 1 {
		t.Fatalf("nginx -t ran %d times, want once", len(f.nginxRuns))
	}
	if anyFailed(Run(f.site, f.sys)) {
		t.Error("anyFailed is true with no failure")
	}
}

// TestEachCheckFails breaks the fixture in one way per row and expects exactly that check to fail
// (or warn), with the detail and the fix a person needs.
func TestEachCheckFails(t *testing.T) {
	tests := []struct {
		name   string
		check  string
		status Status
		breakf func(f *fixture)
		detail string // in the detail
		fix    string // in the fix; "" for none
		others []string
	}{
		{
			name: "certificate and key missing", check: "certificate", status: Fail,
			breakf: func(f *fixture) { f.remove(f.site.TLS.Cert); f.remove(f.site.TLS.Key) },
			detail: "fullchain.pem: does not exist", fix: "test ! -e ROOT/etc/ssl/hub/fullchain.pem && test ! -e ROOT/etc/ssl/hub/privkey.pem && openssl req -x509 -newkey rsa:2048 -nodes -days 90 -subj /CN=hub.example.edu",
			others: []string{"private key", "private key mode", "certificate domain", "certificate expiry", "user subdomains"},
		},
		{
			// The key is there: a new pair would overwrite it, and the site file is the likelier mistake.
			name: "certificate missing beside its key", check: "certificate", status: Fail,
			breakf: func(f *fixture) { f.remove(f.site.TLS.Cert) },
			detail: "fullchain.pem: does not exist", fix: "# tls.key exists: correct the missing path in site.toml",
			// Without a certificate, the key cannot be matched and the domain and dates cannot be read.
			others: []string{"private key", "certificate domain", "certificate expiry", "user subdomains"},
		},
		{
			name: "certificate garbage", check: "certificate", status: Fail,
			breakf: func(f *fixture) { f.write(f.site.TLS.Cert, "not a certificate\n", 0o644) },
			detail: "has no PEM CERTIFICATE block", fix: "# put the PEM file from your CA at tls.cert, or correct tls.cert in the site file",
			others: []string{"private key", "certificate domain", "certificate expiry", "user subdomains"},
		},
		{
			name: "certificate block that does not parse", check: "certificate", status: Fail,
			breakf: func(f *fixture) {
				f.write(f.site.TLS.Cert, "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", 0o644)
			},
			detail: "certificate 1 does not parse",
			others: []string{"private key", "certificate domain", "certificate expiry", "user subdomains"},
		},
		{
			name: "key missing", check: "private key", status: Fail,
			breakf: func(f *fixture) { f.remove(f.site.TLS.Key) },
			detail: "privkey.pem: does not exist", fix: "# tls.cert exists: correct the missing path in site.toml",
			others: []string{"private key mode"},
		},
		{
			name: "key of another certificate", check: "private key", status: Fail,
			breakf: func(f *fixture) {
				f.writeCert("/elsewhere/cert.pem", f.site.TLS.Key, []string{"hub.example.edu"}, now.Add(-time.Hour), now.Add(time.Hour))
			},
			detail: "does not belong to the certificate in tls.cert", fix: "# in site.toml, point tls.key at the key this certificate was made with",
		},
		{
			name: "cert and key swapped", check: "certificate", status: Fail,
			breakf: func(f *fixture) {
				f.writeCert(f.site.TLS.Key, f.site.TLS.Cert, []string{"hub.example.edu"}, now.Add(-time.Hour), now.Add(time.Hour))
			},
			detail: "fullchain.pem: holds a private key, not a certificate (are tls.cert and tls.key swapped in site.toml?)",
			fix:    `# in site.toml, swap them: cert = "/etc/ssl/hub/privkey.pem", key = "/etc/ssl/hub/fullchain.pem"`,
			others: []string{"private key", "private key mode", "certificate domain", "certificate expiry", "user subdomains"},
		},
		{
			name: "key encrypted", check: "private key", status: Fail,
			breakf: func(f *fixture) {
				f.write(f.site.TLS.Key, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n", 0o600)
			},
			detail: "is encrypted with a passphrase",
		},
		{
			name: "key readable by group", check: "private key mode", status: Fail,
			breakf: func(f *fixture) { os.Chmod(f.path(f.site.TLS.Key), 0o640) },
			detail: "mode 0640 lets group or others read the private key", fix: "chmod 600 " + "ROOT/etc/ssl/hub/privkey.pem",
		},
		{
			name: "certificate for another domain", check: "certificate domain", status: Fail,
			breakf: func(f *fixture) {
				f.writeCert(f.site.TLS.Cert, f.site.TLS.Key, []string{"other.example.edu", "www.example.edu"}, now.Add(-time.Hour), now.Add(60*24*time.Hour))
			},
			detail: "does not cover domain hub.example.edu (it names other.example.edu, www.example.edu)", fix: "# point tls.cert and tls.key at a certificate for hub.example.edu, or correct domain in site.toml",
			others: []string{"user subdomains"},
		},
		{
			// The site's certificate without the wildcard: users' hosts would get certificate errors.
			name: "certificate without the wildcard", check: "user subdomains", status: Fail,
			breakf: func(f *fixture) {
				f.writeCert(f.site.TLS.Cert, f.site.TLS.Key, []string{"hub.example.edu"}, now.Add(-time.Hour), now.Add(60*24*time.Hour))
			},
			detail: "the certificate names hub.example.edu, and user subdomains need hub.example.edu and *.hub.example.edu (missing: *.hub.example.edu)",
			fix:    "# get a certificate for hub.example.edu and *.hub.example.edu from your CA (a wildcard needs a DNS challenge)",
		},
		{
			name: "site without user subdomains", check: "user subdomains", status: Warn,
			breakf: func(f *fixture) { f.site.Hub.UserSubdomains = false },
			detail: "a student's server can act as whoever opens its links; see README Security",
			fix:    "# set user_subdomains = true under [hub] in site.toml",
		},
		{
			// No wildcard record: a warning, since a campus resolver may answer otherwise.
			name: "users' hosts do not resolve", check: "user subdomains DNS", status: Warn,
			breakf: func(f *fixture) {
				f.sys.LookupHost = func(host string) ([]string, error) { return nil, fmt.Errorf("lookup %s: no such host", host) }
			},
			detail: ".hub.example.edu does not resolve (lookup hubgen-",
			fix:    "# add the DNS record *.hub.example.edu pointing where hub.example.edu does",
		},
		{
			name: "certificate expired", check: "certificate expiry", status: Fail,
			breakf: func(f *fixture) { f.sys.Now = func() time.Time { return now.Add(61 * 24 * time.Hour) } },
			detail: "the certificate expired on 2027-04-30 12:00 UTC", fix: "# renew the certificate with your CA",
		},
		{
			name: "certificate expires in 5 days", check: "certificate expiry", status: Warn,
			breakf: func(f *fixture) { f.sys.Now = func() time.Time { return now.Add(55 * 24 * time.Hour) } },
			detail: "in 5 days", fix: "# renew the certificate with your CA",
		},
		{
			name: "certificate not valid yet", check: "certificate expiry", status: Fail,
			breakf: func(f *fixture) { f.sys.Now = func() time.Time { return now.Add(-48 * time.Hour) } },
			detail: "is not valid before 2027-02-28 12:00 UTC (is the clock right?)", fix: "timedatectl set-ntp true",
		},
		{
			name: "cookie secret missing", check: "cookie secret", status: Fail,
			breakf: func(f *fixture) { f.remove(f.site.Hub.CookieSecretFile) },
			detail: "hub.cookie_secret_file ROOT/etc/jupyterhub/secrets/cookie: does not exist", fix: "hubgen secrets site.toml --root ROOT",
		},
		{
			name: "cookie secret readable by others", check: "cookie secret", status: Fail,
			breakf: func(f *fixture) { os.Chmod(f.path(f.site.Hub.CookieSecretFile), 0o644) },
			detail: "has mode 0644", fix: "chmod 600 ROOT/etc/jupyterhub/secrets/cookie",
		},
		{
			name: "cookie secret malformed", check: "cookie secret", status: Fail,
			breakf: func(f *fixture) { f.write(f.site.Hub.CookieSecretFile, "secret\n", 0o600) },
			detail: "is not hex", fix: "# if the hub does not use this file, move it aside and make a new one: mv -n ROOT/etc/jupyterhub/secrets/cookie ROOT/etc/jupyterhub/secrets/cookie.bad && hubgen secrets site.toml --root ROOT",
		},
		{
			name: "proxy token missing", check: "proxy auth token", status: Fail,
			breakf: func(f *fixture) { f.remove(f.site.Hub.ProxyAuthTokenFile) },
			detail: "does not exist", fix: "hubgen secrets site.toml --root ROOT",
		},
		{
			name: "dhparam does not parse", check: "dhparam", status: Fail,
			breakf: func(f *fixture) {
				f.write(f.site.TLS.DHParam, "-----BEGIN DH PARAMETERS-----\nMAA=\n-----END DH PARAMETERS-----\n", 0o600)
			},
			detail: "does not parse", fix: "# if the hub does not use this file, move it aside and make a new one: mv -n ROOT/etc/jupyterhub/secrets/dhparam.pem ROOT/etc/jupyterhub/secrets/dhparam.pem.bad && hubgen secrets",
		},
		{
			name: "spawner command missing", check: "spawner.cmd", status: Fail,
			breakf: func(f *fixture) { f.remove("/opt/hub/bin/jupyterhub-singleuser") },
			detail: "jupyterhub-singleuser in [/opt/hub/bin /usr/local/sbin", fix: "ROOT/opt/hub/bin/python3 -m pip install jupyterhub jupyterlab",
		},
		{
			name: "spawner command not executable", check: "spawner.cmd", status: Fail,
			breakf: func(f *fixture) { os.Chmod(f.path("/opt/hub/bin/jupyterhub-singleuser"), 0o644) },
			detail: "is not executable (mode 0644)", fix: "chmod 755 ROOT/opt/hub/bin/jupyterhub-singleuser",
		},
		{
			name: "hub executable missing", check: "hub.executable", status: Fail,
			breakf: func(f *fixture) { f.remove(f.site.Hub.Executable) },
			detail: "hub.executable ROOT/opt/hub/bin/jupyterhub: does not exist", fix: "pip install jupyterhub",
		},
		{
			name: "users without accounts", check: "users", status: Fail,
			breakf: func(f *fixture) {
				f.sys.LookupUser = func(name string) (bool, error) { return name == "prof", nil }
			},
			detail: "2 of 3 users have no system account: kendra, sam", fix: "# on the server itself: hubgen accounts site.toml --apply --passwords new-accounts.csv",
		},
		{
			name: "user lookup fails", check: "users", status: Fail,
			breakf: func(f *fixture) {
				f.sys.LookupUser = func(string) (bool, error) { return false, errors.New("nss: connection refused") }
			},
			detail: "cannot look up user prof: nss: connection refused",
		},
		{
			name: "state_dir missing", check: "state_dir", status: Fail,
			breakf: func(f *fixture) { f.remove(f.site.Hub.StateDir) },
			detail: "hub.state_dir ROOT/srv/hub: does not exist", fix: "mkdir -p -m 0700 ROOT/srv/hub",
		},
		{
			name: "state_dir a file", check: "state_dir", status: Fail,
			breakf: func(f *fixture) { f.remove(f.site.Hub.StateDir); f.write(f.site.Hub.StateDir, "", 0o644) },
			detail: "is not a directory",
			others: []string{"database schema"},
		},
		{
			name: "database from an older JupyterHub", check: "database schema", status: Warn,
			breakf: func(f *fixture) { f.database(jupyterHub52, "651f5419b74d") },
			detail: "ROOT/srv/hub/jupyterhub.sqlite: schema 651f5419b74d, from an older JupyterHub than 5.2.1 (4621fec11365): the hub upgrades it at its next start",
			fix:    "systemctl restart jupyterhub",
		},
		{
			name: "database from a newer JupyterHub", check: "database schema", status: Fail,
			breakf: func(f *fixture) { f.database(jupyterHub30, "4621fec11365") },
			detail: "schema 4621fec11365 is not one JupyterHub 3.0.0 knows (its newest is 651f5419b74d): a newer JupyterHub made it, and this one would refuse to start",
			fix:    "ls -l ROOT/srv/hub/jupyterhub.sqlite.*  # install the JupyterHub that made it again",
		},
		{
			name: "database of something else", check: "database schema", status: Warn,
			breakf: func(f *fixture) { f.database(jupyterHub30, "") },
			detail: "has no alembic_version table",
		},
		{
			name: "culler not installed", check: "hub python", status: Fail,
			breakf: func(f *fixture) {
				f.sys.PyImport = func(python, module string) error { return errors.New("No module named " + module) }
			},
			detail: "ROOT/opt/hub/bin/python3 cannot import jupyterhub_idle_culler",
			fix:    "ROOT/opt/hub/bin/python3 -m pip install jupyterhub-idle-culler",
		},
		{
			name: "culler not installed in Debian's Python", check: "hub python", status: Fail,
			breakf: func(f *fixture) {
				f.write(f.site.Hub.Executable, "#!/usr/bin/python3\n# Debian's jupyterhub\n", 0o755)
				f.write("/usr/bin/python3", "#!/bin/sh\n", 0o755)
				f.sys.PyImport = func(python, module string) error {
					if python != filepath.Join(f.root, "usr/bin/python3") {
						return fmt.Errorf("asked %s, not the #! line's Python", python)
					}
					return errors.New("No module named " + module)
				}
			},
			detail: "ROOT/usr/bin/python3 cannot import jupyterhub_idle_culler",
			fix:    "apt-get install python3-pip python3-dateutil python3-packaging python3-tornado python3-traitlets && ROOT/usr/bin/python3 -m pip install --break-system-packages --no-deps jupyterhub-idle-culler",
		},
		{
			name: "systemdspawner not installed", check: "hub python", status: Fail,
			breakf: func(f *fixture) {
				f.site.Spawner.Kind = schema.SpawnerSystemd
				f.sys.PyImport = func(python, module string) error {
					if module == "systemdspawner" {
						return errors.New("No module named " + module)
					}
					return nil
				}
			},
			detail: "ROOT/opt/hub/bin/python3 cannot import systemdspawner",
			fix:    "ROOT/opt/hub/bin/python3 -m pip install jupyterhub-systemdspawner",
		},
		{
			name: "nginx -t fails", check: "nginx -t", status: Fail,
			breakf: func(f *fixture) {
				f.sys.NginxTest = func(nginx, conf string) ([]byte, error) {
					return []byte("nginx: [emerg] unknown directive \"http2\" in " + conf + ":46\nnginx: configuration file " + conf + " test failed\n"), errors.New("exit status 1")
				}
			},
			detail: `/usr/sbin/nginx rejects the rendered nginx.conf: unknown directive "http2" in nginx.conf:46`,
			fix:    "# set nginx.version = what nginx -v prints in site.toml, then: hubgen render site.toml -o ROOT/etc && nginx -t",
		},
		{
			name: "nginx -t warns", check: "nginx -t", status: Warn,
			breakf: func(f *fixture) {
				f.sys.NginxTest = func(nginx, conf string) ([]byte, error) {
					return []byte("2026/11/23 16:01:21 [warn] 4682#4682: the \"listen ... http2\" directive is deprecated, use the \"http2\" directive instead in " + conf + ":31\n"), nil
				}
			},
			detail: `accepts the rendered nginx.conf, with warnings: the "listen ... http2" directive is deprecated, use the "http2" directive instead in nginx.conf:31`,
			fix:    "# set nginx.version = what nginx -v prints in site.toml, then: hubgen render site.toml -o ROOT/etc && nginx -t",
		},
		{
			// Debian 12's nginx with a site written for Debian 13's.
			name: "nginx older than nginx.version", check: "nginx version", status: Fail,
			breakf: func(f *fixture) { f.site.Nginx.Version = "1.26" },
			detail: "nginx.version is \"1.26\", so hubgen writes `http2 on;`, which nginx 1.22.1 (/usr/sbin/nginx) does not know",
			fix:    `# set nginx.version = "1.22" in site.toml, then: hubgen render site.toml -o ROOT/etc && nginx -t`,
		},
		{
			// 1.25.0 has neither the directive nor the deprecation: it takes 1.24's form.
			name: "nginx 1.25.0", check: "nginx version", status: Fail,
			breakf: func(f *fixture) {
				f.site.Nginx.Version = "1.25"
				f.sys.NginxVersion = func(string) ([]byte, error) { return []byte("nginx version: nginx/1.25.0\n"), nil }
			},
			detail: "which nginx 1.25.0 (/usr/sbin/nginx) does not know",
			fix:    `# set nginx.version = "1.24" in site.toml, then:`,
		},
		{
			// Debian 13's nginx with the default nginx.version.
			name: "nginx newer than nginx.version", check: "nginx version", status: Warn,
			breakf: func(f *fixture) {
				f.sys.NginxVersion = func(string) ([]byte, error) { return []byte("nginx version: nginx/1.26.3\n"), nil }
			},
			detail: "nginx.version is \"1.22\", so hubgen writes `listen ... ssl http2`, which nginx 1.26.3 deprecates",
			fix:    `# set nginx.version = "1.26" in site.toml, then: hubgen render site.toml -o ROOT/etc && nginx -t`,
		},
		{
			name: "nginx -v unreadable", check: "nginx version", status: Warn,
			breakf: func(f *fixture) {
				f.sys.NginxVersion = func(string) ([]byte, error) { return []byte("segfault\n"), errors.New("signal: segmentation fault") }
			},
			detail: `/usr/sbin/nginx -v: cannot read a version from "segfault" (signal: segmentation fault); nginx.version is "1.22"`,
		},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.check] = true
	}
	for name := range newFixture(t).run() {
		if !covered[name] {
			t.Errorf("no test makes check %q fail", name)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tt.breakf(f)
			results := f.run()
			r := results[tt.check]
			detail := strings.ReplaceAll(r.Detail, f.root, "ROOT")
			fix := strings.ReplaceAll(r.Fix, f.root, "ROOT")
			if r.Status != tt.status || !strings.Contains(detail, tt.detail) || !strings.Contains(fix, tt.fix) {
				t.Errorf("%s: %s: %s\n  fix: %s\nwant %s with %q, fix with %q", tt.check, r.Status, detail, fix, tt.status, tt.detail, tt.fix)
			}
			if (r.Status == Fail || r.Status == Warn) && r.Fix == "" && tt.fix != "" {
				t.Errorf("%s: no fix", tt.check)
			}
			if msg := destroys(r.Fix, f); msg != "" {
				t.Errorf("%s: fix %q %s", tt.check, fix, msg)
			}
			if anyFailed(Run(f.site, f.sys)) != (tt.status == Fail) {
				t.Errorf("anyFailed = %v with a %s", !(tt.status == Fail), tt.status)
			}
			// The break must not spill into checks it has nothing to do with.
			for name, other := range results {
				if name == tt.check || other.Status == Pass || slices.Contains(tt.others, name) {
					continue
				}
				t.Errorf("%s also %s: %s", name, other.Status, other.Detail)
			}
		})
	}
}

// destroys says how fix would destroy or replace a file of the broken fixture f, or "" when it
// would not: a fix line is pasted by someone who trusts it.
func destroys(fix string, f *fixture) string {
	cert, key := f.path(f.site.TLS.Cert), f.path(f.site.TLS.Key)
	// The first-certificate fix removes only the stand-in pair it made and moved aside itself.
	if made := regexp.MustCompile(` mv -T \S+ (\S+\.stand-in) `).FindStringSubmatch(fix); made != nil {
		fix = strings.ReplaceAll(fix, " rm -r "+made[1], "")
	}
	// A guard on the key's directory (the certificate's lineage) guards the key in it.
	keyGuarded := strings.Contains(fix, "test ! -e "+shell.Quote(key)) || strings.HasPrefix(fix, "test ! -e "+shell.Quote(filepath.Dir(key))+" ")
	switch {
	case strings.Contains(fix, "-keyout") && (exists(cert) || exists(key)):
		return "writes a new key and certificate over ones that exist"
	case strings.Contains(fix, "-keyout") && !keyGuarded:
		return "writes a new key without checking that none exists"
	case strings.Contains(fix, "certbot certonly") && !strings.HasPrefix(fix, "test ! -e /etc/letsencrypt/live/") && !strings.HasPrefix(fix, "test ! -e "+shell.Quote(f.path("/etc/letsencrypt/live/"))) || strings.Contains(fix, "--force-renewal"):
		return "reissues a certificate that exists"
	case strings.HasPrefix(fix, "rm ") || strings.Contains(fix, " rm ") || strings.Contains(fix, "install -d"):
		return "removes or re-modes something that exists"
	}
	return ""
}

func TestNginxSkippedWhenNotInstalled(t *testing.T) {
	f := newFixture(t)
	f.sys.Nginx = ""
	r := f.run()["nginx -t"]
	if r.Status != Skip || r.Detail != "nginx is not installed" || len(f.nginxRuns) != 0 {
		t.Errorf("nginx -t without nginx: %s: %s (ran %d times), want skip", r.Status, r.Detail, len(f.nginxRuns))
	}
	if anyFailed(Run(f.site, f.sys)) {
		t.Error("a skipped check counts as a failure")
	}
}

// TestNginxTestSeesRootedFiles: with a root, the config nginx -t reads names the files under it,
// and its pid file is in the temporary directory, never /run.
func TestNginxTestSeesRootedFiles(t *testing.T) {
	f := newFixture(t)
	var conf string
	f.sys.NginxTest = func(nginx, path string) ([]byte, error) {
		data, err := os.ReadFile(path)
		conf = string(data)
		return nil, err
	}
	if r := f.run()["nginx -t"]; r.Status != Pass {
		t.Fatalf("nginx -t: %s: %s", r.Status, r.Detail)
	}
	for _, want := range []string{
		"ssl_certificate " + f.path("/etc/ssl/hub/fullchain.pem") + ";",
		"ssl_certificate_key " + f.path("/etc/ssl/hub/privkey.pem") + ";",
		"ssl_dhparam " + f.path("/etc/jupyterhub/secrets/dhparam.pem") + ";",
		"root " + f.path("/var/www/letsencrypt") + ";",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("the config nginx -t read lacks %q", want)
		}
	}
	if strings.Contains(conf, "pid /run/") || !strings.Contains(conf, "hubgen-doctor-") {
		t.Errorf("the pid file is not in the temporary directory:\n%s", grepLine(conf, "pid "))
	}
}

// TestRealNginx has the installed nginx judge the fixture: it accepts the good one and names the
// missing certificate of a broken one.
func TestRealNginx(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		nginx, err = exec.LookPath("/usr/sbin/nginx")
	}
	if err != nil || os.Geteuid() != 0 {
		t.Skip("needs nginx, and root for its log files")
	}
	f := newFixture(t)
	f.sys.Nginx, f.sys.NginxTest, f.sys.NginxVersion = nginx, runNginxTest, runNginxVersion
	if r := f.run()["nginx -t"]; r.Status != Pass {
		t.Fatalf("nginx -t on the fixture: %s: %s", r.Status, r.Detail)
	}
	// The real nginx -v is read: its version and the default nginx.version agree on Debian 12.
	if r := f.run()["nginx version"]; r.Status == Skip || !strings.Contains(r.Detail, "nginx 1.") {
		t.Errorf("nginx version with the real nginx -v: %s: %s", r.Status, r.Detail)
	}
	f.remove(f.site.TLS.DHParam)
	r := f.run()["nginx -t"]
	if r.Status != Fail || !strings.Contains(r.Detail, "dhparam.pem") {
		t.Errorf("nginx -t without the dhparam file: %s: %s; want a failure naming it", r.Status, r.Detail)
	}
}

func TestParsePrivateKey(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	block := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	for name, text := range map[string]string{
		"PKCS #1":           block("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)),
		"PKCS #8":           block("PRIVATE KEY", pkcs8),
		"SEC 1 with params": block("EC PARAMETERS", []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}) + block("EC PRIVATE KEY", ecDER),
	} {
		if _, err := parsePrivateKey([]byte(text)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A key that does not parse: the message names the block, never its bytes.
	_, err = parsePrivateKey([]byte(block("RSA PRIVATE KEY", []byte("0123456789 secret bytes"))))
	if err == nil || !strings.Contains(err.Error(), "RSA PRIVATE KEY block does not parse") || strings.Contains(err.Error(), "secret") {
		t.Errorf("bad key: %v", err)
	}
}

// TestLetsEncryptFixes: certbot is suggested to issue a certificate only where certbot has none,
// and never to reissue one that exists; renewal is for expiry only.
func TestLetsEncryptFixes(t *testing.T) {
	tests := []struct {
		name, check string
		breakf      func(f *fixture)
		fix         string
	}{
		{"nothing there yet", "certificate", func(f *fixture) { f.remove("/etc/letsencrypt") },
			"test ! -e ROOT/etc/letsencrypt/live/hub.example.edu && mkdir -p ROOT/var/www/letsencrypt && mkdir -p -m 700 ROOT/etc/letsencrypt/live/hub.example.edu" +
				" && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=stand-in -keyout ROOT/etc/letsencrypt/live/hub.example.edu/privkey.pem -out ROOT/etc/letsencrypt/live/hub.example.edu/fullchain.pem" +
				" && nginx -t && systemctl reload-or-restart nginx && mv -T ROOT/etc/letsencrypt/live/hub.example.edu ROOT/etc/letsencrypt/live/hub.example.edu.stand-in" +
				" && certbot certonly --webroot -w ROOT/var/www/letsencrypt -d hub.example.edu --cert-name hub.example.edu --config-dir ROOT/etc/letsencrypt --deploy-hook 'systemctl reload nginx'" +
				" && rm -r ROOT/etc/letsencrypt/live/hub.example.edu.stand-in  # the first certificate, through nginx: README, Certificates"},
		{"the lineage without these files", "certificate", func(f *fixture) {
			f.remove(f.site.TLS.Cert)
			f.remove(f.site.TLS.Key)
		}, "certbot certificates  # lists what certbot has; point tls.cert and tls.key at one of them"},
		{"another domain", "certificate domain", func(f *fixture) {
			f.writeCert(f.site.TLS.Cert, f.site.TLS.Key, []string{"other.example.edu"}, now.Add(-time.Hour), now.Add(60*24*time.Hour))
		}, "certbot certificates  # find the one for hub.example.edu and point tls.cert and tls.key at it, or correct domain in site.toml"},
		{"expired", "certificate expiry", func(f *fixture) { f.sys.Now = func() time.Time { return now.Add(90 * 24 * time.Hour) } },
			"certbot renew --cert-name hub.example.edu"},
		{"the key of another lineage", "private key", func(f *fixture) {
			f.writeCert("/etc/letsencrypt/live/old.example.edu/fullchain.pem", "/etc/letsencrypt/live/old.example.edu/privkey.pem", []string{"old.example.edu"}, now.Add(-time.Hour), now.Add(time.Hour))
			f.site.TLS.Key = "/etc/letsencrypt/live/old.example.edu/privkey.pem"
		}, `# in site.toml, take the key from the certificate's directory: key = "/etc/letsencrypt/live/hub.example.edu/privkey.pem"`},
		// The wildcard comes from a DNS-01 challenge, into a lineage of its own: the certificate
		// in use is neither reissued nor expanded.
		{"no wildcard for user subdomains", "user subdomains", func(f *fixture) {
			f.writeCert(f.site.TLS.Cert, f.site.TLS.Key, []string{"hub.example.edu"}, now.Add(-time.Hour), now.Add(60*24*time.Hour))
		}, "test ! -e ROOT/etc/letsencrypt/live/hub.example.edu-subdomains && certbot certonly --manual --preferred-challenges dns --cert-name hub.example.edu-subdomains -d hub.example.edu -d '*.hub.example.edu'  # or --dns-PLUGIN from Debian's python3-certbot-dns-* for your DNS provider instead of --manual (it renews alone); then point tls.cert and tls.key at ROOT/etc/letsencrypt/live/hub.example.edu-subdomains/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureOf(t, letsEncryptSite)
			tt.breakf(f)
			r := f.run()[tt.check]
			if fix := strings.ReplaceAll(r.Fix, f.root, "ROOT"); r.Status == Pass || fix != tt.fix {
				t.Errorf("%s: %s: %s\n  fix: %s\nwant the fix %s", tt.check, r.Status, r.Detail, fix, tt.fix)
			}
			if msg := destroys(r.Fix, f); msg != "" {
				t.Errorf("%s: fix %s", tt.check, msg)
			}
		})
	}
}

func grepLine(text, prefix string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), prefix) {
			return line
		}
	}
	return fmt.Sprintf("(no line starting %q)", prefix)
}

// TestFixesFix runs the printed fix of each failure whose fix needs nothing but a shell (and
// openssl), then the check again: the fix is a command that works, not advice.
func TestFixesFix(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	tests := []struct {
		check  string
		breakf func(f *fixture)
	}{
		{"private key mode", func(f *fixture) { os.Chmod(f.path(f.site.TLS.Key), 0o644) }},
		{"cookie secret", func(f *fixture) { os.Chmod(f.path(f.site.Hub.CookieSecretFile), 0o640) }},
		{"spawner.cmd", func(f *fixture) { os.Chmod(f.path("/opt/hub/bin/jupyterhub-singleuser"), 0o600) }},
		{"state_dir", func(f *fixture) { f.remove(f.site.Hub.StateDir) }},
		{"certificate", func(f *fixture) {
			f.remove("/etc/ssl")
			f.sys.Now = time.Now // openssl dates the new certificate from the real clock
		}},
	}
	for _, tt := range tests {
		t.Run(tt.check, func(t *testing.T) {
			t.Parallel()
			if _, err := exec.LookPath("openssl"); err != nil && tt.check == "certificate" {
				t.Skip("openssl is not installed")
			}
			f := newFixture(t)
			tt.breakf(f)
			r := f.run()[tt.check]
			if r.Status != Fail || r.Fix == "" {
				t.Fatalf("%s: %s: %s, fix %q; want a failure with a fix", tt.check, r.Status, r.Detail, r.Fix)
			}
			if out, err := exec.Command(sh, "-c", r.Fix).CombinedOutput(); err != nil {
				t.Fatalf("fix %q: %v\n%s", r.Fix, err, out)
			}
			for name, r := range f.run() {
				if r.Status != Pass {
					t.Errorf("after the fix %q: %s: %s: %s", tt.check, name, r.Status, r.Detail)
				}
			}
		})
	}
}

// anyFailed tells whether any result failed; warnings do not count.
func anyFailed(results []Result) bool {
	return slices.ContainsFunc(results, func(r Result) bool { return r.Status == Fail })
}

// TestPermissionDeniedMeansRunAsRoot: doctor run by someone who may not read the root-only key
// must not take "permission denied" for a missing key and offer a new pair over it. Root reads
// everything, so as root the check runs in a copy of this test binary as nobody.
func TestPermissionDeniedMeansRunAsRoot(t *testing.T) {
	if root := os.Getenv("HUBGEN_TEST_UNREADABLE_KEY_ROOT"); root != "" {
		f := newFixtureAt(t, root)
		assertRunAsRoot(t, f)
		return
	}
	f := newFixture(t)
	if err := os.Chmod(f.path(f.site.TLS.Key), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if err := os.Chmod(f.path(f.site.TLS.Key), 0); err != nil {
			t.Fatal(err)
		}
		assertRunAsRoot(t, f)
		return
	}
	// nobody must be able to reach the fixture and run the test binary, as on a server where
	// only the key is root's.
	for dir := f.path(filepath.Dir(f.site.TLS.Key)); ; dir = filepath.Dir(dir) {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if dir == filepath.Dir(f.root) {
			break
		}
	}
	bin := filepath.Join(f.root, "doctor.test")
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestPermissionDeniedMeansRunAsRoot$", "-test.v")
	cmd.Env = append(os.Environ(), "HUBGEN_TEST_UNREADABLE_KEY_ROOT="+f.root)
	cmd.Dir = f.root
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Errorf("as nobody: %v\n%s", err, out)
	}
}

// newFixtureAt is the fixture whose files another process made under root.
func newFixtureAt(t *testing.T, root string) *fixture {
	t.Helper()
	f := newFixture(t) // for its site and System; its own files are not used
	f.root, f.sys.Root = root, root
	return f
}

func assertRunAsRoot(t *testing.T, f *fixture) {
	t.Helper()
	r := f.run()["private key"]
	want := "sudo hubgen doctor site.toml --root " + shell.Quote(f.root)
	if r.Status != Fail || !strings.Contains(r.Detail, "permission denied") || r.Fix != want {
		t.Errorf("private key unreadable: %s: %s\n  fix: %s\nwant a failure saying permission denied, fix %s", r.Status, r.Detail, r.Fix, want)
	}
}

// TestDHParamsNginxTakes: DH parameters are public, so 0644 is fine, and `openssl dhparam
// -dsaparam`'s X9.42 form is what nginx reads too.
func TestDHParamsNginxTakes(t *testing.T) {
	f := newFixture(t)
	if err := os.Chmod(f.path(f.site.TLS.DHParam), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := f.run()["dhparam"]; r.Status != Pass {
		t.Errorf("dhparam 0644: %s: %s", r.Status, r.Detail)
	}
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		testsys.SkipOrFail(t, "openssl is not installed")
	}
	f.remove(f.site.TLS.DHParam)
	if out, err := exec.Command(openssl, "dhparam", "-dsaparam", "-out", f.path(f.site.TLS.DHParam), "2048").CombinedOutput(); err != nil {
		t.Fatalf("openssl dhparam -dsaparam: %v\n%s", err, out)
	}
	if r := f.run()["dhparam"]; r.Status != Pass || !strings.Contains(r.Detail, "2048-bit DH prime") {
		t.Errorf("X9.42 dhparam: %s: %s", r.Status, r.Detail)
	}
	// And nginx, which the file is for, takes it too.
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		nginx, err = exec.LookPath("/usr/sbin/nginx")
	}
	if err != nil || os.Geteuid() != 0 {
		testsys.SkipOrFail(t, "checking the X9.42 file with nginx -t needs nginx, and root for its log files")
	}
	f.sys.Nginx, f.sys.NginxTest = nginx, runNginxTest
	if r := f.run()["nginx -t"]; r.Status != Pass {
		t.Errorf("nginx -t with the X9.42 dhparam: %s: %s", r.Status, r.Detail)
	}
}
