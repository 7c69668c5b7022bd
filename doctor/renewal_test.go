package doctor

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// renewalConf is renewal/hub.example.edu.conf as Debian 12's certbot 2.1 writes it after
// `certbot certonly --webroot -w /var/www/letsencrypt -d hub.example.edu --deploy-hook
// 'systemctl reload nginx'` (the shape TestCertificateIssueAndRenew in e2e/ gets from the real
// certbot), with params standing for the [renewalparams] lines that vary.
func renewalConf(params string) string {
	return `# renew_before_expiry = 30 days
version = 2.1.0
archive_dir = /etc/letsencrypt/archive/hub.example.edu
cert = /etc/letsencrypt/live/hub.example.edu/cert.pem
privkey = /etc/letsencrypt/live/hub.example.edu/privkey.pem
chain = /etc/letsencrypt/live/hub.example.edu/chain.pem
fullchain = /etc/letsencrypt/live/hub.example.edu/fullchain.pem

# Options used in the renewal process
[renewalparams]
account = 55666a2655c86ccedbb88d3163f501e8
server = https://acme-v02.api.letsencrypt.org/directory
key_type = ecdsa
` + params
}

const (
	webrootParams = `authenticator = webroot
webroot_path = /var/www/letsencrypt,
[[webroot_map]]
hub.example.edu = /var/www/letsencrypt
`
	reloadHook = "renew_hook = systemctl reload nginx\n"
)

func TestRenewal(t *testing.T) {
	tests := []struct {
		name   string
		conf   string // "" for no renewal file
		setup  func(f *fixture)
		status Status
		detail string
		fix    string
	}{
		{name: "webroot through nginx, with the reload hook", conf: renewalConf(reloadHook + webrootParams),
			status: Pass, detail: "authenticator webroot, and a hook reloads nginx"},
		{name: "a quoted hook, as configobj writes one with quotes in it", conf: renewalConf(`renew_hook = 'kill -HUP "$(cat /run/nginx.pid)"'` + "\n" + webrootParams),
			status: Pass},
		{name: "standalone, as doctor used to advise", conf: renewalConf("authenticator = standalone\n"),
			status: Fail, detail: "authenticator standalone needs port 80, which nginx holds: renewal would fail; no deploy hook reloads nginx",
			fix: "certbot reconfigure --cert-name hub.example.edu --config-dir ROOT/etc/letsencrypt --webroot -w ROOT/var/www/letsencrypt --deploy-hook 'systemctl reload nginx'  # certbot 2.3 or later"},
		{name: "standalone that stops nginx", conf: renewalConf("authenticator = standalone\npre_hook = systemctl stop nginx\npost_hook = systemctl start nginx\n"),
			status: Warn, detail: "stops nginx for every renewal",
			fix: "certbot reconfigure --cert-name hub.example.edu --config-dir ROOT/etc/letsencrypt --webroot -w ROOT/var/www/letsencrypt  # certbot"},
		{name: "another webroot", conf: renewalConf(reloadHook + "authenticator = webroot\nwebroot_path = /var/www/html,\n[[webroot_map]]\nhub.example.edu = /var/www/html\n"),
			status: Fail, detail: "certbot writes the challenge into /var/www/html, but nginx serves /.well-known/acme-challenge/ from nginx.acme_webroot /var/www/letsencrypt",
			fix: "--webroot -w ROOT/var/www/letsencrypt  # certbot"},
		{name: "the domain's webroot_map entry wins over webroot_path", conf: renewalConf(reloadHook + "authenticator = webroot\nwebroot_path = /var/www/letsencrypt,\n[[webroot_map]]\nhub.example.edu = /srv/acme\n"),
			status: Fail, detail: "into /srv/acme"},
		{name: "manual", conf: renewalConf(reloadHook + "authenticator = manual\n"),
			status: Fail, detail: "needs a person at each renewal"},
		{name: "no reload hook", conf: renewalConf(webrootParams),
			status: Warn, detail: "no deploy hook reloads nginx: it would go on serving the old certificate",
			fix: "test ! -e ROOT/etc/letsencrypt/renewal-hooks/deploy/reload-nginx && mkdir -p ROOT/etc/letsencrypt/renewal-hooks/deploy && printf '#!/bin/sh\\nsystemctl reload nginx\\n' > ROOT/etc/letsencrypt/renewal-hooks/deploy/reload-nginx && chmod 755 ROOT/etc/letsencrypt/renewal-hooks/deploy/reload-nginx"},
		{name: "a hook in renewal-hooks/deploy", conf: renewalConf(webrootParams),
			setup: func(f *fixture) {
				f.write("/etc/letsencrypt/renewal-hooks/deploy/nginx", "#!/bin/sh\nnginx -s reload\n", 0o755)
			},
			status: Pass},
		{name: "a hook file that is not executable", conf: renewalConf(webrootParams),
			setup:  func(f *fixture) { f.write("/etc/letsencrypt/renewal-hooks/deploy/nginx", "nginx -s reload\n", 0o644) },
			status: Warn, detail: "no deploy hook"},
		{name: "a certificate certbot did not issue", conf: "",
			status: Fail, detail: "renewal/hub.example.edu.conf: does not exist: certbot will never renew this certificate"},
		{name: "no certificate yet", conf: "",
			setup:  func(f *fixture) { f.remove("/etc/letsencrypt") },
			status: Skip, detail: "no certificate yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureOf(t, letsEncryptSite)
			if tt.conf != "" {
				f.write("/etc/letsencrypt/renewal/hub.example.edu.conf", tt.conf, 0o644)
			}
			if tt.setup != nil {
				tt.setup(f)
			}
			r := f.run()["certificate renewal"]
			detail, fix := strings.ReplaceAll(r.Detail, f.root, "ROOT"), strings.ReplaceAll(r.Fix, f.root, "ROOT")
			if r.Status != tt.status || !strings.Contains(detail, tt.detail) || !strings.Contains(fix, tt.fix) {
				t.Errorf("%s: %s\n  fix: %s\nwant %s with %q, fix with %q", r.Status, detail, fix, tt.status, tt.detail, tt.fix)
			}
			if (r.Status == Fail || r.Status == Warn) && r.Fix == "" {
				t.Error("no fix")
			}
			if msg := destroys(r.Fix, f); msg != "" {
				t.Errorf("fix %q %s", fix, msg)
			}
		})
	}
}

