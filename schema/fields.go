package schema

import (
	"slices"
)

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

// Field describes one site.toml key: everything hubgen knows about it is on its row of Fields.
// Decoding, defaults, building the Site, the login types a key is for, the JSON Schema, `hubgen
// init`, what --target z2jh makes of it and README's table all read the row, so they cannot
// disagree on a key's name, type, default or meaning. The rules that need more than one key
// (ports must differ, files must not collide) are in the per-table check files.
type Field struct {
	Key      string // dotted path, "tls.cert"
	Kind     Kind
	Required bool
	// Default is the value a key left out takes, as a Go value of its kind: a string, a []string
	// (KindStrings and KindCommand), an int or a bool; nil for none. It is the value itself, not
	// TOML text: "1.22", not `"1.22"`.
	Default any
	// DefaultFrom makes a default from other keys' values (theirs after defaults), for the keys
	// whose default depends on another (auth.type included); DefaultDoc says the same in words
	// for `hubgen init` and the JSON Schema. A default only described (users.roster_column) has
	// DefaultDoc alone.
	DefaultFrom func(get func(key string) any) any
	DefaultDoc  string
	Example     string // a valid value in TOML syntax, for messages and `hubgen init`
	Doc         string // one line
	Enum        []string
	Min, Max    int     // for KindInt
	Path        PathUse // whether the value is an absolute path, which validatePath checks
	// Into is where the value goes in a Site: a pointer to a string, []string, int, bool,
	// float64, or time.Duration (a KindString read with ParseDuration). build fills every row's.
	Into func(s *Site) any
	// AuthTypes are the auth.type values the key is for; nil for every one. Set with another
	// login type it is an error (no one should believe, say, an organization gate protects a PAM
	// hub), and the Site keeps the zero value.
	AuthTypes []string
	// Z2JH is what `hubgen render --target z2jh` makes of the key.
	Z2JH Z2JHUse
	// rule writes the validator's own patterns and limits for the key as JSON Schema keywords,
	// after its kind, Enum, Min and Max and Path have been.
	rule func(*jsonSchema)
}

// Z2JHUse says what the Zero to JupyterHub target does with one key: where in values.yaml it
// goes, or why it has no meaning there. Every row has one, so a new key cannot be dropped
// silently on Kubernetes.
type Z2JHUse struct {
	Ignored bool
	Use     string // the values.yaml keys it sets, or why it is ignored
}

func usedAs(use string) Z2JHUse    { return Z2JHUse{Use: use} }
func ignoredBy(why string) Z2JHUse { return Z2JHUse{Ignored: true, Use: why} }

// The login types' sets of keys: the OAuth types share a client, each has keys of its own.
var (
	oauthTypes = []string{AuthOIDC, AuthGitHub}
	oidcOnly   = []string{AuthOIDC}
	githubOnly = []string{AuthGitHub}
	lti13Only  = []string{AuthLTI13}
	// Keys an LTI 1.3 platform's registration shares with OIDC (it is OIDC-based) or with both
	// OAuth types.
	clientTypes   = []string{AuthOIDC, AuthGitHub, AuthLTI13}
	oidcLikeTypes = []string{AuthOIDC, AuthLTI13}
)

// PathUse tells whether a key holds an absolute path, and what reads it.
type PathUse int

// The uses of path keys.
const (
	NotPath         PathUse = iota
	PathReadByHub           // JupyterHub, systemd or hubgen reads it
	PathReadByNginx         // nginx reads it, and a "$" in it would start a variable
)

// Table is one TOML table a site file may have.
type Table struct {
	Name string
	Doc  string // one sentence, for the JSON Schema
}

// Tables are the TOML tables a site file may have, in the order `hubgen init` writes them.
var Tables = []Table{
	{"tls", "How nginx terminates HTTPS."},
	{"users", "Who may log in to the hub."},
	{"spawner", "How JupyterHub starts each user's notebook server."},
	{"hub", "The JupyterHub process, its ports on 127.0.0.1 and its files."},
	{"nginx", "The reverse proxy in front of the hub."},
	{"culler", "Stopping idle servers (jupyterhub-idle-culler, as a hub service with a scoped role) and idle kernels."},
	{"limits", "Per-user memory and CPU (SystemdSpawner only), and a cap on the hub's systemd unit."},
	{"auth", "How people sign in: PAM (the default), an OpenID Connect provider, or GitHub."},
	{"kubernetes", "Read only by `hubgen render --target z2jh`: HTTPS and the OAuth client secret on Kubernetes."},
}

