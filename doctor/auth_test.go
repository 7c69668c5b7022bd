package doctor

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/hubgen/hubgen/schema"
)

// oauthFixture is the fixture's server with the site signing in at an OIDC provider, its client
// secret in place and oauthenticator importable.
func oauthFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	site, err := schema.Parse("site.toml", []byte(siteText+`
[auth]
type = "oidc"
client_id = "hub"
authorize_url = "https://login.example.edu/authorize"
token_url = "https://login.example.edu/token"
userdata_url = "https://login.example.edu/userinfo"
`))
	if err != nil {
		t.Fatal(err)
	}
	f.site = site
	f.write(site.Auth.ClientSecretFile, "s3cret-value\n", 0o600)
	f.write(site.Hub.Executable, "#!/opt/hub/bin/python3.11\n", 0o755)
	f.write("/opt/hub/bin/python3.11", "#!/bin/sh\n", 0o755)
	f.write("/usr/sbin/useradd", "#!/bin/sh\n", 0o755)
	f.sys.ImportOAuthenticator = func(python string) (string, error) {
		if python != "/opt/hub/bin/python3.11" {
			t.Errorf("imported with %s, want the #! line's Python", python)
		}
		return "17.4.0", nil
	}
	f.sys.LookupUser = func(string) (bool, error) { return false, nil }
	return f
}

func TestOAuthChecks(t *testing.T) {
	f := oauthFixture(t)
	results := f.run()
	for name, r := range results {
		if r.Status != Pass {
			t.Errorf("%s: %s: %s (fix: %s); want ok", name, r.Status, r.Detail, r.Fix)
		}
		if strings.Contains(r.Detail, "s3cret") {
			t.Errorf("%s prints the client secret: %s", name, r.Detail)
		}
	}
	if got := results["oauth callback URL"].Detail; !strings.Contains(got, "https://hub.example.edu/hub/oauth_callback") {
		t.Errorf("callback URL check says %q", got)
	}
	if got := results["users"].Detail; !strings.Contains(got, "makes each admin's and allowed user's system account itself") {
		t.Errorf("users check on an OAuth site says %q, want that the hub makes the accounts", got)
	}

	for _, c := range []struct {
		name, check, detail, fix string
		breakf                   func(*fixture)
	}{
		{"secret missing", "oauth client secret", "oauth_client_secret: does not exist", "(umask 077 && touch ROOT/srv/hub/oauth_client_secret) && editor ROOT/srv/hub/oauth_client_secret",
			func(f *fixture) { f.remove(f.site.Auth.ClientSecretFile) }},
		{"secret readable by others", "oauth client secret", "mode 0644 lets other users read the client secret", "chmod 600 ROOT/srv/hub/oauth_client_secret",
			func(f *fixture) { os.Chmod(f.path(f.site.Auth.ClientSecretFile), 0o644) }},
		{"secret empty", "oauth client secret", "is empty", "editor ROOT/srv/hub/oauth_client_secret",
			func(f *fixture) { f.write(f.site.Auth.ClientSecretFile, " \n", 0o600) }},
		{"oauthenticator missing", "oauthenticator", "cannot import oauthenticator", "/opt/hub/bin/python3.11 -m pip install oauthenticator",
			func(f *fixture) {
				f.sys.ImportOAuthenticator = func(string) (string, error) { return "", errors.New("No module named 'oauthenticator'") }
			}},
		{"useradd missing", "useradd", "does not exist", "apt-get install passwd",
			func(f *fixture) { f.remove("/usr/sbin/useradd") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := oauthFixture(t)
			c.breakf(f)
			r := f.run()[c.check]
			fix := strings.ReplaceAll(r.Fix, f.root, "ROOT")
			if r.Status != Fail || !strings.Contains(r.Detail, c.detail) || fix != c.fix {
				t.Errorf("%s: %s %q (fix %q); want FAIL with %q, fix %q", c.check, r.Status, r.Detail, fix, c.detail, c.fix)
			}
		})
	}
}

// TestLTI13Checks: doctor prints the URLs to register with the platform, checks the hub's Python
// imports ltiauthenticator (printing how to install it when not), and runs no OAuth check.
func TestLTI13Checks(t *testing.T) {
	f := newFixture(t)
	site, err := schema.Parse("site.toml", []byte(siteText+`
[auth]
type = "lti13"
client_id = "10000000000001"
issuer = "https://canvas.instructure.com"
authorize_url = "https://sso.canvaslms.com/api/lti/authorize_redirect"
jwks_url = "https://sso.canvaslms.com/api/lti/security/jwks"
deployment_ids = ["1:abc"]
username_claim = "custom_login_id"
`))
	if err != nil {
		t.Fatal(err)
	}
	f.site = site
	f.write(site.Hub.Executable, "#!/usr/bin/python3\n", 0o755)
	f.write("/usr/sbin/useradd", "#!/bin/sh\n", 0o755)
	f.sys.LookupUser = func(string) (bool, error) { return false, nil }
	f.sys.PyImport = func(python, module string) error {
		if module == "ltiauthenticator" {
			return errors.New("No module named 'ltiauthenticator'")
		}
		return nil
	}
	results := f.run()
	if got := results["lti 1.3 URLs"].Detail; !strings.Contains(got, "login initiation URL https://hub.example.edu/hub/lti13/oauth_login, redirect (launch) URL https://hub.example.edu/hub/lti13/oauth_callback, target link URI https://hub.example.edu/hub/spawn") {
		t.Errorf("LTI URLs check says %q", got)
	}
	if r := results["hub python"]; r.Status != Fail || !strings.Contains(r.Detail, "cannot import ltiauthenticator") ||
		!strings.Contains(r.Fix, "python3-oauthlib python3-escapism python3-cachetools") || !strings.Contains(r.Fix, "--no-deps jupyterhub-ltiauthenticator") {
		t.Errorf("hub python: %s: %s (fix: %s); want ltiauthenticator missing and its install line", r.Status, r.Detail, r.Fix)
	}
	if got := results["users"].Detail; !strings.Contains(got, "makes each admin's and allowed user's system account itself") {
		t.Errorf("users check on an LTI site says %q, want that the hub makes the accounts", got)
	}
	for _, name := range []string{"oauthenticator", "oauth client secret", "oauth callback URL"} {
		if r, ok := results[name]; ok {
			t.Errorf("%s runs on an LTI site: %+v", name, r)
		}
	}
	if r := results["useradd"]; r.Status != Pass {
		t.Errorf("useradd: %+v, want ok", r)
	}
}
