package render

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubgen/hubgen/internal/testsys"
	"github.com/hubgen/hubgen/schema"
)

// oauthProbe runs a rendered jupyterhub_config.py in python3 with JupyterHub's get_config
// stubbed, then calls the functions it defines, as JupyterHub and oauthenticator would, and
// prints what they did: the config's own Python is tested, not a copy of it.
const oauthProbe = `
import asyncio, sys, types

class Section(dict):
    # JupyterHub's Config gives a list it extends lazily for an unset list trait, which the
    # config's culler and kernel blocks append to.
    lists = ("services", "load_roles", "args")
    def __getattr__(self, name):
        if name[:1].isupper():
            return self.setdefault(name, Section())
        return self.setdefault(name, []) if name in self.lists else self[name]
    def __setattr__(self, name, value):
        self[name] = value

c = Section()
ns = {"get_config": lambda: c, "__name__": "jupyterhub_config"}
try:
    exec(compile(open(sys.argv[1]).read(), "jupyterhub_config.py", "exec"), ns)
except SystemExit as e:
    print("exit:", e.code)
    sys.exit(0)
print("secret read:", c.GenericOAuthenticator.get("client_secret", c.GitHubOAuthenticator.get("client_secret")) == sys.argv[2])

if "_username_from_address" in ns:
    from tornado.web import HTTPError
    for info in [{"email": "Kendra@Example.EDU", "email_verified": True}, {"email": "kendra@example.edu"},
                 {"email": "kendra@evil.example.edu"}, {"email": "kendra@example.edu.evil"},
                 {"email": "kendra@example.edu", "email_verified": False}, {"preferred_username": "kendra"}, {"email": "@example.edu"},
                 {"preferred_username": "Kendra@example.edu", "email_verified": False}]:
        try:
            print("email", info, "->", ns["_username_from_address"](info))
        except HTTPError as e:
            print("email", info, "-> refused", e.status_code)

if "_require_github_organization" in ns:
    class Authenticator:
        log = types.SimpleNamespace(warning=lambda *a: None)
        def __init__(self, member_of):
            self.member_of, self.asked = member_of, []
        async def _check_membership_allowed_organizations(self, org, user, token, token_type):
            self.asked.append((org, user, token, token_type))
            return org in self.member_of
    auth = {"name": "kendra", "auth_state": {"token_response": {"access_token": "tok", "token_type": "bearer"}}}
    for member_of in [{"engr"}, {"other"}, set()]:
        a = Authenticator(member_of)
        print("orgs", sorted(member_of), "->", "in" if asyncio.run(ns["_require_github_organization"](a, None, auth)) else "refused", a.asked)
    print("no token ->", asyncio.run(ns["_require_github_organization"](Authenticator({"engr"}), None, {"name": "kendra", "auth_state": None})))
`

