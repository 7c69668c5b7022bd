package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const subdomainsBase = `domain = "hub.example.edu"
[tls]
cert = "/etc/ssl/hub.pem"
key = "/etc/ssl/hub.key"
[spawner]
cmd = ["/usr/bin/jupyterhub-singleuser"]
[hub]
user_subdomains = %s
[users]
`

// TestUserSubdomainsUsernames: with user subdomains each username must be its server's DNS
// label, the same on JupyterHub 3 and 5; the names PAM allows but a label does not ("." and "_",
// which 3.x and 5.x turn into different hosts) are refused where they are written, in the site
// file and in the roster. Without subdomains they stay valid.
func TestUserSubdomainsUsernames(t *testing.T) {
	const fix = `(with hub.user_subdomains each username is its server's host name NAME.domain: lowercase letters, digits and "-", starting with a letter, not ending in "-" and without "--"; rename the account, or set hub.user_subdomains = false)`
	for _, tc := range []struct{ users, want string }{
		{`admin = ["ta.jordan"]`, `site.toml:10:10: users.admin[0]: "ta.jordan" has '.', which a DNS label cannot hold ` + fix},
		{`admin = ["prof"]` + "\n" + `allowed = ["kendra", "ta_jordan"]`, `site.toml:11:22: users.allowed[1]: "ta_jordan" has '_', which a DNS label cannot hold ` + fix},
		{`admin = ["_prof"]`, `site.toml:10:10: users.admin[0]: "_prof" starts with '_', which cannot start a DNS label ` + fix},
		{`admin = ["prof-"]`, `site.toml:10:10: users.admin[0]: "prof-" ends with "-", which cannot end a DNS label ` + fix},
		{`admin = ["pr--of"]`, `site.toml:10:10: users.admin[0]: "pr--of" has "--", which JupyterHub 5 replaces with a hashed host name ` + fix},
	} {
		site := strings.Replace(subdomainsBase, "%s", "true", 1) + tc.users + "\n"
		_, err := Parse("site.toml", []byte(site))
		if err == nil {
			t.Errorf("%s: accepted, want %s", tc.users, tc.want)
		} else if err.Error() != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.users, err, tc.want)
		}
		off := strings.Replace(subdomainsBase, "%s", "false", 1) + tc.users + "\n"
		if _, err := Parse("site.toml", []byte(off)); err != nil {
			t.Errorf("%s without user subdomains: %v", tc.users, err)
		}
	}
	ok := strings.Replace(subdomainsBase, "%s", "true", 1) + `admin = ["prof"]` + "\n" + `allowed = ["kendra", "li-wei", "s2"]` + "\n"
	if _, err := Parse("site.toml", []byte(ok)); err != nil {
		t.Errorf("labels refused: %v", err)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "roster.txt"), []byte("kendra\nta.jordan\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	site := filepath.Join(dir, "site.toml")
	text := strings.Replace(subdomainsBase, "%s", "true", 1) + `admin = ["prof"]` + "\nroster = \"roster.txt\"\n"
	if err := os.WriteFile(site, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(site)
	want := filepath.Join(dir, "roster.txt") + `:2:1: users.roster: "ta.jordan" has '.', which a DNS label cannot hold ` + fix
	if err == nil || err.Error() != want {
		t.Errorf("roster:\n got %v\nwant %s", err, want)
	}
}

// TestUserSubdomainsOnKubernetes: the chart's Let's Encrypt proxy answers http-01, which cannot
// issue the wildcard certificate users' hosts need, so --target z2jh refuses it, set or default,
// and names the two ways that work.
func TestUserSubdomainsOnKubernetes(t *testing.T) {
	base := strings.Replace(subdomainsBase, "%s", "true", 1) + `admin = ["prof"]
[auth]
type = "github"
client_id = "x"
[kubernetes]
`
	why := `whose http-01 challenge cannot get the wildcard certificate for *.hub.example.edu that user subdomains need (set tls = "secret" under [kubernetes], naming a Secret with a certificate for hub.example.edu and *.hub.example.edu made with a DNS-01 challenge such as cert-manager's, or tls = "external" when TLS ends in front of the cluster)`
	for _, tc := range []struct{ in, want string }{
		{"tls = \"letsencrypt\"\nletsencrypt_contact_email = \"a@example.edu\"", `site.toml:15:7: kubernetes.tls: is "letsencrypt" with hub.user_subdomains, ` + why},
		{`letsencrypt_contact_email = "a@example.edu"`, `site.toml:8:19: hub.user_subdomains: is true, and kubernetes.tls is "letsencrypt" (the default), ` + why},
		{"tls = \"secret\"\ntls_secret = \"hub-tls\"", ""},
		{`tls = "external"`, ""},
	} {
		data := []byte(base + tc.in + "\n")
		if _, err := Parse("site.toml", data); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		got := ""
		if _, err := Parse("site.toml", data, WithTarget(TargetZ2JH)); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
