package schema

import "strings"

// Kind is the TOML type a key takes.
type Kind int

// The kinds of site.toml values.
const (
	KindString  Kind = iota
	KindStrings      // an array of strings
	KindCommand      // a string or an array of strings
	KindInt
	KindBool
	KindNumber // an integer or a float, read as a float
)

func (k Kind) String() string {
	return [...]string{"a string", "a list of strings", "a string or a list of strings", "an integer", "true or false", "a number"}[k]
}

// Field describes one site.toml key. The table below is the single description of site.toml that
// decoding, defaults, validation of paths, the JSON Schema and `hubgen init` all read, so they
// cannot disagree on a key's name, type or default.
type Field struct {
	Key      string // dotted path, "tls.cert"
	Kind     Kind
	Required bool
	// Default is the value a key left out takes, as a Go value of its kind: a string, a []string
	// (KindStrings and KindCommand), an int or a bool; nil for none. It is the value itself, not
	// TOML text: "1.22", not `"1.22"`.
	Default any
	// DefaultFrom makes a default from other keys' values (theirs after defaults), for the keys
	// whose default depends on another; DefaultDoc says the same in words for `hubgen init` and
	// the JSON Schema. A default only described (users.roster_column) has DefaultDoc alone.
	DefaultFrom func(get func(key string) any) any
	DefaultDoc  string
	Example     string // a valid value in TOML syntax, for messages and `hubgen init`
	Doc         string // one line
	Enum        []string
	Min, Max    int     // for KindInt
	Path        PathUse // whether the value is an absolute path, which validatePath checks
}

// PathUse tells whether a key holds an absolute path, and what reads it.
type PathUse int

// The uses of path keys.
const (
	NotPath         PathUse = iota
	PathReadByHub           // JupyterHub, systemd or hubgen reads it
	PathReadByNginx         // nginx reads it, and a "$" in it would start a variable
)

// Tables are the TOML tables a site file may have.
var Tables = []string{"tls", "users", "spawner", "hub", "nginx", "culler", "limits", "auth", "kubernetes"}

