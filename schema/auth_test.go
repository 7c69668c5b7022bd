package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// authBaseSite is a valid PAM site; the cases append an [auth] table.
const authBaseSite = `domain = "hub.example.edu"
[tls]
cert = "/c.pem"
key = "/k.pem"
[users]
admin = ["prof"]
[spawner]
cmd = "/usr/bin/jupyterhub-singleuser"
[hub]
state_dir = "/srv/hub"
`

const oidcEndpoints = `authorize_url = "https://login.example.edu/authorize"
token_url = "https://login.example.edu/token"
userdata_url = "https://login.example.edu/userinfo"
`

const lti13Keys = `issuer = "https://lms.example.edu"
authorize_url = "https://lms.example.edu/mod/lti/auth.php"
jwks_url = "https://lms.example.edu/mod/lti/certs.php"
deployment_ids = ["1"]
email_domain = "college.edu"
`

// TestAuthProblems: one row per [auth] rule, with the exact message a person reads.
func TestAuthProblems(t *testing.T) {
	for _, c := range []struct{ name, auth, want string }{
		{"unknown type", `type = "saml"`,
			`site.toml:12:8: auth.type: "saml" is not a login type (use "pam", "oidc", "github" or "lti13")`},
		{"pam with an oauth key", "client_id = \"hub\"",
			`site.toml:12:1: auth.client_id: is only for auth.type = "oidc", "github" or "lti13", and this site's is "pam" (remove it, or change auth.type)`},
		{"pam with an lti13 key", "issuer = \"https://canvas.instructure.com\"",
			`site.toml:12:1: auth.issuer: is only for auth.type = "lti13", and this site's is "pam" (remove it, or change auth.type)`},
		{"oidc with an lti13 key", "type = \"oidc\"\nclient_id = \"hub\"\n" + oidcEndpoints + `deployment_ids = ["1"]`,
			`site.toml:17:1: auth.deployment_ids: is only for auth.type = "lti13", and this site's is "oidc" (remove it, or change auth.type)`},
		{"lti13 with an oauth key", "type = \"lti13\"\nclient_id = \"1\"\n" + lti13Keys + `client_secret_file = "/srv/hub/s"`,
			`site.toml:19:1: auth.client_secret_file: is only for auth.type = "oidc" or "github", and this site's is "lti13" (remove it, or change auth.type)`},
		{"lti13 without an issuer", "type = \"lti13\"\nclient_id = \"1\"\n" + strings.Replace(lti13Keys, "issuer", "#issuer", 1),
			`site.toml:11:1: auth: auth.issuer is missing (add issuer = "https://canvas.instructure.com" under [auth]: Canvas: https://canvas.instructure.com; Moodle: the site's URL)`},
		{"lti13 plain http keyset", "type = \"lti13\"\nclient_id = \"1\"\n" + strings.Replace(lti13Keys, "https://lms.example.edu/mod/lti/certs", "http://lms.example.edu/mod/lti/certs", 1),
			`site.toml:16:12: auth.jwks_url: "http://lms.example.edu/mod/lti/certs.php" is plain http (use https: "https://lms.example.edu/mod/lti/certs.php"; http is allowed only to 127.0.0.1, ::1 or localhost, for tests)`},
		{"lti13 issuer with a query", "type = \"lti13\"\nclient_id = \"1\"\n" + strings.Replace(lti13Keys, `edu"`, `edu/?x=1"`, 1),
			`site.toml:14:10: auth.issuer: "https://lms.example.edu/?x=1" has a query or fragment, which an issuer may not have (copy the platform's issuer exactly, like "https://canvas.instructure.com")`},
		{"lti13 without deployments", "type = \"lti13\"\nclient_id = \"1\"\n" + strings.Replace(lti13Keys, `["1"]`, `[]`, 1),
			`site.toml:11:1: auth: auth.deployment_ids is missing or empty (add deployment_ids = ["1234:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"] under [auth]: the platform shows the deployment id of the tool in this course)`},
		{"lti13 deployment with a space", "type = \"lti13\"\nclient_id = \"1\"\n" + strings.Replace(lti13Keys, `["1"]`, `["1 2"]`, 1),
			`site.toml:17:19: auth.deployment_ids[0]: "1 2" is not a deployment id (copy it from the platform: printable characters without spaces, like "1")`},
		{"lti13 email claim without a domain", "type = \"lti13\"\nclient_id = \"1\"\n" + strings.Replace(lti13Keys, "email_domain", "#email_domain", 1),
			`site.toml:11:1: auth.username_claim: "email" needs the domain whose addresses become usernames (add email_domain = "example.edu" under [auth], or set users.roster_email_domain)`},
		{"github with an oidc endpoint", "type = \"github\"\nclient_id = \"hub\"\ntoken_url = \"https://x.example.edu/t\"",
			`site.toml:14:1: auth.token_url: is only for auth.type = "oidc", and this site's is "github" (remove it, or change auth.type)`},
		{"oidc with an organization", "type = \"oidc\"\nclient_id = \"hub\"\n" + oidcEndpoints + `allowed_organizations = ["x"]`,
			`site.toml:17:1: auth.allowed_organizations: is only for auth.type = "github", and this site's is "oidc" (remove it, or change auth.type)`},
		{"no client id", "type = \"github\"",
			`site.toml:11:1: auth: auth.client_id is missing (add client_id = "engr101-jupyterhub" under [auth]: the id the provider gave this hub)`},
		{"client id with a space", "type = \"github\"\nclient_id = \"a b\"",
			`site.toml:13:13: auth.client_id: "a b" is not a client id (copy it from the provider: printable characters without spaces, like "engr101-jupyterhub")`},
		{"no endpoint", "type = \"oidc\"\nclient_id = \"hub\"\nauthorize_url = \"https://login.example.edu/a\"\ntoken_url = \"https://login.example.edu/t\"",
			`site.toml:11:1: auth: auth.userdata_url is missing (add userdata_url = "https://login.example.edu/oauth2/userinfo" under [auth]: the provider's discovery document lists it)`},
		{"plain http endpoint", "type = \"oidc\"\nclient_id = \"hub\"\n" + strings.Replace(oidcEndpoints, "https://login", "http://login", 1),
			`site.toml:14:17: auth.authorize_url: "http://login.example.edu/authorize" is plain http (use https: "https://login.example.edu/authorize"; http is allowed only to 127.0.0.1, ::1 or localhost, for tests)`},
		{"ftp endpoint", "type = \"oidc\"\nclient_id = \"hub\"\n" + strings.Replace(oidcEndpoints, "https://login.example.edu/token", "ftp://login.example.edu/token", 1),
			`site.toml:15:13: auth.token_url: "ftp://login.example.edu/token" is not an https URL (like "https://login.example.edu/oauth2/token")`},
		{"endpoint with a password", "type = \"oidc\"\nclient_id = \"hub\"\n" + strings.Replace(oidcEndpoints, "https://login.example.edu/token", "https://hub:s3cret@login.example.edu/token", 1),
			`site.toml:15:13: auth.token_url: "https://hub:xxxxx@login.example.edu/token" has a user or password in it (the client secret goes in auth.client_secret_file; remove the part before @)`},
		{"email claim without a domain", "type = \"oidc\"\nclient_id = \"hub\"\n" + oidcEndpoints + `username_claim = "email"`,
			`site.toml:17:18: auth.username_claim: "email" needs the domain whose addresses become usernames (add email_domain = "example.edu" under [auth], or set users.roster_email_domain)`},
		{"email domain not a domain", "type = \"oidc\"\nclient_id = \"hub\"\n" + oidcEndpoints + `email_domain = "@example.edu"`,
			`site.toml:17:16: auth.email_domain: "@example.edu" is not a domain name (the part after @, lowercase, like "example.edu")`},
		{"secret file is the proxy token", "type = \"github\"\nclient_id = \"hub\"\nclient_secret_file = \"/srv/hub/proxy_auth_token\"",
			`site.toml:14:22: auth.client_secret_file: "/srv/hub/proxy_auth_token" is also hub.proxy_auth_token_file (each secret needs its own file, like "/srv/hub/oauth_client_secret")`},
		{"relative secret file", "type = \"github\"\nclient_id = \"hub\"\nclient_secret_file = \"secret\"",
			`site.toml:14:22: auth.client_secret_file: "secret" is not absolute (start it with /, like "/srv/jupyterhub/oauth_client_secret")`},
		{"scope with a space", "type = \"github\"\nclient_id = \"hub\"\nscope = [\"read:org user\"]",
			`site.toml:14:10: auth.scope[0]: "read:org user" is not an OAuth scope (one word without spaces, quotes or backslashes, like "openid")`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("site.toml", []byte(authBaseSite+"[auth]\n"+c.auth+"\n"))
			var problems Problems
			if !errors.As(err, &problems) {
				t.Fatalf("got %v, want problems", err)
			}
			if got := problems.Errors().Error(); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// TestAuthDefaults: each login type gets its defaults, derived where the README says.
func TestAuthDefaults(t *testing.T) {
	// username_claim = "email" takes the roster's domain when [auth] names none.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.txt"), []byte("ada@college.edu\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	withRoster := strings.Replace(authBaseSite, "[users]\n", "[users]\nroster = \"r.txt\"\nroster_email_domain = \"college.edu\"\n", 1)
	email, err := Parse(filepath.Join(dir, "site.toml"), []byte(withRoster+"[auth]\ntype = \"oidc\"\nclient_id = \"hub\"\nusername_claim = \"email\"\n"+oidcEndpoints))
	if err != nil {
		t.Fatal(err)
	}
	if email.Auth.EmailDomain != "college.edu" {
		t.Errorf("email_domain %q, want users.roster_email_domain's \"college.edu\"", email.Auth.EmailDomain)
	}
	site, err := Parse("site.toml", []byte(strings.Replace(authBaseSite, "[hub]\n", "[hub]\nbase_url = \"/engr101/\"\n", 1)+
		"[nginx]\nhttps_port = 8443\n[auth]\ntype = \"oidc\"\nclient_id = \"hub\"\n"+oidcEndpoints))
	if err != nil {
		t.Fatal(err)
	}
	a := site.Auth
	if a.ClientSecretFile != "/srv/hub/oauth_client_secret" || a.LoginService != "single sign-on" || a.UsernameClaim != "preferred_username" ||
		strings.Join(a.Scope, " ") != "openid profile email" || a.EmailDomain != "" {
		t.Errorf("oidc defaults: %+v", a)
	}
	if got, want := site.OAuthCallbackURL(), "https://hub.example.edu:8443/engr101/hub/oauth_callback"; got != want {
		t.Errorf("callback URL %q, want %q", got, want)
	}

	site, err = Parse("site.toml", []byte(authBaseSite+"[auth]\ntype = \"github\"\nclient_id = \"hub\"\nallowed_organizations = [\"engr\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a := site.Auth; a.LoginService != "GitHub" || strings.Join(a.Scope, " ") != "read:org" || site.OAuthCallbackURL() != "https://hub.example.edu/hub/oauth_callback" {
		t.Errorf("github defaults: %+v, callback %s", a, site.OAuthCallbackURL())
	}
	site, err = Parse("site.toml", []byte(authBaseSite+"[auth]\ntype = \"lti13\"\nclient_id = \"1\"\n"+lti13Keys))
	if err != nil {
		t.Fatal(err)
	}
	if a := site.Auth; a.UsernameClaim != "email" || a.EmailDomain != "college.edu" || a.ClientSecretFile != "" || a.Issuer != "https://lms.example.edu" || strings.Join(a.DeploymentIDs, " ") != "1" {
		t.Errorf("lti13 defaults: %+v", a)
	}
	if got, want := site.LTI13URLs(), (LTI13URLs{LoginInitiation: "https://hub.example.edu/hub/lti13/oauth_login", Redirect: "https://hub.example.edu/hub/lti13/oauth_callback",
		TargetLink: "https://hub.example.edu/hub/spawn", Config: "https://hub.example.edu/hub/lti13/config"}); got != want {
		t.Errorf("LTI URLs %+v, want %+v", got, want)
	}
	site, err = Parse("site.toml", []byte(authBaseSite+"[auth]\ntype = \"github\"\nclient_id = \"hub\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(site.Auth.Scope) != 0 {
		t.Errorf("github without organizations asks for scopes %q, want none", site.Auth.Scope)
	}
}
