package schema

import (
	"fmt"

	"github.com/hubgen/hubgen/internal/lazyregexp"
)

// Patterns of [kubernetes]'s values, shared by the validator and the JSON Schema.
const (
	// secretNamePattern is a Kubernetes object name (RFC 1123 subdomain), which a Secret's is.
	secretNamePattern = `^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$`
	// contactEmailPattern is an address Let's Encrypt accepts: a plain local part at a domain.
	contactEmailPattern = `^[A-Za-z0-9._%+-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$`
	maxSecretName       = 253
)

var (
	secretNameRE   = lazyregexp.New(secretNamePattern)
	contactEmailRE = lazyregexp.New(contactEmailPattern)
)

// The render targets: the files of one server, or a values.yaml for the Zero to JupyterHub chart.
const (
	TargetServer = "server"
	TargetZ2JH   = "z2jh"
)

// Targets are the values of render's --target, the default first.
var Targets = []string{TargetServer, TargetZ2JH}

// validateKubernetes checks [kubernetes], which only --target z2jh reads but every target validates.
func validateKubernetes(c *checker) {
	s, set := c.site, c.set
	k := s.Kubernetes
	switch k.TLS {
	case KubernetesTLSLetsEncrypt, KubernetesTLSSecret, KubernetesTLSExternal:
	default:
		c.atValue("kubernetes.tls", "%s is not a way to bring HTTPS to the hub (use %q, %q or %q)", quote(k.TLS), KubernetesTLSLetsEncrypt, KubernetesTLSSecret, KubernetesTLSExternal)
		return
	}
	if k.TLS == KubernetesTLSSecret && !set("kubernetes.tls_secret") {
		c.atValue("kubernetes.tls", `is "secret" without tls_secret (add tls_secret = %s under [kubernetes]: the kubernetes.io/tls Secret with the certificate for %s)`, exampleOf("kubernetes.tls_secret"), s.Domain)
	}
	if set("kubernetes.tls_secret") {
		switch {
		case k.TLS != KubernetesTLSSecret:
			c.atKey("kubernetes.tls_secret", `is only for tls = "secret", and this site's is %q (remove it, or set tls = "secret")`, k.TLS)
		case len(k.TLSSecret) > maxSecretName || !secretNameRE.MatchString(k.TLSSecret):
			c.atValue("kubernetes.tls_secret", "%s is not a Kubernetes Secret name (lowercase letters, digits, '-' and '.', like %s)", quote(k.TLSSecret), exampleOf("kubernetes.tls_secret"))
		}
	}
	if set("kubernetes.letsencrypt_contact_email") {
		switch {
		case k.TLS != KubernetesTLSLetsEncrypt:
			c.atKey("kubernetes.letsencrypt_contact_email", `is only for tls = "letsencrypt", and this site's is %q (remove it, or set tls = "letsencrypt")`, k.TLS)
		case !contactEmailRE.MatchString(k.LetsEncryptContactEmail):
			c.atValue("kubernetes.letsencrypt_contact_email", "%s is not an email address (like %s)", quote(k.LetsEncryptContactEmail), exampleOf("kubernetes.letsencrypt_contact_email"))
		}
	}
	if set("kubernetes.oauth_secret") && (len(k.OAuthSecret) > maxSecretName || !secretNameRE.MatchString(k.OAuthSecret)) {
		c.atValue("kubernetes.oauth_secret", "%s is not a Kubernetes Secret name (lowercase letters, digits, '-' and '.', like %s)", quote(k.OAuthSecret), exampleOf("kubernetes.oauth_secret"))
	}
}

// checkTarget checks the site for what target needs beyond a valid site: a Zero to JupyterHub hub
// has no system users, so PAM is refused there. Keys that target ignores and the file sets are
// warnings, except required ones, which every site sets. The server target needs nothing more.
func checkTarget(c *checker, target string) {
	if target != TargetZ2JH {
		return
	}
	s := c.site
	if s.Auth.Type == AuthPAM {
		what := `"pam"`
		if !c.set("auth.type") {
			what = `"pam" (the default)`
		}
		c.atValue("auth.type", `is %s, which needs system accounts, and on Kubernetes every user's server is a pod without one (sign in with type = "oidc", "github" or "lti13" for --target z2jh)`, what)
	}
	// The chart refuses to render its Let's Encrypt proxy without an address (helm template fails
	// with "proxy.https.letsencrypt.contactEmail is a required field").
	if s.Kubernetes.TLS == KubernetesTLSLetsEncrypt && s.Kubernetes.LetsEncryptContactEmail == "" {
		c.atKey("kubernetes.letsencrypt_contact_email", `is missing, and the chart needs it for tls = "letsencrypt" (add letsencrypt_contact_email = %s under [kubernetes]: where Let's Encrypt writes about the certificate; or set tls = "secret" or "external")`, exampleOf("kubernetes.letsencrypt_contact_email"))
	}
	// Let's Encrypt's http-01 challenge, which the chart's proxy answers, cannot issue the
	// wildcard certificate that every user's host needs.
	if s.Hub.UserSubdomains && s.Kubernetes.TLS == KubernetesTLSLetsEncrypt {
		why := fmt.Sprintf(`whose http-01 challenge cannot get the wildcard certificate for *.%s that user subdomains need (set tls = "secret" under [kubernetes], naming a Secret with a certificate for %s and *.%s made with a DNS-01 challenge such as cert-manager's, or tls = "external" when TLS ends in front of the cluster)`, s.Domain, s.Domain, s.Domain)
		if c.set("kubernetes.tls") {
			c.atValue("kubernetes.tls", `is "letsencrypt" with hub.user_subdomains, %s`, why)
		} else {
			c.atValue("hub.user_subdomains", `is true, and kubernetes.tls is "letsencrypt" (the default), %s`, why)
		}
	}
	for _, f := range Fields {
		if c.set(f.Key) && f.Z2JH.Ignored && !f.Required {
			c.report(c.pos.keyRange(f.Key), f.Key, SeverityWarning, messagef("ignored by --target z2jh: %s", f.Z2JH.Use))
		}
	}
}
