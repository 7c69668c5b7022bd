package schema

import (
	"fmt"
	"regexp"
)

// Patterns of [kubernetes]'s values, shared by the validator and the JSON Schema.
const (
	// SecretNamePattern is a Kubernetes object name (RFC 1123 subdomain), which a Secret's is.
	SecretNamePattern = `^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$`
	// ContactEmailPattern is an address Let's Encrypt accepts: a plain local part at a domain.
	ContactEmailPattern = `^[A-Za-z0-9._%+-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$`
	maxSecretName       = 253
)

var (
	secretNameRE   = regexp.MustCompile(SecretNamePattern)
	contactEmailRE = regexp.MustCompile(ContactEmailPattern)
)

// The render targets: the files of one server, or a values.yaml for the Zero to JupyterHub chart.
const (
	TargetServer = "server"
	TargetZ2JH   = "z2jh"
)

// Targets are the values of render's --target, the default first.
var Targets = []string{TargetServer, TargetZ2JH}

func validateKubernetes(r *reporter, s *Site, set func(string) bool) {
	k := s.Kubernetes
	switch k.TLS {
	case KubernetesTLSLetsEncrypt, KubernetesTLSSecret, KubernetesTLSExternal:
	default:
		r.atValue("kubernetes.tls", "%s is not a way to bring HTTPS to the hub (use %q, %q or %q)", quote(k.TLS), KubernetesTLSLetsEncrypt, KubernetesTLSSecret, KubernetesTLSExternal)
		return
	}
	if k.TLS == KubernetesTLSSecret && !set("kubernetes.tls_secret") {
		r.atValue("kubernetes.tls", `is "secret" without tls_secret (add tls_secret = %s under [kubernetes]: the kubernetes.io/tls Secret with the certificate for %s)`, exampleOf("kubernetes.tls_secret"), s.Domain)
	}
	if set("kubernetes.tls_secret") {
		switch {
		case k.TLS != KubernetesTLSSecret:
			r.atKey("kubernetes.tls_secret", `is only for tls = "secret", and this site's is %q (remove it, or set tls = "secret")`, k.TLS)
		case len(k.TLSSecret) > maxSecretName || !secretNameRE.MatchString(k.TLSSecret):
			r.atValue("kubernetes.tls_secret", "%s is not a Kubernetes Secret name (lowercase letters, digits, '-' and '.', like %s)", quote(k.TLSSecret), exampleOf("kubernetes.tls_secret"))
		}
	}
	if set("kubernetes.letsencrypt_contact_email") {
		switch {
		case k.TLS != KubernetesTLSLetsEncrypt:
			r.atKey("kubernetes.letsencrypt_contact_email", `is only for tls = "letsencrypt", and this site's is %q (remove it, or set tls = "letsencrypt")`, k.TLS)
		case !contactEmailRE.MatchString(k.LetsEncryptContactEmail):
			r.atValue("kubernetes.letsencrypt_contact_email", "%s is not an email address (like %s)", quote(k.LetsEncryptContactEmail), exampleOf("kubernetes.letsencrypt_contact_email"))
		}
	}
	if set("kubernetes.oauth_secret") && (len(k.OAuthSecret) > maxSecretName || !secretNameRE.MatchString(k.OAuthSecret)) {
		r.atValue("kubernetes.oauth_secret", "%s is not a Kubernetes Secret name (lowercase letters, digits, '-' and '.', like %s)", quote(k.OAuthSecret), exampleOf("kubernetes.oauth_secret"))
	}
}

// A KeyUse says what the Zero to JupyterHub target does with one site.toml key: where in
// values.yaml it goes, or why it has no meaning there.
type KeyUse struct {
	Key     string
	Ignored bool
	Use     string // the values.yaml keys it sets, or why it is ignored
}