// Fields lists every key of site.toml version 1, in the order `hubgen init` writes them.
var Fields = []Field{
	{Key: "domain", Kind: KindString, Required: true, Example: `"notebooks.example.edu"`,
		Doc:  "the hub's one fully qualified domain name, used for every server_name",
		Into: func(s *Site) any { return &s.Domain },
		Z2JH: usedAs("proxy.https.hosts or ingress.hosts, and the OAuth callback URL"),
		rule: func(s *jsonSchema) { s.Pattern, s.MaxLength = domainPattern, MaxDomainLength }},

	{Key: "tls.cert", Kind: KindString, Path: PathReadByNginx, Required: true, Example: `"/etc/letsencrypt/live/notebooks.example.edu/fullchain.pem"`,
		Doc:  "absolute path of the certificate chain (Let's Encrypt's fullchain.pem)",
		Into: func(s *Site) any { return &s.TLS.Cert },
		Z2JH: ignoredBy("a file on the server; kubernetes.tls chooses the certificate")},
	{Key: "tls.key", Kind: KindString, Path: PathReadByNginx, Required: true, Example: `"/etc/letsencrypt/live/notebooks.example.edu/privkey.pem"`,
		Doc:  "absolute path of the private key; nginx reads it as root, keep it 0600",
		Into: func(s *Site) any { return &s.TLS.Key },
		Z2JH: ignoredBy("a file on the server; kubernetes.tls chooses the certificate")},
	{Key: "tls.dhparam", Kind: KindString, Path: PathReadByNginx, Example: `"/srv/jupyterhub/dhparam.pem"`,
		Doc:  "optional DH parameters for the DHE ciphers; `hubgen secrets` writes RFC 7919 ffdhe2048",
		Into: func(s *Site) any { return &s.TLS.DHParam },
		Z2JH: ignoredBy("nginx only")},
	{Key: "tls.trusted_certificate", Kind: KindString, Path: PathReadByNginx, Example: `"/etc/letsencrypt/live/notebooks.example.edu/chain.pem"`,
		Doc:  "optional issuer chain; setting it turns on OCSP stapling",
		Into: func(s *Site) any { return &s.TLS.TrustedCertificate },
		Z2JH: ignoredBy("nginx only (OCSP stapling)")},
	{Key: "tls.resolvers", Kind: KindStrings, Default: []string{"127.0.0.53"}, Example: `["127.0.0.53"]`,
		Doc:  "DNS resolvers (IP addresses) nginx uses to reach the OCSP responder when stapling",
		Into: func(s *Site) any { return &s.TLS.Resolvers },
		Z2JH: ignoredBy("nginx only (OCSP stapling)"),
		rule: func(s *jsonSchema) { s.MinItems, s.Items.Pattern = 1, ipAddressPattern }},
	{Key: "tls.profile", Kind: KindString, Default: ProfileIntermediate, Example: `"intermediate"`, Enum: []string{ProfileIntermediate, ProfileModern},
		Doc:  "Mozilla's server-side TLS profile: intermediate (TLS 1.2 and 1.3) or modern (TLS 1.3 only)",
		Into: func(s *Site) any { return &s.TLS.Profile },
		Z2JH: ignoredBy("nginx only; the chart's proxy or the ingress controller picks the ciphers")},
	{Key: "tls.hsts", Kind: KindBool, Default: true, Example: "true",
		Doc:  "send Strict-Transport-Security (two years) on every https response",
		Into: func(s *Site) any { return &s.TLS.HSTS },
		Z2JH: ignoredBy("nginx only")},

	{Key: "users.admin", Kind: KindStrings, Required: true, Example: `["peter"]`,
		Doc:  "JupyterHub admins, at least one; admins are always allowed in",
		Into: func(s *Site) any { return &s.Users.AdminUsers },
		Z2JH: usedAs("hub.config.Authenticator.allowed_users, hub.loadRoles.admin.users, hub.config.Authenticator.username_pattern"),
		rule: func(s *jsonSchema) { s.MinItems, s.UniqueItems, s.Items.Pattern = 1, true, UsernamePattern }},
	{Key: "users.allowed", Kind: KindStrings, Default: []string{}, Example: `["kendra", "sam"]`,
		Doc:  "JupyterHub usernames allowed to log in (system users for the PAM authenticator)",
		Into: func(s *Site) any { return &s.Users.AllowedUsers },
		Z2JH: usedAs("hub.config.Authenticator.allowed_users, hub.config.Authenticator.username_pattern"),
		rule: func(s *jsonSchema) { s.UniqueItems, s.Items.Pattern = true, UsernamePattern }},
	{Key: "users.roster", Kind: KindString, Example: `"rosters/engr101.csv"`,
		Doc:  "optional file of more allowed users, relative to this site file: .txt (one a line) or .csv",
		Into: func(s *Site) any { return &s.Users.Roster },
		Z2JH: usedAs("its users, as users.allowed (read when hubgen renders)"),
		rule: func(s *jsonSchema) { s.Pattern = rosterPathPattern }},
	{Key: "users.roster_column", Kind: KindString, DefaultDoc: "the first of " + rosterColumnList, Example: `"SIS Login ID"`,
		Doc:  `the .csv roster's column of usernames, by its header; case does not matter, and "SIS Login ID" may be written sis_login_id`,
		Into: func(s *Site) any { return &s.Users.RosterColumn },
		Z2JH: usedAs("as users.roster"),
		rule: func(s *jsonSchema) { s.Pattern = "[^" + spaceChars + "]" }},
	{Key: "users.roster_email_domain", Kind: KindString, Example: `"example.edu"`,
		Doc:  "roster entries are addresses at this domain: kendra@example.edu becomes kendra; others are refused",
		Into: func(s *Site) any { return &s.Users.RosterEmailDomain },
		Z2JH: usedAs("as users.roster; with auth.username_claim = \"email\", the sign-in rule in hub.extraConfig"),
		rule: func(s *jsonSchema) { s.Pattern = domainPattern }},

	{Key: "spawner.cmd", Kind: KindCommand, Required: true, Example: `["/opt/conda/bin/jupyterhub-singleuser"]`,
		Doc:  "the single-user server command, a string or a list of strings",
		Into: func(s *Site) any { return &s.Spawner.Cmd },
		Z2JH: ignoredBy("a path on the server; the chart's singleuser image starts the server")},
	{Key: "spawner.default_url", Kind: KindString, Example: `"/lab"`,
		Doc:  "optional page users land on, such as /lab or /tree",
		Into: func(s *Site) any { return &s.Spawner.DefaultURL },
		Z2JH: usedAs("singleuser.defaultUrl"),
		rule: func(s *jsonSchema) { s.Pattern = "^/[^" + c0c1Controls + spaceChars + "]*$" }},
	{Key: "spawner.notebook_dir", Kind: KindString, Example: `"~/notebooks"`,
		Doc:  "optional directory the notebook server starts in",
		Into: func(s *Site) any { return &s.Spawner.NotebookDir },
		Z2JH: usedAs("hub.config.KubeSpawner.notebook_dir"),
		rule: func(s *jsonSchema) { s.Pattern = "^[^" + controlChars + "]+$" }},
	{Key: "spawner.kind", Kind: KindString, Default: SpawnerLocal, Example: `"systemd"`, Enum: []string{SpawnerLocal, SpawnerSystemd},
		Doc:  `"local": servers run as the users' processes under the hub; "systemd": each in its own systemd unit (jupyterhub-systemdspawner), which enforces [limits]`,
		Into: func(s *Site) any { return &s.Spawner.Kind },
		Z2JH: ignoredBy("the chart always uses KubeSpawner")},

	{Key: "hub.port", Kind: KindInt, Default: 8000, Example: "8000", Min: 1, Max: 65535,
		Doc:  "the hub's proxy listens on 127.0.0.1:port; nginx forwards to it",
		Into: func(s *Site) any { return &s.Hub.Port },
		Z2JH: ignoredBy("loopback port on the server; the chart picks its Services' ports")},
	{Key: "hub.hub_port", Kind: KindInt, Default: 8081, Example: "8081", Min: 1, Max: 65535,
		Doc:  "the hub's internal API on 127.0.0.1, which the proxy and notebook servers call",
		Into: func(s *Site) any { return &s.Hub.HubPort },
		Z2JH: ignoredBy("loopback port on the server")},
	{Key: "hub.proxy_api_port", Kind: KindInt, Default: 8001, Example: "8001", Min: 1, Max: 65535,
		Doc:  "configurable-http-proxy's REST API on 127.0.0.1",
		Into: func(s *Site) any { return &s.Hub.ProxyAPIPort },
		Z2JH: ignoredBy("loopback port on the server")},
	{Key: "hub.base_url", Kind: KindString, Default: "/", Example: `"/"`,
		Doc:  `the path the hub is served under, such as "/engr101/"`,
		Into: func(s *Site) any { return &s.Hub.BaseURL },
		Z2JH: usedAs("hub.baseUrl (and the ingress path)"),
		rule: func(s *jsonSchema) { s.Pattern = baseURLSchemaPattern }},
	{Key: "hub.state_dir", Kind: KindString, Path: PathReadByHub, Default: "/srv/jupyterhub", Example: `"/srv/jupyterhub"`,
		Doc:  "where the database and the default secret files live; the hub runs in it",
		Into: func(s *Site) any { return &s.Hub.StateDir },
		Z2JH: ignoredBy("the chart keeps the database on the hub's PersistentVolumeClaim"),
		rule: func(s *jsonSchema) {
			// SQLAlchemy reads the database path as part of a URL; systemd's WorkingDirectory= drops
			// trailing spaces and joins a line ending in "\".
			s.Pattern = cleanPathPattern(databaseURLChars)
			s.AllOf = append(s.AllOf, &jsonSchema{Pattern: `[^ \\]$`})
		}},
	{Key: "hub.cookie_secret_file", Kind: KindString, Path: PathReadByHub, DefaultDoc: "state_dir + /jupyterhub_cookie_secret", DefaultFrom: inStateDir("jupyterhub_cookie_secret"), Example: `"/srv/jupyterhub/jupyterhub_cookie_secret"`,
		Doc:  "the cookie secret file (0600; `hubgen secrets` creates it)",
		Into: func(s *Site) any { return &s.Hub.CookieSecretFile },
		Z2JH: ignoredBy("the chart generates the cookie secret and keeps it in the hub's Secret")},
	{Key: "hub.proxy_auth_token_file", Kind: KindString, Path: PathReadByHub, DefaultDoc: "state_dir + /proxy_auth_token", DefaultFrom: inStateDir("proxy_auth_token"), Example: `"/srv/jupyterhub/proxy_auth_token"`,
		Doc:  "the file whose contents are the proxy's auth token (0600; `hubgen secrets` creates it)",
		Into: func(s *Site) any { return &s.Hub.ProxyAuthTokenFile },
		Z2JH: ignoredBy("the chart generates the proxy token and keeps it in the hub's Secret")},
	{Key: "hub.executable", Kind: KindString, Path: PathReadByHub, DefaultDoc: "jupyterhub beside spawner.cmd's jupyterhub-singleuser, else /usr/bin/jupyterhub", DefaultFrom: besideSingleUser, Example: `"/opt/conda/bin/jupyterhub"`,
		Doc:  "the jupyterhub program the systemd unit runs",
		Into: func(s *Site) any { return &s.Hub.Executable },
		Z2JH: ignoredBy("the chart's hub image runs JupyterHub"),
		rule: func(s *jsonSchema) {
			// The unit's Environment=PATH= holds the executable's directory and cannot hold a "$".
			s.AllOf = append(s.AllOf, &jsonSchema{Pattern: `^[^$"'\\]*/[^/"'\\]*$`})
		}},

	{Key: "hub.user_subdomains", Kind: KindBool, Default: false, Example: "true",
		Doc:  "serve each user's server on a host of its own, NAME.domain, so a script a student plants runs in no one else's origin; needs a wildcard DNS record and certificate for *.domain",
		Into: func(s *Site) any { return &s.Hub.UserSubdomains },
		Z2JH: usedAs("hub.config.JupyterHub.subdomain_host, and ingress.hosts and ingress.tls[0].hosts for domain and *.domain")},

	{Key: "nginx.http_port", Kind: KindInt, Default: 80, Example: "80", Min: 1, Max: 65535,
		Doc:  "plain http: serves ACME challenges and redirects the rest to https",
		Into: func(s *Site) any { return &s.Nginx.HTTPPort },
		Z2JH: ignoredBy("nginx only")},
	{Key: "nginx.https_port", Kind: KindInt, Default: 443, Example: "443", Min: 1, Max: 65535,
		Doc:  "https",
		Into: func(s *Site) any { return &s.Nginx.HTTPSPort },
		Z2JH: ignoredBy("nginx only; the chart serves 443")},
	{Key: "nginx.ipv6", Kind: KindBool, Default: true, Example: "true",
		Doc:  "also listen on IPv6 ([::]); turn off on hosts without IPv6",
		Into: func(s *Site) any { return &s.Nginx.IPv6 },
		Z2JH: ignoredBy("nginx only")},
	{Key: "nginx.client_max_body_size", Kind: KindString, Default: "100m", Example: `"100m"`,
		Doc:  "largest request body; notebook saves and uploads exceed nginx's 1m default",
		Into: func(s *Site) any { return &s.Nginx.ClientMaxBodySize },
		Z2JH: ignoredBy("nginx only; set your ingress controller's body size limit"),
		rule: func(s *jsonSchema) { s.Pattern = sizeSchemaPattern() }},
	{Key: "nginx.acme_webroot", Kind: KindString, Path: PathReadByNginx, Default: "/var/www/letsencrypt", Example: `"/var/www/letsencrypt"`,
		Doc:  "served at /.well-known/acme-challenge/ on the http port, for certbot --webroot",
		Into: func(s *Site) any { return &s.Nginx.ACMEWebroot },
		Z2JH: ignoredBy("nginx only")},
	{Key: "nginx.version", Kind: KindString, Default: "1.22", Example: `"1.22"`,
		Doc:  `the nginx that runs the file, "MAJOR.MINOR"; 1.25 and later get "http2 on;"`,
		Into: func(s *Site) any { return &s.Nginx.Version },
		Z2JH: ignoredBy("nginx only"),
		rule: func(s *jsonSchema) { s.Pattern = `^1\.` + atLeastPattern(OldestNginx, 3) + `(?:\.[0-9]{1,3})?$` }},
	{Key: "nginx.user", Kind: KindString, Default: "www-data", Example: `"www-data"`,
		Doc:  "the system user nginx's workers run as",
		Into: func(s *Site) any { return &s.Nginx.User },
		Z2JH: ignoredBy("nginx only"),
		rule: func(s *jsonSchema) { s.Pattern = systemUserPattern }},
	{Key: "nginx.pid", Kind: KindString, Path: PathReadByNginx, Default: "/run/nginx.pid", Example: `"/run/nginx.pid"`,
		Doc:  "nginx's pid file; keep the one your nginx.service expects",
		Into: func(s *Site) any { return &s.Nginx.PIDFile },
		Z2JH: ignoredBy("nginx only")},

	{Key: "culler.enabled", Kind: KindBool, Default: true, Example: "true",
		Doc:  "stop servers nobody has used for culler.timeout (jupyterhub-idle-culler, run by the hub with a role that cannot do more)",
		Into: func(s *Site) any { return &s.Culler.Enabled },
		Z2JH: usedAs("cull.enabled")},
	{Key: "culler.timeout", Kind: KindString, Default: "1h", Example: `"1h"`,
		Doc:  `how long a server may sit unused before it is stopped, like "90s", "10m", "1h" or "2d"`,
		Into: func(s *Site) any { return &s.Culler.Timeout },
		Z2JH: usedAs("cull.timeout"),
		rule: durationRule},
	{Key: "culler.interval", Kind: KindString, Default: "10m", Example: `"10m"`,
		Doc:  "how often the culler looks for idle servers",
		Into: func(s *Site) any { return &s.Culler.Interval },
		Z2JH: usedAs("cull.every"),
		rule: durationRule},
	{Key: "culler.max_age", Kind: KindString, Example: `"7d"`,
		Doc:  "optional: stop every server this old, even one in use",
		Into: func(s *Site) any { return &s.Culler.MaxAge },
		Z2JH: usedAs("cull.maxAge"),
		rule: durationRule},
	{Key: "culler.users", Kind: KindBool, Default: false, Example: "false",
		Doc:  "also delete culled users from the hub's database (their files stay, and whoever the site allows can log in again)",
		Into: func(s *Site) any { return &s.Culler.Users },
		Z2JH: usedAs("cull.users")},
	{Key: "culler.concurrency", Kind: KindInt, Default: 10, Example: "10", Min: 1, Max: 100,
		Doc:  "how many requests the culler makes to the hub at once",
		Into: func(s *Site) any { return &s.Culler.Concurrency },
		Z2JH: usedAs("cull.concurrency")},
	{Key: "culler.kernel_timeout", Kind: KindString, Example: `"30m"`,
		Doc:  "optional: inside each server, shut down a kernel that has run no code for this long, even with its notebook open",
		Into: func(s *Site) any { return &s.Culler.KernelTimeout },
		Z2JH: usedAs("hub.config.KubeSpawner.args (the notebook server's own kernel culling)"),
		rule: durationRule},

	{Key: "limits.memory", Kind: KindString, Example: `"2G"`,
		Doc:  `each user's memory limit, a whole number with K, M, G or T, like "2G"; needs spawner.kind = "systemd"`,
		Into: func(s *Site) any { return &s.Limits.Memory },
		Z2JH: usedAs("singleuser.memory.limit and singleuser.memory.guarantee"),
		rule: func(s *jsonSchema) { s.Pattern = memoryPattern }},
	{Key: "limits.cpu", Kind: KindNumber, Example: "1.5",
		Doc:  `each user's CPU limit in CPUs, like 1.5; needs spawner.kind = "systemd"`,
		Into: func(s *Site) any { return &s.Limits.CPU },
		Z2JH: usedAs("singleuser.cpu.limit"),
		rule: func(s *jsonSchema) { s.ExclusiveMinimum, s.Maximum = new(float64), ptr(MaxCPU) }},
	{Key: "limits.hub_memory_max", Kind: KindString, Default: "90%", Example: `"90%"`,
		Doc:  `MemoryMax= of the hub's systemd unit: the hub, its proxy and (with the local spawner) every server together, like "90%" of the RAM or "12G"`,
		Into: func(s *Site) any { return &s.Limits.HubMemoryMax },
		Z2JH: ignoredBy("the hub's systemd unit only"),
		rule: func(s *jsonSchema) { s.Pattern = unitMemoryPattern }},
	{Key: "limits.hub_memory_high", Kind: KindString, Example: `"80%"`,
		Doc:  "optional MemoryHigh= of the hub's unit: above it the kernel reclaims the unit's memory hard, before MemoryMax= kills",
		Into: func(s *Site) any { return &s.Limits.HubMemoryHigh },
		Z2JH: ignoredBy("the hub's systemd unit only"),
		rule: func(s *jsonSchema) { s.Pattern = unitMemoryPattern }},
	{Key: "limits.hub_tasks_max", Kind: KindString, DefaultDoc: "systemd's DefaultTasksMax (15% of the kernel's limit)", Example: `"8192"`,
		Doc:  `optional TasksMax= of the hub's unit: processes and threads together, like "8192" or "20%"`,
		Into: func(s *Site) any { return &s.Limits.HubTasksMax },
		Z2JH: ignoredBy("the hub's systemd unit only"),
		rule: func(s *jsonSchema) { s.Pattern = unitTasksPattern }},
	// [auth]: how people sign in. Key names follow oauthenticator's traits where it has one.
	{Key: "auth.type", Kind: KindString, Default: AuthPAM, Example: `"oidc"`, Enum: []string{AuthPAM, AuthOIDC, AuthGitHub, AuthLTI13},
		Doc:  `how people sign in: "pam" (system accounts and passwords), "oidc" (the university's single sign-on), "github" or "lti13" (a launch from the course in Canvas, Moodle or another LTI 1.3 platform)`,
		Into: func(s *Site) any { return &s.Auth.Type },
		Z2JH: usedAs("hub.config.JupyterHub.authenticator_class, for lti13 set in hub.extraConfig (pam is refused: no system users on Kubernetes)")},
	{Key: "auth.client_id", Kind: KindString, Example: `"engr101-jupyterhub"`,
		Doc:       "oidc, github, lti13: the client id the identity provider (for lti13 the platform's developer key or tool registration) gave this hub; required for them",
		Into:      func(s *Site) any { return &s.Auth.ClientID },
		AuthTypes: clientTypes,
		Z2JH:      usedAs("hub.config.{Generic,GitHub}OAuthenticator.client_id or hub.config.LTI13Authenticator.client_id"),
		rule:      func(s *jsonSchema) { s.Pattern = clientIDPattern }},
	{Key: "auth.client_secret_file", Kind: KindString, DefaultFrom: inStateDir("oauth_client_secret"), DefaultDoc: "state_dir + /oauth_client_secret", Example: `"/srv/jupyterhub/oauth_client_secret"`,
		Doc:       "oidc, github: the file (0600) holding the provider's client secret, read when the hub starts; never put the secret in this file",
		Into:      func(s *Site) any { return &s.Auth.ClientSecretFile },
		AuthTypes: oauthTypes,
		Z2JH:      ignoredBy("a file on the server; on Kubernetes the Secret named by kubernetes.oauth_secret"),
		rule:      func(s *jsonSchema) { s.Pattern, s.MaxLength = cleanPathPattern(""), maxPathLength }},
	{Key: "auth.login_service", DefaultFrom: byAuthType(map[string]any{AuthOIDC: "single sign-on", AuthGitHub: "GitHub"}), Kind: KindString, DefaultDoc: `"single sign-on" for oidc, "GitHub" for github`, Example: `"College SSO"`,
		Doc:       `oidc, github: the login button reads "Sign in with" this`,
		Into:      func(s *Site) any { return &s.Auth.LoginService },
		AuthTypes: oauthTypes,
		Z2JH:      usedAs("hub.config.{Generic,GitHub}OAuthenticator.login_service")},
	{Key: "auth.authorize_url", Kind: KindString, Example: `"https://login.example.edu/oauth2/authorize"`,
		Doc:       "oidc, lti13: the provider's (the platform's OIDC) authorization endpoint (https; http only on 127.0.0.1, ::1 or localhost); required for them",
		Into:      func(s *Site) any { return &s.Auth.AuthorizeURL },
		AuthTypes: oidcLikeTypes,
		Z2JH:      usedAs("hub.config.GenericOAuthenticator.authorize_url or hub.config.LTI13Authenticator.authorize_url"),
		rule:      func(s *jsonSchema) { s.Pattern = endpointSchemaPattern }},
	{Key: "auth.token_url", Kind: KindString, Example: `"https://login.example.edu/oauth2/token"`,
		Doc:       "oidc: the provider's token endpoint (https; http only on loopback); required for oidc",
		Into:      func(s *Site) any { return &s.Auth.TokenURL },
		AuthTypes: oidcOnly,
		Z2JH:      usedAs("hub.config.GenericOAuthenticator.token_url"),
		rule:      func(s *jsonSchema) { s.Pattern = endpointSchemaPattern }},
	{Key: "auth.userdata_url", Kind: KindString, Example: `"https://login.example.edu/oauth2/userinfo"`,
		Doc:       "oidc: the provider's userinfo endpoint (https; http only on loopback); required for oidc",
		Into:      func(s *Site) any { return &s.Auth.UserdataURL },
		AuthTypes: oidcOnly,
		Z2JH:      usedAs("hub.config.GenericOAuthenticator.userdata_url"),
		rule:      func(s *jsonSchema) { s.Pattern = endpointSchemaPattern }},
	{Key: "auth.scope", DefaultFrom: defaultScope, Kind: KindStrings, DefaultDoc: `["openid", "profile", "email"] for oidc; ["read:org"] for github with allowed_organizations, else []`, Example: `["openid", "profile", "email"]`,
		Doc:       "oidc, github: the OAuth scopes the hub asks for",
		Into:      func(s *Site) any { return &s.Auth.Scope },
		AuthTypes: oauthTypes,
		Z2JH:      usedAs("hub.config.{Generic,GitHub}OAuthenticator.scope"),
		rule:      func(s *jsonSchema) { s.Items.Pattern = scopePattern }},
	{Key: "auth.username_claim", DefaultFrom: byAuthType(map[string]any{AuthOIDC: "preferred_username", AuthLTI13: "email"}), Kind: KindString, DefaultDoc: `"preferred_username" for oidc, "email" for lti13`, Example: `"preferred_username"`,
		Doc:       `oidc, lti13: the claim that becomes the username; "email" takes the name before the @ of an address at email_domain; for lti13 "custom_NAME" reads NAME from the launch's custom claim`,
		Into:      func(s *Site) any { return &s.Auth.UsernameClaim },
		AuthTypes: oidcLikeTypes,
		Z2JH:      usedAs("hub.config.GenericOAuthenticator.username_claim, or the sign-in rule in hub.extraConfig (always, for lti13)"),
		rule:      func(s *jsonSchema) { s.Pattern = claimPattern }},
	{Key: "auth.email_domain", DefaultFrom: defaultEmailDomain, Kind: KindString, DefaultDoc: `users.roster_email_domain with username_claim = "email", else none`, Example: `"example.edu"`,
		Doc:       `oidc, lti13: the username claim is an address at this domain (email, or Entra ID's preferred_username): kendra@example.edu becomes kendra, other domains are refused`,
		Into:      func(s *Site) any { return &s.Auth.EmailDomain },
		AuthTypes: oidcLikeTypes,
		Z2JH:      usedAs("the sign-in rule in hub.extraConfig"),
		rule:      func(s *jsonSchema) { s.Pattern = domainPattern }},
	{Key: "auth.issuer", Kind: KindString, Example: `"https://canvas.instructure.com"`,
		Doc:       "lti13: the platform's issuer (iss), exactly as the platform writes it; launches from any other issuer are refused; required for lti13",
		Into:      func(s *Site) any { return &s.Auth.Issuer },
		AuthTypes: lti13Only,
		Z2JH:      usedAs("hub.config.LTI13Authenticator.issuer"),
		rule:      func(s *jsonSchema) { s.Pattern = issuerSchemaPattern }},
	{Key: "auth.jwks_url", Kind: KindString, Example: `"https://sso.canvaslms.com/api/lti/security/jwks"`,
		Doc:       "lti13: the platform's public keyset URL, which the launch's signature is checked against (https; http only on loopback); required for lti13",
		Into:      func(s *Site) any { return &s.Auth.JWKSURL },
		AuthTypes: lti13Only,
		Z2JH:      usedAs("hub.config.LTI13Authenticator.jwks_endpoint"),
		rule:      func(s *jsonSchema) { s.Pattern = endpointSchemaPattern }},
	{Key: "auth.deployment_ids", Kind: KindStrings, Example: `["1234:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"]`,
		Doc:       "lti13: the deployment ids of this tool in the course (the platform shows one per installation); launches from other deployments are refused; required for lti13",
		Into:      func(s *Site) any { return &s.Auth.DeploymentIDs },
		AuthTypes: lti13Only,
		Z2JH:      usedAs("the deployment gate in hub.extraConfig"),
		rule:      func(s *jsonSchema) { s.Items.Pattern = clientIDPattern }},
	{Key: "auth.allowed_organizations", Kind: KindStrings, Example: `["engr101-2027s"]`,
		Doc:       "github: sign-in also needs membership of one of these organizations (or org:team); an extra gate, never a way in for someone not in [users]",
		Into:      func(s *Site) any { return &s.Auth.AllowedOrganizations },
		AuthTypes: githubOnly,
		Z2JH:      usedAs("the organization gate in hub.extraConfig"),
		rule:      func(s *jsonSchema) { s.Items.Pattern = organizationPattern }},

	// [kubernetes]: read only by `hubgen render --target z2jh` (the Zero to JupyterHub chart).
	{Key: "kubernetes.tls", Kind: KindString, Default: KubernetesTLSLetsEncrypt, Example: `"letsencrypt"`, Enum: []string{KubernetesTLSLetsEncrypt, KubernetesTLSSecret, KubernetesTLSExternal},
		Doc:  `z2jh: where HTTPS comes from: "letsencrypt" (the chart's own proxy gets certificates), "secret" (an ingress with an existing TLS Secret) or "external" (an ingress; TLS ends in front of the cluster)`,
		Into: func(s *Site) any { return &s.Kubernetes.TLS },
		Z2JH: usedAs("proxy.https (letsencrypt) or ingress.tls (secret) or ingress alone (external)")},
	{Key: "kubernetes.tls_secret", Kind: KindString, Example: `"notebooks-example-edu-tls"`,
		Doc:  `z2jh: the kubernetes.io/tls Secret holding the certificate and key for domain; required with tls = "secret"`,
		Into: func(s *Site) any { return &s.Kubernetes.TLSSecret },
		Z2JH: usedAs("ingress.tls[0].secretName"),
		rule: func(s *jsonSchema) { s.Pattern, s.MaxLength = secretNamePattern, maxSecretName }},
	{Key: "kubernetes.letsencrypt_contact_email", Kind: KindString, Example: `"hub-admins@example.edu"`,
		Doc:  `z2jh: the address Let's Encrypt writes to about expiring certificates; the chart needs it with tls = "letsencrypt"`,
		Into: func(s *Site) any { return &s.Kubernetes.LetsEncryptContactEmail },
		Z2JH: usedAs("proxy.https.letsencrypt.contactEmail"),
		rule: func(s *jsonSchema) { s.Pattern = contactEmailPattern }},
	{Key: "kubernetes.oauth_secret", Kind: KindString, Default: "hub-oauth-client", Example: `"hub-oauth-client"`,
		Doc:  `z2jh, oidc and github: the Secret (in the hub's namespace) whose key client_secret holds the OAuth client secret; kubectl creates it, values.yaml only names it`,
		Into: func(s *Site) any { return &s.Kubernetes.OAuthSecret },
		Z2JH: usedAs("hub.extraEnv.OAUTH_CLIENT_SECRET.valueFrom.secretKeyRef.name"),
		rule: func(s *jsonSchema) { s.Pattern, s.MaxLength = secretNamePattern, maxSecretName }},
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

// appliesTo tells whether the key is for a site of this login type.
func (f Field) appliesTo(authType string) bool {
	return f.AuthTypes == nil || slices.Contains(f.AuthTypes, authType)
}

// byAuthType is the DefaultFrom of a key whose default depends on the login type only.
func byAuthType(defaults map[string]any) func(get func(string) any) any {
	return func(get func(string) any) any {
		t, _ := get("auth.type").(string)
		return defaults[t]
	}
}

// defaultScope is auth.scope's DefaultFrom. Without read:org, GitHub answers membership questions
// for public members only.
func defaultScope(get func(string) any) any {
	switch get("auth.type") {
	case AuthOIDC:
		return []string{"openid", "profile", "email"}
	case AuthGitHub:
		if orgs, _ := get("auth.allowed_organizations").([]string); len(orgs) > 0 {
			return []string{"read:org"}
		}
	}
	return []string{}
}

// defaultEmailDomain is auth.email_domain's DefaultFrom. An email claim is an address: the
// roster's domain rule applies unless [auth] names another domain. Other claims are addresses
// only when [auth] says so (Entra ID's preferred_username is the user principal name,
// kendra@college.edu).
func defaultEmailDomain(get func(string) any) any {
	if get("auth.username_claim") == "email" {
		return get("users.roster_email_domain")
	}
	return ""
}
