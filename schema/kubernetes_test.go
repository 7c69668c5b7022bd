package schema

import (
	"os"
	"strings"
	"testing"
)

// TestEveryKeySaysWhatZ2JHDoes: every row says what --target z2jh does with its key, so that a
// new key cannot be dropped silently on Kubernetes.
func TestEveryKeySaysWhatZ2JHDoes(t *testing.T) {
	for _, f := range Fields {
		if strings.TrimSpace(f.Z2JH.Use) == "" {
			t.Errorf("%s: no Z2JH (usedAs: where it goes in values.yaml, or ignoredBy: why it means nothing there)", f.Key)
		}
	}
}

// TestZ2JHKeysInREADME: README's table of what --target z2jh makes of each key is the rows',
// word for word, in their order.
func TestZ2JHKeysInREADME(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	last := -1
	for _, f := range Fields {
		row := "| `" + f.Key + "` | " + f.Z2JH.Use + " |"
		if f.Z2JH.Ignored {
			row = "| `" + f.Key + "` | ignored: " + f.Z2JH.Use + " |"
		}
		i := strings.Index(readme, row+"\n")
		switch {
		case i < 0:
			t.Errorf("README.md lacks the row\n%s", row)
		case i < last:
			t.Errorf("README.md has the row of %s before the one above it in Fields", f.Key)
		}
		last = max(last, i)
	}
}

func TestKubernetesValidation(t *testing.T) {
	base := `domain = "hub.example.edu"
[tls]
cert = "/etc/ssl/hub.pem"
key = "/etc/ssl/hub.key"
[users]
admin = ["prof"]
[spawner]
cmd = ["/usr/bin/jupyterhub-singleuser"]
[kubernetes]
`
	for _, tc := range []struct{ in, want string }{
		{`tls = "secret"`, `site.toml:10:7: kubernetes.tls: is "secret" without tls_secret (add tls_secret = "notebooks-example-edu-tls" under [kubernetes]: the kubernetes.io/tls Secret with the certificate for hub.example.edu)`},
		{`tls = "acme"`, `site.toml:10:7: kubernetes.tls: "acme" is not a way to bring HTTPS to the hub (use "letsencrypt", "secret" or "external")`},
		{"tls = \"secret\"\ntls_secret = \"Hub_TLS\"", `site.toml:11:14: kubernetes.tls_secret: "Hub_TLS" is not a Kubernetes Secret name (lowercase letters, digits, '-' and '.', like "notebooks-example-edu-tls")`},
		{`tls_secret = "hub-tls"`, `site.toml:10:1: kubernetes.tls_secret: is only for tls = "secret", and this site's is "letsencrypt" (remove it, or set tls = "secret")`},
		{"tls = \"external\"\nletsencrypt_contact_email = \"a@example.edu\"", `site.toml:11:1: kubernetes.letsencrypt_contact_email: is only for tls = "letsencrypt", and this site's is "external" (remove it, or set tls = "letsencrypt")`},
		{`letsencrypt_contact_email = "admins"`, `site.toml:10:29: kubernetes.letsencrypt_contact_email: "admins" is not an email address (like "hub-admins@example.edu")`},
		{`oauth_secret = "a\nb"`, `site.toml:10:16: kubernetes.oauth_secret: "a\nb" is not a Kubernetes Secret name (lowercase letters, digits, '-' and '.', like "hub-oauth-client")`},
	} {
		_, err := Parse("site.toml", []byte(base+tc.in+"\n"))
		if err == nil {
			t.Errorf("%s: accepted, want\n%s", tc.in, tc.want)
			continue
		}
		if got := err.Error(); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
	for _, ok := range []string{`tls = "external"`, "tls = \"secret\"\ntls_secret = \"hub-tls\"", `letsencrypt_contact_email = "hub-admins@example.edu"`} {
		if _, err := Parse("site.toml", []byte(base+ok+"\n")); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