// Z2JHKeys lists every key of Fields, in Fields' order, with what --target z2jh makes of it. It is
// the one list README's table repeats (a test compares them), and a test fails when a key of
// Fields is missing here, so that a new key cannot be dropped silently on Kubernetes.
var Z2JHKeys = []KeyUse{
	{Key: "domain", Use: "proxy.https.hosts or ingress.hosts, and the OAuth callback URL"},
	{Key: "tls.cert", Ignored: true, Use: "a file on the server; kubernetes.tls chooses the certificate"},
	{Key: "tls.key", Ignored: true, Use: "a file on the server; kubernetes.tls chooses the certificate"},
	{Key: "tls.dhparam", Ignored: true, Use: "nginx only"},
	{Key: "tls.trusted_certificate", Ignored: true, Use: "nginx only (OCSP stapling)"},
	{Key: "tls.resolvers", Ignored: true, Use: "nginx only (OCSP stapling)"},
	{Key: "tls.profile", Ignored: true, Use: "nginx only; the chart's proxy or the ingress controller picks the ciphers"},
	{Key: "tls.hsts", Ignored: true, Use: "nginx only"},
	{Key: "users.admin", Use: "hub.config.Authenticator.allowed_users, hub.loadRoles.admin.users, hub.config.Authenticator.username_pattern"},
	{Key: "users.allowed", Use: "hub.config.Authenticator.allowed_users, hub.config.Authenticator.username_pattern"},
	{Key: "users.roster", Use: "its users, as users.allowed (read when hubgen renders)"},
	{Key: "users.roster_column", Use: "as users.roster"},
	{Key: "users.roster_email_domain", Use: "as users.roster; with auth.username_claim = \"email\", the sign-in rule in hub.extraConfig"},
	{Key: "spawner.cmd", Ignored: true, Use: "a path on the server; the chart's singleuser image starts the server"},
	{Key: "spawner.default_url", Use: "singleuser.defaultUrl"},
	{Key: "spawner.notebook_dir", Use: "hub.config.KubeSpawner.notebook_dir"},
	{Key: "spawner.kind", Ignored: true, Use: "the chart always uses KubeSpawner"},
	{Key: "hub.port", Ignored: true, Use: "loopback port on the server; the chart picks its Services' ports"},
	{Key: "hub.hub_port", Ignored: true, Use: "loopback port on the server"},
	{Key: "hub.proxy_api_port", Ignored: true, Use: "loopback port on the server"},
	{Key: "hub.base_url", Use: "hub.baseUrl (and the ingress path)"},
	{Key: "hub.state_dir", Ignored: true, Use: "the chart keeps the database on the hub's PersistentVolumeClaim"},
	{Key: "hub.cookie_secret_file", Ignored: true, Use: "the chart generates the cookie secret and keeps it in the hub's Secret"},
	{Key: "hub.proxy_auth_token_file", Ignored: true, Use: "the chart generates the proxy token and keeps it in the hub's Secret"},
	{Key: "hub.executable", Ignored: true, Use: "the chart's hub image runs JupyterHub"},
	{Key: "hub.user_subdomains", Use: "hub.config.JupyterHub.subdomain_host, and ingress.hosts and ingress.tls[0].hosts for domain and *.domain"},
	{Key: "nginx.http_port", Ignored: true, Use: "nginx only"},
	{Key: "nginx.https_port", Ignored: true, Use: "nginx only; the chart serves 443"},
	{Key: "nginx.ipv6", Ignored: true, Use: "nginx only"},
	{Key: "nginx.client_max_body_size", Ignored: true, Use: "nginx only; set your ingress controller's body size limit"},
	{Key: "nginx.acme_webroot", Ignored: true, Use: "nginx only"},
	{Key: "nginx.version", Ignored: true, Use: "nginx only"},
	{Key: "nginx.user", Ignored: true, Use: "nginx only"},
	{Key: "nginx.pid", Ignored: true, Use: "nginx only"},
	{Key: "culler.enabled", Use: "cull.enabled"},
	{Key: "culler.timeout", Use: "cull.timeout"},
	{Key: "culler.interval", Use: "cull.every"},
	{Key: "culler.max_age", Use: "cull.maxAge"},
	{Key: "culler.users", Use: "cull.users"},
	{Key: "culler.concurrency", Use: "cull.concurrency"},
	{Key: "culler.kernel_timeout", Use: "hub.config.KubeSpawner.args (the notebook server's own kernel culling)"},
	{Key: "limits.memory", Use: "singleuser.memory.limit and singleuser.memory.guarantee"},
	{Key: "limits.cpu", Use: "singleuser.cpu.limit"},
	{Key: "limits.hub_memory_max", Ignored: true, Use: "the hub's systemd unit only"},
	{Key: "limits.hub_memory_high", Ignored: true, Use: "the hub's systemd unit only"},
	{Key: "limits.hub_tasks_max", Ignored: true, Use: "the hub's systemd unit only"},
	{Key: "auth.type", Use: "hub.config.JupyterHub.authenticator_class (pam is refused: no system users on Kubernetes)"},
	{Key: "auth.client_id", Use: "hub.config.{Generic,GitHub}OAuthenticator.client_id"},
	{Key: "auth.client_secret_file", Ignored: true, Use: "a file on the server; on Kubernetes the Secret named by kubernetes.oauth_secret"},
	{Key: "auth.login_service", Use: "hub.config.{Generic,GitHub}OAuthenticator.login_service"},
	{Key: "auth.authorize_url", Use: "hub.config.GenericOAuthenticator.authorize_url"},
	{Key: "auth.token_url", Use: "hub.config.GenericOAuthenticator.token_url"},
	{Key: "auth.userdata_url", Use: "hub.config.GenericOAuthenticator.userdata_url"},
	{Key: "auth.scope", Use: "hub.config.{Generic,GitHub}OAuthenticator.scope"},
	{Key: "auth.username_claim", Use: "hub.config.GenericOAuthenticator.username_claim, or the sign-in rule in hub.extraConfig"},
	{Key: "auth.email_domain", Use: "the sign-in rule in hub.extraConfig"},
	{Key: "auth.allowed_organizations", Use: "the organization gate in hub.extraConfig"},
	{Key: "kubernetes.tls", Use: "proxy.https (letsencrypt) or ingress.tls (secret) or ingress alone (external)"},
	{Key: "kubernetes.tls_secret", Use: "ingress.tls[0].secretName"},
	{Key: "kubernetes.letsencrypt_contact_email", Use: "proxy.https.letsencrypt.contactEmail"},
	{Key: "kubernetes.oauth_secret", Use: "hub.extraEnv.OAUTH_CLIENT_SECRET.valueFrom.secretKeyRef.name"},
}

