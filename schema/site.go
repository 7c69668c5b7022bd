// Package schema defines site.toml: the Site type, strict decoding with positions, defaults, and
// validation that reports every problem of a file at once.
package schema

import "time"

// Site is one course's hub, fully defaulted and validated: nothing optional is left for the
// templates to guess. Empty strings mean "not set" only where a field's comment says so.
type Site struct {
	// Source is the site file's path as it was given; Dir is the directory that relative paths in
	// it (users.roster) are resolved against.
	Source string
	Dir    string

	Domain  string
	TLS     TLS
	Users   Users
	Spawner Spawner
	Hub     Hub
	Nginx   Nginx
	Culler  Culler
	Limits  Limits
	Auth    Auth

	Kubernetes Kubernetes

	// Warnings are problems that do not make the site invalid, such as a user listed twice.
	Warnings Problems

	// pos is where each key is written in Source, for problems found across sites.
	pos positions
}

// TLS is how nginx terminates HTTPS.
type TLS struct {
	Cert               string
	Key                string
	DHParam            string // empty: no ssl_dhparam
	TrustedCertificate string // empty: no OCSP stapling
	Profile            string // ProfileIntermediate or ProfileModern
	HSTS               bool
	Resolvers          []string // DNS resolvers nginx asks for OCSP responders; used with stapling
}

// Mozilla's server-side TLS profiles that hubgen knows.
const (
	ProfileIntermediate = "intermediate"
	ProfileModern       = "modern"
)

// Users are the JupyterHub users. AllowedUsers already includes the roster's users.
type Users struct {
	AdminUsers   []string
	AllowedUsers []string
	Roster       string // as written in the site file, relative to Site.Dir; empty: none
	// RosterColumn is the CSV header naming the usernames, as written; empty: the first of
	// RosterColumns the roster has.
	RosterColumn string
	// RosterEmailDomain, when set, turns the roster's addresses at this domain into usernames.
	RosterEmailDomain string
}

// Spawner is how JupyterHub starts each user's notebook server.
type Spawner struct {
	Cmd         []string
	DefaultURL  string // empty: JupyterHub's default
	NotebookDir string // empty: the user's home
	Kind        string // SpawnerLocal or SpawnerSystemd
}

// The spawners hubgen can configure. Only SpawnerSystemd enforces Limits' per-user limits.
const (
	SpawnerLocal   = "local"
	SpawnerSystemd = "systemd"
)

// Hub is the JupyterHub process and its files.
type Hub struct {
	Port               int    // the proxy's public port on 127.0.0.1, where nginx sends requests
	HubPort            int    // the hub's own API port on 127.0.0.1 (JupyterHub.hub_bind_url)
	ProxyAPIPort       int    // configurable-http-proxy's REST API on 127.0.0.1
	BaseURL            string // starts and ends with "/"
	StateDir           string
	CookieSecretFile   string
	ProxyAuthTokenFile string
	Executable         string // the jupyterhub program the systemd unit runs
	// UserSubdomains serves each user's server at NAME.Domain instead of under Domain, so that
	// what a student's server sends a browser runs in an origin of its own, not the hub's.
	UserSubdomains bool
}

// Nginx is the reverse proxy in front of the hub.
type Nginx struct {
	HTTPPort          int
	HTTPSPort         int
	IPv6              bool
	ClientMaxBodySize string
	ACMEWebroot       string
	Version           string // "MAJOR.MINOR" of the nginx that will run the file
	User              string
	PIDFile           string
}

// DatabaseFile is where JupyterHub keeps its SQLite database.
func (h Hub) DatabaseFile() string { return h.StateDir + "/jupyterhub.sqlite" }

// Culler is the idle culler: a hub-managed service that stops servers nobody has used for Timeout,
// and the notebook servers' own culling of idle kernels.
type Culler struct {
	Enabled       bool
	Timeout       time.Duration // whole seconds, at least one
	Interval      time.Duration // how often the culler looks; whole seconds
	MaxAge        time.Duration // 0: servers in use are never stopped
	Users         bool          // also delete culled users from the hub's database
	Concurrency   int           // the culler's parallel requests to the hub's API
	KernelTimeout time.Duration // 0: kernels are not culled inside a running server
}

// Limits are the per-user limits, which only SystemdSpawner enforces, and the cap on the hub's
// systemd unit. Empty strings and a zero CPU mean "no limit".
type Limits struct {
	Memory        string  // SystemdSpawner's mem_limit, like "2G"
	CPU           float64 // SystemdSpawner's cpu_limit, in CPUs
	HubMemoryMax  string  // MemoryMax= of the hub's unit, like "90%" or "12G"
	HubMemoryHigh string  // MemoryHigh=
	HubTasksMax   string  // TasksMax=, like "4096" or "50%"
}

// Auth is how people sign in to the hub.
type Auth struct {
	Type string // AuthPAM, AuthOIDC, AuthGitHub or AuthLTI13
	// The rest is set only for the OAuth types (OIDC and GitHub) and LTI 1.3.
	ClientID         string
	ClientSecretFile string // read by the hub at start; the secret itself is never in a rendered file
	LoginService     string
	AuthorizeURL     string // OIDC and LTI 1.3
	TokenURL         string // OIDC only
	UserdataURL      string // OIDC only
	Scope            []string
	UsernameClaim    string // OIDC and LTI 1.3
	// EmailDomain is set when UsernameClaim is "email": the domain whose addresses become usernames.
	EmailDomain          string
	AllowedOrganizations []string // GitHub only: an extra gate, empty for none
	// LTI 1.3 only: the platform's issuer, its keyset and the deployments launches may come from.
	Issuer        string
	JWKSURL       string
	DeploymentIDs []string
}

// The login types of auth.type.
const (
	AuthPAM    = "pam"
	AuthOIDC   = "oidc"
	AuthGitHub = "github"
	AuthLTI13  = "lti13"
)

// OAuth tells whether people sign in at an identity provider, so the hub needs a client secret
// and makes their system accounts itself.
func (a Auth) OAuth() bool { return a.Type == AuthOIDC || a.Type == AuthGitHub }

// HubMakesAccounts tells whether the hub makes each user's system account itself at sign-in
// (LocalAuthenticator's create_system_users): people sign in elsewhere, at an identity provider
// or an LTI platform, and have no password here.
func (a Auth) HubMakesAccounts() bool { return a.OAuth() || a.Type == AuthLTI13 }

// Kubernetes is what only the Zero to JupyterHub target reads: how HTTPS reaches the hub, and which
// Secret holds the OAuth client secret.
type Kubernetes struct {
	TLS                     string // KubernetesTLSLetsEncrypt, KubernetesTLSSecret or KubernetesTLSExternal
	TLSSecret               string // with KubernetesTLSSecret: the kubernetes.io/tls Secret's name
	LetsEncryptContactEmail string // empty: none given to Let's Encrypt
	OAuthSecret             string // the Secret whose key "client_secret" holds the OAuth client secret
}

// The ways kubernetes.tls can bring HTTPS to the hub.
const (
	KubernetesTLSLetsEncrypt = "letsencrypt"
	KubernetesTLSSecret      = "secret"
	KubernetesTLSExternal    = "external"
)