func runOAuthProbe(t *testing.T, siteText, secret string, mode os.FileMode) string {
	t.Helper()
	// JupyterHub's Python, which has tornado and jupyterhub (the config imports it): the first
	// python3 on PATH may be another install's.
	python, err := exec.LookPath(debianPython)
	if err != nil {
		testsys.SkipOrFail(t, "this test runs the rendered config in Debian's python3 (apt-get install jupyterhub): "+err.Error())
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "proxy_auth_token"), []byte("token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	siteText = strings.Replace(siteText, "[auth]\n", "[hub]\nstate_dir = '"+dir+"'\n[auth]\n", 1)
	secretFile := filepath.Join(dir, "client secret")
	if secret != "-" {
		if err := os.WriteFile(secretFile, []byte(secret), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(secretFile, mode); err != nil {
			t.Fatal(err)
		}
	}
	site, err := schema.Parse("site.toml", []byte(siteText+"client_secret_file = '"+secretFile+"'\n"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Files(site)
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "jupyterhub_config.py")
	if err := os.WriteFile(config, files[JupyterHubConf], 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", oauthProbe, config, strings.TrimSpace(secret))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("python3: %v\n%s", err, out.String())
	}
	return strings.ReplaceAll(out.String(), secretFile, "SECRETFILE")
}

const oauthSiteBase = `domain = "hub.example.edu"
[tls]
cert = "/c.pem"
key = "/k.pem"
[users]
admin = ["prof"]
[spawner]
cmd = "/usr/bin/jupyterhub-singleuser"
`

const oidcEmailSite = oauthSiteBase + `[auth]
type = "oidc"
client_id = "hub"
authorize_url = "https://login.example.edu/authorize"
token_url = "https://login.example.edu/token"
userdata_url = "https://login.example.edu/userinfo"
username_claim = "email"
email_domain = "example.edu"
`

// TestOAuthClientSecretAtStart: the config reads the secret from its file, and stops the hub,
// naming the file and never the secret, when the file is missing, empty or readable by others.
func TestOAuthClientSecretAtStart(t *testing.T) {
	for _, c := range []struct {
		name, secret string
		mode         os.FileMode
		want         string
	}{
		{"good", "s3cret-value\n", 0o600, "secret read: True\n"},
		{"missing", "-", 0, "exit: jupyterhub_config.py: cannot read the OAuth client secret file 'SECRETFILE': No such file or directory; write the client secret the identity provider gave you into it, then run: chmod 600 'SECRETFILE'\n"},
		{"readable by others", "s3cret-value\n", 0o644, "exit: jupyterhub_config.py: the OAuth client secret file 'SECRETFILE' is readable by other users (mode 644); run: chmod 600 'SECRETFILE'\n"},
		{"readable by the group", "s3cret-value\n", 0o640, "exit: jupyterhub_config.py: the OAuth client secret file 'SECRETFILE' is readable by other users (mode 640); run: chmod 600 'SECRETFILE'\n"},
		{"empty", " \n", 0o600, "exit: jupyterhub_config.py: the OAuth client secret file 'SECRETFILE' is empty; write the client secret the identity provider gave you into it\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := runOAuthProbe(t, oauthSiteBase+"[auth]\ntype = \"github\"\nclient_id = \"hub\"\n", c.secret, c.mode)
			if out != c.want {
				t.Errorf("got\n%s\nwant\n%s", out, c.want)
			}
			if strings.Contains(out, "s3cret") {
				t.Error("the secret is in the output")
			}
		})
	}
}

// TestOAuthUsernameFromEmail: with username_claim = "email", the name before the @ of an address
// at email_domain is the username, as for the roster; other addresses, unverified ones and none
// are refused with 403.
func TestOAuthUsernameFromEmail(t *testing.T) {
	out := runOAuthProbe(t, oidcEmailSite, "s\n", 0o600)
	for _, want := range []string{
		"email {'email': 'Kendra@Example.EDU', 'email_verified': True} -> kendra\n",
		"email {'email': 'kendra@example.edu'} -> kendra\n",
		"email {'email': 'kendra@evil.example.edu'} -> refused 403\n",
		"email {'email': 'kendra@example.edu.evil'} -> refused 403\n",
		"email {'email': 'kendra@example.edu', 'email_verified': False} -> refused 403\n",
		"email {'preferred_username': 'kendra'} -> refused 403\n",
		"email {'email': '@example.edu'} -> refused 403\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no line %q in\n%s", want, out)
		}
	}
}

// TestOAuthUsernameFromUPN: Entra ID's preferred_username is an address (the user principal name);
// with email_domain, it becomes a username by the same rule, and email_verified plays no part.
func TestOAuthUsernameFromUPN(t *testing.T) {
	site := strings.Replace(oidcEmailSite, `username_claim = "email"`, `username_claim = "preferred_username"`, 1)
	out := runOAuthProbe(t, site, "s\n", 0o600)
	for _, want := range []string{
		"email {'email': 'kendra@example.edu'} -> refused 403\n",
		"email {'preferred_username': 'kendra'} -> refused 403\n",
		"email {'preferred_username': 'Kendra@example.edu', 'email_verified': False} -> kendra\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no line %q in\n%s", want, out)
		}
	}
}

// TestGitHubOrganizationGate: with allowed_organizations, a user the site allows also needs
// membership of one of them; the gate asks oauthenticator with the user's token.
func TestGitHubOrganizationGate(t *testing.T) {
	out := runOAuthProbe(t, oauthSiteBase+"[auth]\ntype = \"github\"\nclient_id = \"hub\"\nallowed_organizations = [\"engr\", \"engr:tas\"]\n", "s\n", 0o600)
	for _, want := range []string{
		"orgs ['engr'] -> in [('engr', 'kendra', 'tok', 'bearer')]\n",
		"orgs ['other'] -> refused [('engr', 'kendra', 'tok', 'bearer'), ('engr:tas', 'kendra', 'tok', 'bearer')]\n",
		"orgs [] -> refused",
		"no token -> None\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no line %q in\n%s", want, out)
		}
	}
}