// TargetProblems checks site, read from data (the file's contents, for positions), for what
// target needs beyond a valid site: a Zero to JupyterHub hub has no system users, so PAM is
// refused there. Keys that target ignores and the file sets are warnings, except required ones,
// which every site sets. The server target needs nothing more.
func TargetProblems(name string, data []byte, s *Site, target string) Problems {
	if target != TargetZ2JH {
		return nil
	}
	r := &reporter{file: name}
	raw, ok := decode(r, data)
	if !ok {
		return r.problems
	}
	r.problems = nil
	values := typed(r, raw)
	r.problems = nil
	if s.Auth.Type == AuthPAM {
		what := `"pam"`
		if _, set := values["auth.type"]; !set {
			what = `"pam" (the default)`
		}
		r.atValue("auth.type", `is %s, which needs system accounts, and on Kubernetes every user's server is a pod without one (sign in with type = "oidc" or "github" for --target z2jh)`, what)
	}
	// The chart refuses to render its Let's Encrypt proxy without an address (helm template fails
	// with "proxy.https.letsencrypt.contactEmail is a required field").
	if s.Kubernetes.TLS == KubernetesTLSLetsEncrypt && s.Kubernetes.LetsEncryptContactEmail == "" {
		r.atKey("kubernetes.letsencrypt_contact_email", `is missing, and the chart needs it for tls = "letsencrypt" (add letsencrypt_contact_email = %s under [kubernetes]: where Let's Encrypt writes about the certificate; or set tls = "secret" or "external")`, exampleOf("kubernetes.letsencrypt_contact_email"))
	}
	// Let's Encrypt's http-01 challenge, which the chart's proxy answers, cannot issue the
	// wildcard certificate that every user's host needs.
	if s.Hub.UserSubdomains && s.Kubernetes.TLS == KubernetesTLSLetsEncrypt {
		why := fmt.Sprintf(`whose http-01 challenge cannot get the wildcard certificate for *.%s that user subdomains need (set tls = "secret" under [kubernetes], naming a Secret with a certificate for %s and *.%s made with a DNS-01 challenge such as cert-manager's, or tls = "external" when TLS ends in front of the cluster)`, s.Domain, s.Domain, s.Domain)
		if _, set := values["kubernetes.tls"]; set {
			r.atValue("kubernetes.tls", `is "letsencrypt" with hub.user_subdomains, %s`, why)
		} else {
			r.atValue("hub.user_subdomains", `is true, and kubernetes.tls is "letsencrypt" (the default), %s`, why)
		}
	}
	for _, k := range Z2JHKeys {
		f, _ := FieldByKey(k.Key)
		if _, set := values[k.Key]; set && k.Ignored && !f.Required {
			r.report(r.pos.keyRange(k.Key), k.Key, SeverityWarning, textMessage("ignored by --target z2jh: "+k.Use))
		}
	}
	r.problems.sort()
	return r.problems
}