// Fields lists every key of site.toml version 1, in the order `hubgen init` writes them.
var Fields = []Field{
	{Key: "domain", Kind: KindString, Required: true, Example: `"notebooks.example.edu"`,
		Doc: "the hub's one fully qualified domain name, used for every server_name"},

	{Key: "tls.cert", Kind: KindString, Path: PathReadByNginx, Required: true, Example: `"/etc/letsencrypt/live/notebooks.example.edu/fullchain.pem"`,
		Doc: "absolute path of the certificate chain (Let's Encrypt's fullchain.pem)"},
	{Key: "tls.key", Kind: KindString, Path: PathReadByNginx, Required: true, Example: `"/etc/letsencrypt/live/notebooks.example.edu/privkey.pem"`,
		Doc: "absolute path of the private key; nginx reads it as root, keep it 0600"},
	{Key: "tls.dhparam", Kind: KindString, Path: PathReadByNginx, Example: `"/srv/jupyterhub/dhparam.pem"`,
		Doc: "optional DH parameters for the DHE ciphers; `hubgen secrets` writes RFC 7919 ffdhe2048"},
	{Key: "tls.trusted_certificate", Kind: KindString, Path: PathReadByNginx, Example: `"/etc/letsencrypt/live/notebooks.example.edu/chain.pem"`,
		Doc: "optional issuer chain; setting it turns on OCSP stapling"},
	{Key: "tls.resolvers", Kind: KindStrings, Default: []string{"127.0.0.53"}, Example: `["127.0.0.53"]`,
		Doc: "DNS resolvers (IP addresses) nginx uses to reach the OCSP responder when stapling"},
	{Key: "tls.profile", Kind: KindString, Default: ProfileIntermediate, Example: `"intermediate"`, Enum: []string{ProfileIntermediate, ProfileModern},
		Doc: "Mozilla's server-side TLS profile: intermediate (TLS 1.2 and 1.3) or modern (TLS 1.3 only)"},
	{Key: "tls.hsts", Kind: KindBool, Default: true, Example: "true",
		Doc: "send Strict-Transport-Security (two years) on every https response"},

	{Key: "users.admin", Kind: KindStrings, Required: true, Example: `["peter"]`,
		Doc: "JupyterHub admins, at least one; admins are always allowed in"},
	{Key: "users.allowed", Kind: KindStrings, Default: []string{}, Example: `["kendra", "sam"]`,
		Doc: "JupyterHub usernames allowed to log in (system users for the PAM authenticator)"},
	{Key: "users.roster", Kind: KindString, Example: `"rosters/engr101.csv"`,
		Doc: "optional file of more allowed users, relative to this site file: .txt (one a line) or .csv"},
	{Key: "users.roster_column", Kind: KindString, DefaultDoc: "the first of " + rosterColumnList, Example: `"SIS Login ID"`,
		Doc: `the .csv roster's column of usernames, by its header; case does not matter, and "SIS Login ID" may be written sis_login_id`},
	{Key: "users.roster_email_domain", Kind: KindString, Example: `"example.edu"`,
		Doc: "roster entries are addresses at this domain: kendra@example.edu becomes kendra; others are refused"},

	{Key: "spawner.cmd", Kind: KindCommand, Required: true, Example: `["/opt/conda/bin/jupyterhub-singleuser"]`,
		Doc: "the single-user server command, a string or a list of strings"},
	{Key: "spawner.default_url", Kind: KindString, Example: `"/lab"`,
		Doc: "optional page users land on, such as /lab or /tree"},
	{Key: "spawner.notebook_dir", Kind: KindString, Example: `"~/notebooks"`,
		Doc: "optional directory the notebook server starts in"},
	{Key: "spawner.kind", Kind: KindString, Default: SpawnerLocal, Example: `"systemd"`, Enum: []string{SpawnerLocal, SpawnerSystemd},
		Doc: `"local": servers run as the users' processes under the hub; "systemd": each in its own systemd unit (jupyterhub-systemdspawner), which enforces [limits]`},

	{Key: "hub.port", Kind: KindInt, Default: 8000, Example: "8000", Min: 1, Max: 65535,
		Doc: "the hub's proxy listens on 127.0.0.1:port; nginx forwards to it"},
	{Key: "hub.hub_port", Kind: KindInt, Default: 8081, Example: "8081", Min: 1, Max: 65535,
		Doc: "the hub's internal API on 127.0.0.1, which the proxy and notebook servers call"},
	{Key: "hub.proxy_api_port", Kind: KindInt, Default: 8001, Example: "8001", Min: 1, Max: 65535,
		Doc: "configurable-http-proxy's REST API on 127.0.0.1"},
	{Key: "hub.base_url", Kind: KindString, Default: "/", Example: `"/"`,
		Doc: `the path the hub is served under, such as "/engr101/"`},
	{Key: "hub.state_dir", Kind: KindString, Path: PathReadByHub, Default: "/srv/jupyterhub", Example: `"/srv/jupyterhub"`,
		Doc: "where the database and the default secret files live; the hub runs in it"},
	{Key: "hub.cookie_secret_file", Kind: KindString, Path: PathReadByHub, DefaultDoc: "state_dir + /jupyterhub_cookie_secret", DefaultFrom: inStateDir("jupyterhub_cookie_secret"), Example: `"/srv/jupyterhub/jupyterhub_cookie_secret"`,
		Doc: "the cookie secret file (0600; `hubgen secrets` creates it)"},
	{Key: "hub.proxy_auth_token_file", Kind: KindString, Path: PathReadByHub, DefaultDoc: "state_dir + /proxy_auth_token", DefaultFrom: inStateDir("proxy_auth_token"), Example: `"/srv/jupyterhub/proxy_auth_token"`,
		Doc: "the file whose contents are the proxy's auth token (0600; `hubgen secrets` creates it)"},
	{Key: "hub.executable", Kind: KindString, Path: PathReadByHub, DefaultDoc: "jupyterhub beside spawner.cmd's jupyterhub-singleuser, else /usr/bin/jupyterhub", DefaultFrom: besideSingleUser, Example: `"/opt/conda/bin/jupyterhub"`,
		Doc: "the jupyterhub program the systemd unit runs"},

	{Key: "hub.user_subdomains", Kind: KindBool, Default: false, Example: "true",
		Doc: "serve each user's server on a host of its own, NAME.domain, so a script a student plants runs in no one else's origin; needs a wildcard DNS record and certificate for *.domain"},

	{Key: "nginx.http_port", Kind: KindInt, Default: 80, Example: "80", Min: 1, Max: 65535,
		Doc: "plain http: serves ACME challenges and redirects the rest to https"},
	{Key: "nginx.https_port", Kind: KindInt, Default: 443, Example: "443", Min: 1, Max: 65535,
		Doc: "https"},
	{Key: "nginx.ipv6", Kind: KindBool, Default: true, Example: "true",
		Doc: "also listen on IPv6 ([::]); turn off on hosts without IPv6"},
	{Key: "nginx.client_max_body_size", Kind: KindString, Default: "100m", Example: `"100m"`,
		Doc: "largest request body; notebook saves and uploads exceed nginx's 1m default"},
	{Key: "nginx.acme_webroot", Kind: KindString, Path: PathReadByNginx, Default: "/var/www/letsencrypt", Example: `"/var/www/letsencrypt"`,
		Doc: "served at /.well-known/acme-challenge/ on the http port, for certbot --webroot"},
	{Key: "nginx.version", Kind: KindString, Default: "1.22", Example: `"1.22"`,
		Doc: `the nginx that runs the file, "MAJOR.MINOR"; 1.25 and later get "http2 on;"`},
	{Key: "nginx.user", Kind: KindString, Default: "www-data", Example: `"www-data"`,
		Doc: "the system user nginx's workers run as"},
	{Key: "nginx.pid", Kind: KindString, Path: PathReadByNginx, Default: "/run/nginx.pid", Example: `"/run/nginx.pid"`,
		Doc: "nginx's pid file; keep the one your nginx.service expects"},

	{Key: "culler.enabled", Kind: KindBool, Default: true, Example: "true",
		Doc: "stop servers nobody has used for culler.timeout (jupyterhub-idle-culler, run by the hub with a role that cannot do more)"},
	{Key: "culler.timeout", Kind: KindString, Default: "1h", Example: `"1h"`,
		Doc: `how long a server may sit unused before it is stopped, like "90s", "10m", "1h" or "2d"`},
	{Key: "culler.interval", Kind: KindString, Default: "10m", Example: `"10m"`,
		Doc: "how often the culler looks for idle servers"},
	{Key: "culler.max_age", Kind: KindString, Example: `"7d"`,
		Doc: "optional: stop every server this old, even one in use"},
	{Key: "culler.users", Kind: KindBool, Default: false, Example: "false",
		Doc: "also delete culled users from the hub's database (their files stay, and whoever the site allows can log in again)"},
	{Key: "culler.concurrency", Kind: KindInt, Default: 10, Example: "10", Min: 1, Max: 100,
		Doc: "how many requests the culler makes to the hub at once"},
	{Key: "culler.kernel_timeout", Kind: KindString, Example: `"30m"`,
		Doc: "optional: inside each server, shut down a kernel that has run no code for this long, even with its notebook open"},

	{Key: "limits.memory", Kind: KindString, Example: `"2G"`,
		Doc: `each user's memory limit, a whole number with K, M, G or T, like "2G"; needs spawner.kind = "systemd"`},
	{Key: "limits.cpu", Kind: KindNumber, Example: "1.5",
		Doc: `each user's CPU limit in CPUs, like 1.5; needs spawner.kind = "systemd"`},
	{Key: "limits.hub_memory_max", Kind: KindString, Default: "90%", Example: `"90%"`,
		Doc: `MemoryMax= of the hub's systemd unit: the hub, its proxy and (with the local spawner) every server together, like "90%" of the RAM or "12G"`},
	{Key: "limits.hub_memory_high", Kind: KindString, Example: `"80%"`,
		Doc: "optional MemoryHigh= of the hub's unit: above it the kernel reclaims the unit's memory hard, before MemoryMax= kills"},
	{Key: "limits.hub_tasks_max", Kind: KindString, DefaultDoc: "systemd's DefaultTasksMax (15% of the kernel's limit)", Example: `"8192"`,
		Doc: `optional TasksMax= of the hub's unit: processes and threads together, like "8192" or "20%"`},
	// [auth]: how people sign in. Key names follow oauthenticator's traits where it has one.
	{Key: "auth.type", Kind: KindString, Default: AuthPAM, Example: `"oidc"`, Enum: []string{AuthPAM, AuthOIDC, AuthGitHub},
		Doc: `how people sign in: "pam" (system accounts and passwords), "oidc" (the university's single sign-on) or "github"`},
	{Key: "auth.client_id", Kind: KindString, Example: `"engr101-jupyterhub"`,
		Doc: "oidc, github: the client id the identity provider gave this hub; required for them"},
	{Key: "auth.client_secret_file", Kind: KindString, DefaultFrom: inStateDir("oauth_client_secret"), DefaultDoc: "state_dir + /oauth_client_secret", Example: `"/srv/jupyterhub/oauth_client_secret"`,
		Doc: "oidc, github: the file (0600) holding the provider's client secret, read when the hub starts; never put the secret in this file"},
	{Key: "auth.login_service", Kind: KindString, DefaultDoc: `"single sign-on" for oidc, "GitHub" for github`, Example: `"College SSO"`,
		Doc: `oidc, github: the login button reads "Sign in with" this`},
	{Key: "auth.authorize_url", Kind: KindString, Example: `"https://login.example.edu/oauth2/authorize"`,
		Doc: "oidc: the provider's authorization endpoint (https; http only on 127.0.0.1, ::1 or localhost); required for oidc"},
	{Key: "auth.token_url", Kind: KindString, Example: `"https://login.example.edu/oauth2/token"`,
		Doc: "oidc: the provider's token endpoint (https; http only on loopback); required for oidc"},
	{Key: "auth.userdata_url", Kind: KindString, Example: `"https://login.example.edu/oauth2/userinfo"`,
		Doc: "oidc: the provider's userinfo endpoint (https; http only on loopback); required for oidc"},
	{Key: "auth.scope", Kind: KindStrings, DefaultDoc: `["openid", "profile", "email"] for oidc; ["read:org"] for github with allowed_organizations, else []`, Example: `["openid", "profile", "email"]`,
		Doc: "oidc, github: the OAuth scopes the hub asks for"},
	{Key: "auth.username_claim", Kind: KindString, DefaultDoc: `"preferred_username"`, Example: `"preferred_username"`,
		Doc: `oidc: the userinfo claim that becomes the username; "email" takes the name before the @ of an address at email_domain`},
	{Key: "auth.email_domain", Kind: KindString, DefaultDoc: `users.roster_email_domain with username_claim = "email", else none`, Example: `"example.edu"`,
		Doc: `oidc: the username claim is an address at this domain (email, or Entra ID's preferred_username): kendra@example.edu becomes kendra, other domains are refused`},
	{Key: "auth.allowed_organizations", Kind: KindStrings, Example: `["engr101-2027s"]`,
		Doc: "github: sign-in also needs membership of one of these organizations (or org:team); an extra gate, never a way in for someone not in [users]"},

	// [kubernetes]: read only by `hubgen render --target z2jh` (the Zero to JupyterHub chart).
	{Key: "kubernetes.tls", Kind: KindString, Default: KubernetesTLSLetsEncrypt, Example: `"letsencrypt"`, Enum: []string{KubernetesTLSLetsEncrypt, KubernetesTLSSecret, KubernetesTLSExternal},
		Doc: `z2jh: where HTTPS comes from: "letsencrypt" (the chart's own proxy gets certificates), "secret" (an ingress with an existing TLS Secret) or "external" (an ingress; TLS ends in front of the cluster)`},
	{Key: "kubernetes.tls_secret", Kind: KindString, Example: `"notebooks-example-edu-tls"`,
		Doc: `z2jh: the kubernetes.io/tls Secret holding the certificate and key for domain; required with tls = "secret"`},
	{Key: "kubernetes.letsencrypt_contact_email", Kind: KindString, Example: `"hub-admins@example.edu"`,
		Doc: `z2jh: the address Let's Encrypt writes to about expiring certificates; the chart needs it with tls = "letsencrypt"`},
	{Key: "kubernetes.oauth_secret", Kind: KindString, Default: "hub-oauth-client", Example: `"hub-oauth-client"`,
		Doc: `z2jh, oidc and github: the Secret (in the hub's namespace) whose key client_secret holds the OAuth client secret; kubectl creates it, values.yaml only names it`},
}

// fieldsByKey indexes Fields.
var fieldsByKey = func() map[string]*Field {
	m := make(map[string]*Field, len(Fields))
	for i := range Fields {
		m[Fields[i].Key] = &Fields[i]
	}
	return m
}()

// FieldByKey returns the field with the dotted key, if site.toml has one.
func FieldByKey(key string) (Field, bool) {
	if f, ok := fieldsByKey[key]; ok {
		return *f, true
	}
	return Field{}, false
}

// inStateDir is the DefaultFrom of a secret file that lives in hub.state_dir.
func inStateDir(name string) func(get func(string) any) any {
	return func(get func(string) any) any {
		dir, _ := get("hub.state_dir").(string)
		return strings.TrimSuffix(dir, "/") + "/" + name
	}
}

// besideSingleUser is hub.executable's DefaultFrom; defaultExecutable says why.
func besideSingleUser(get func(string) any) any {
	cmd, _ := get("spawner.cmd").([]string)
	return defaultExecutable(cmd)
}