// TestRenewalHookFix runs the fix for a missing reload hook: after it the check passes, and a
// second paste changes nothing (the hook that is there is kept).
func TestRenewalHookFix(t *testing.T) {
	f := newFixtureOf(t, letsEncryptSite)
	f.write("/etc/letsencrypt/renewal/hub.example.edu.conf", renewalConf(webrootParams), 0o644)
	r := f.run()["certificate renewal"]
	if r.Status != Warn {
		t.Fatalf("%s: %s, want a warning", r.Status, r.Detail)
	}
	if out, err := exec.Command("sh", "-c", r.Fix).CombinedOutput(); err != nil {
		t.Fatalf("fix %q: %v\n%s", r.Fix, err, out)
	}
	if r := f.run()["certificate renewal"]; r.Status != Pass {
		t.Errorf("after the fix: %s: %s", r.Status, r.Detail)
	}
	f.write("/etc/letsencrypt/renewal-hooks/deploy/reload-nginx", "#!/bin/sh\n# the administrator's own\n", 0o755)
	_ = exec.Command("sh", "-c", r.Fix).Run() // fails at its test: the hook exists
	if got, _ := os.ReadFile(f.path("/etc/letsencrypt/renewal-hooks/deploy/reload-nginx")); !strings.Contains(string(got), "administrator's own") {
		t.Errorf("a second paste replaced the hook: %q", got)
	}
}

// TestRenewalOtherConfigDir: a certificate certbot keeps under another --config-dir (DIR/live/NAME
// with DIR/renewal beside it) is checked there, and the fixes name that directory.
func TestRenewalOtherConfigDir(t *testing.T) {
	site := strings.ReplaceAll(siteText, "/etc/ssl/hub/", "/srv/certbot/live/hub.example.edu/")
	f := newFixtureOf(t, site)
	f.write("/srv/certbot/renewal/hub.example.edu.conf", renewalConf("authenticator = standalone\n"), 0o644)
	r := f.run()["certificate renewal"]
	fix := strings.ReplaceAll(r.Fix, f.root, "ROOT")
	if r.Status != Fail || !strings.Contains(fix, "--config-dir ROOT/srv/certbot ") {
		t.Errorf("%s: %s\n  fix: %s\nwant a failure, with certbot's --config-dir ROOT/srv/certbot", r.Status, r.Detail, fix)
	}
}

// TestFirstCertificateFixStapling: with OCSP stapling, nginx -t wants tls.trusted_certificate to
// exist, so the stand-in is copied to chain.pem too (certbot writes the real one).
func TestFirstCertificateFixStapling(t *testing.T) {
	site := strings.Replace(letsEncryptSite, "[users]", "trusted_certificate = \"/etc/letsencrypt/live/hub.example.edu/chain.pem\"\n[users]", 1)
	f := newFixtureOf(t, site)
	f.remove("/etc/letsencrypt")
	fix := strings.ReplaceAll(f.run()["certificate"].Fix, f.root, "ROOT")
	want := "-out ROOT/etc/letsencrypt/live/hub.example.edu/fullchain.pem && cp ROOT/etc/letsencrypt/live/hub.example.edu/fullchain.pem ROOT/etc/letsencrypt/live/hub.example.edu/chain.pem && nginx -t"
	if !strings.Contains(fix, want) {
		t.Errorf("fix:\n%s\nwant it to contain\n%s", fix, want)
	}
}
