package schema

// Kind is the TOML type a key takes.
type Kind int

// The kinds of site.toml values.
const (
	KindString  Kind = iota
	KindStrings      // an array of strings
	KindCommand      // a string or an array of strings
	KindInt
	KindBool
)

func (k Kind) String() string {
	return [...]string{"a string", "a list of strings", "a string or a list of strings", "an integer", "true or false"}[k]
}

// Field describes one site.toml key. The table below is the single description of site.toml that
// decoding, the JSON Schema and `hubgen init` all read, so they cannot disagree on a key's name,
// type or default.
type Field struct {
	Key      string // dotted path, "tls.cert"
	Kind     Kind
	Required bool
	Default  string // the default as a person reads it; empty when there is none
	Example  string // a valid value in TOML syntax, for messages and `hubgen init`
	Doc      string // one line
	Enum     []string
	Min, Max int // for KindInt
}

// Tables are the TOML tables a site file may have.
var Tables = []string{"tls", "users", "spawner", "hub", "nginx", "auth"}

// Fields lists every key of site.toml version 1, in the order `hubgen init` writes them.
var Fields = []Field{
	{Key: "domain", Kind: KindString, Required: true, Example: `"notebooks.example.edu"`,
		Doc: "the hub's one fully qualified domain name, used for every server_name"},

	{Key: "tls.cert", Kind: KindString, Required: true, Example: `"/etc/letsencrypt/live/notebooks.example.edu/fullchain.pem"`,
		Doc: "absolute path of the certificate chain (Let's Encrypt's fullchain.pem)"},
	{Key: "tls.key", Kind: KindString, Required: true, Example: `"/etc/letsencrypt/live/notebooks.example.edu/privkey.pem"`,
		Doc: "absolute path of the private key; nginx reads it as root, keep it 0600"},
	{Key: "tls.dhparam", Kind: KindString, Example: `"/srv/jupyterhub/dhparam.pem"`,
		Doc: "optional DH parameters for the DHE ciphers; `hubgen secrets` writes RFC 7919 ffdhe2048"},
	{Key: "tls.trusted_certificate", Kind: KindString, Example: `"/etc/letsencrypt/live/notebooks.example.edu/chain.pem"`,
		Doc: "optional issuer chain; setting it turns on OCSP stapling"},
	{Key: "tls.resolvers", Kind: KindStrings, Default: `["127.0.0.53"]`, Example: `["127.0.0.53"]`,
		Doc: "DNS resolvers (IP addresses) nginx uses to reach the OCSP responder when stapling"},
	{Key: "tls.profile", Kind: KindString, Default: `"intermediate"`, Example: `"intermediate"`, Enum: []string{ProfileIntermediate, ProfileModern},
		Doc: "Mozilla's server-side TLS profile: intermediate (TLS 1.2 and 1.3) or modern (TLS 1.3 only)"},
	{Key: "tls.hsts", Kind: KindBool, Default: "true", Example: "true",
		Doc: "send Strict-Transport-Security (two years) on every https response"},

	{Key: "users.admin", Kind: KindStrings, Required: true, Example: `["peter"]`,
		Doc: "JupyterHub admins, at least one; admins are always allowed in"},
	{Key: "users.allowed", Kind: KindStrings, Default: "[]", Example: `["kendra", "sam"]`,
		Doc: "JupyterHub usernames allowed to log in (system users for the PAM authenticator)"},
	{Key: "users.roster", Kind: KindString, Example: `"rosters/engr101.csv"`,
		Doc: "optional file of more allowed users, relative to this site file: .txt (one a line) or .csv"},
	{Key: "users.roster_column", Kind: KindString, Default: "the first of " + rosterColumnList, Example: `"SIS Login ID"`,
		Doc: `the .csv roster's column of usernames, by its header; case does not matter, and "SIS Login ID" may be written sis_login_id`},
	{Key: "users.roster_email_domain", Kind: KindString, Example: `"example.edu"`,
		Doc: "roster entries are addresses at this domain: kendra@example.edu becomes kendra; others are refused"},

	{Key: "spawner.cmd", Kind: KindCommand, Required: true, Example: `["/opt/conda/bin/jupyterhub-singleuser"]`,
		Doc: "the single-user server command, a string or a list of strings"},
	{Key: "spawner.default_url", Kind: KindString, Example: `"/lab"`,
		Doc: "optional page users land on, such as /lab or /tree"},
	{Key: "spawner.notebook_dir", Kind: KindString, Example: `"~/notebooks"`,
		Doc: "optional directory the notebook server starts in"},

	{Key: "hub.port", Kind: KindInt, Default: "8000", Example: "8000", Min: 1, Max: 65535,
		Doc: "the hub's proxy listens on 127.0.0.1:port; nginx forwards to it"},
	{Key: "hub.hub_port", Kind: KindInt, Default: "8081", Example: "8081", Min: 1, Max: 65535,
		Doc: "the hub's internal API on 127.0.0.1, which the proxy and notebook servers call"},
	{Key: "hub.proxy_api_port", Kind: KindInt, Default: "8001", Example: "8001", Min: 1, Max: 65535,
		Doc: "configurable-http-proxy's REST API on 127.0.0.1"},
	{Key: "hub.base_url", Kind: KindString, Default: `"/"`, Example: `"/"`,
		Doc: `the path the hub is served under, such as "/engr101/"`},
	{Key: "hub.state_dir", Kind: KindString, Default: `"/srv/jupyterhub"`, Example: `"/srv/jupyterhub"`,
		Doc: "where the database and the default secret files live; the hub runs in it"},
	{Key: "hub.cookie_secret_file", Kind: KindString, Default: "state_dir + /jupyterhub_cookie_secret", Example: `"/srv/jupyterhub/jupyterhub_cookie_secret"`,
		Doc: "the cookie secret file (0600; `hubgen secrets` creates it)"},
	{Key: "hub.proxy_auth_token_file", Kind: KindString, Default: "state_dir + /proxy_auth_token", Example: `"/srv/jupyterhub/proxy_auth_token"`,
		Doc: "the file whose contents are the proxy's auth token (0600; `hubgen secrets` creates it)"},
	{Key: "hub.executable", Kind: KindString, Default: "jupyterhub beside spawner.cmd's jupyterhub-singleuser, else /usr/bin/jupyterhub", Example: `"/opt/conda/bin/jupyterhub"`,
		Doc: "the jupyterhub program the systemd unit runs"},

	{Key: "nginx.http_port", Kind: KindInt, Default: "80", Example: "80", Min: 1, Max: 65535,
		Doc: "plain http: serves ACME challenges and redirects the rest to https"},
	{Key: "nginx.https_port", Kind: KindInt, Default: "443", Example: "443", Min: 1, Max: 65535,
		Doc: "https"},
	{Key: "nginx.ipv6", Kind: KindBool, Default: "true", Example: "true",
		Doc: "also listen on IPv6 ([::]); turn off on hosts without IPv6"},
	{Key: "nginx.client_max_body_size", Kind: KindString, Default: `"100m"`, Example: `"100m"`,
		Doc: "largest request body; notebook saves and uploads exceed nginx's 1m default"},
	{Key: "nginx.acme_webroot", Kind: KindString, Default: `"/var/www/letsencrypt"`, Example: `"/var/www/letsencrypt"`,
		Doc: "served at /.well-known/acme-challenge/ on the http port, for certbot --webroot"},
	{Key: "nginx.version", Kind: KindString, Default: `"1.22"`, Example: `"1.22"`,
		Doc: `the nginx that runs the file, "MAJOR.MINOR"; 1.25 and later get "http2 on;"`},
	{Key: "nginx.user", Kind: KindString, Default: `"www-data"`, Example: `"www-data"`,
		Doc: "the system user nginx's workers run as"},
	{Key: "nginx.pid", Kind: KindString, Default: `"/run/nginx.pid"`, Example: `"/run/nginx.pid"`,
		Doc: "nginx's pid file; keep the one your nginx.service expects"},

	// [auth]: how people sign in. Key names follow oauthenticator's traits where it has one.
	{Key: "auth.type", Kind: KindString, Default: `"pam"`, Example: `"oidc"`, Enum: []string{AuthPAM, AuthOIDC, AuthGitHub},
		Doc: `how people sign in: "pam" (system accounts and passwords), "oidc" (the university's single sign-on) or "github"`},
	{Key: "auth.client_id", Kind: KindString, Example: `"engr101-jupyterhub"`,
		Doc: "oidc, github: the client id the identity provider gave this hub; required for them"},
	{Key: "auth.client_secret_file", Kind: KindString, Default: "state_dir + /oauth_client_secret", Example: `"/srv/jupyterhub/oauth_client_secret"`,
		Doc: "oidc, github: the file (0600) holding the provider's client secret, read when the hub starts; never put the secret in this file"},
	{Key: "auth.login_service", Kind: KindString, Default: `"single sign-on" for oidc, "GitHub" for github`, Example: `"College SSO"`,
		Doc: `oidc, github: the login button reads "Sign in with" this`},
	{Key: "auth.authorize_url", Kind: KindString, Example: `"https://login.example.edu/oauth2/authorize"`,
		Doc: "oidc: the provider's authorization endpoint (https; http only on 127.0.0.1, ::1 or localhost); required for oidc"},
	{Key: "auth.token_url", Kind: KindString, Example: `"https://login.example.edu/oauth2/token"`,
		Doc: "oidc: the provider's token endpoint (https; http only on loopback); required for oidc"},
	{Key: "auth.userdata_url", Kind: KindString, Example: `"https://login.example.edu/oauth2/userinfo"`,
		Doc: "oidc: the provider's userinfo endpoint (https; http only on loopback); required for oidc"},
	{Key: "auth.scope", Kind: KindStrings, Default: `["openid", "profile", "email"] for oidc; ["read:org"] for github with allowed_organizations, else []`, Example: `["openid", "profile", "email"]`,
		Doc: "oidc, github: the OAuth scopes the hub asks for"},
	{Key: "auth.username_claim", Kind: KindString, Default: `"preferred_username"`, Example: `"preferred_username"`,
		Doc: `oidc: the userinfo claim that becomes the username; "email" takes the name before the @ of an address at email_domain`},
	{Key: "auth.email_domain", Kind: KindString, Default: `users.roster_email_domain with username_claim = "email", else none`, Example: `"example.edu"`,
		Doc: `oidc: the username claim is an address at this domain (email, or Entra ID's preferred_username): kendra@example.edu becomes kendra, other domains are refused`},
	{Key: "auth.allowed_organizations", Kind: KindStrings, Example: `["engr101-2027s"]`,
		Doc: "github: sign-in also needs membership of one of these organizations (or org:team); an extra gate, never a way in for someone not in [users]"},
}

// FieldByKey returns the field with the dotted key, if site.toml has one.
func FieldByKey(key string) (Field, bool) {
	for _, f := range Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}
