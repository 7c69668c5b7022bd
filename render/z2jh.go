package render

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/hubgen/hubgen/schema"
)

// Z2JHValues is the output path of --target z2jh: the values file for the Zero to JupyterHub chart,
// beside the server target's nginx/ and jupyterhub/, so that one configuration repository can
// hold and `check` both.
const Z2JHValues = "z2jh/values.yaml"

// z2jhChartVersion is the chart release the values are written for and tested against.
const z2jhChartVersion = "4.4.0"

// The authenticator classes on Kubernetes: users are pods, not system accounts, so the plain
// classes, not the Local ones the server target uses.
const (
	z2jhOIDCClass   = "oauthenticator.generic.GenericOAuthenticator"
	z2jhGitHubClass = "oauthenticator.github.GitHubOAuthenticator"
)

// OAuthSecretKey is the key of the kubernetes.oauth_secret Secret that holds the client secret;
// oauthenticator reads it from the environment variable OAUTH_CLIENT_SECRET.
const OAuthSecretKey = "client_secret"

// z2jhView is what values.yaml.tmpl sees: every decision made here.
type z2jhView struct {
	Header       string
	BaseURL      string
	AllowedUsers []string // admins first, never empty
	AdminUsers   []string
	// UsernamePattern admits exactly AllowedUsers; with delete_invalid_users, users the database
	// remembers from earlier terms are removed at start (the site file is the whole truth).
	UsernamePattern string
	OAuth           *oauthView // nil for lti13
	LTI13           *lti13View // nil for oidc and github
	LTI13Class      string
	OAuthSecret     string
	OAuthSecretKey  string
	SignInPython    string // hub.extraConfig's sign-in rules; empty for none
	NotebookDir     string
	DefaultURL      string
	KernelArgs      []string
	Cull            *z2jhCull // nil: culling off
	Memory          string    // empty: the chart's default
	CPU             string    // empty: none
	SingleuserEmpty bool      // none of DefaultURL, Memory, CPU: singleuser is written as {}
	HTTPS           *z2jhHTTPS
	Ingress         *z2jhIngress
	// SubdomainHost is JupyterHub's subdomain_host with user subdomains, https://domain (the
	// cluster serves 443); empty without.
	SubdomainHost string
}

type z2jhCull struct {
	Timeout, Every, MaxAge, Concurrency int64
	Users                               bool
}

// z2jhHTTPS is the chart's own TLS-terminating proxy (autohttps), with Let's Encrypt.
type z2jhHTTPS struct {
	Host         string
	ContactEmail string // empty: none
}

// z2jhIngress is an Ingress for the domain, with a TLS Secret or with TLS ended in front.
type z2jhIngress struct {
	Hosts     []string // the domain, and *.domain with user subdomains
	TLSSecret string   // empty: no tls section
}

func newZ2JHView(s *schema.Site, o options) (z2jhView, error) {
	if !s.Auth.OAuth() && s.Auth.Type != schema.AuthLTI13 {
		return z2jhView{}, fmt.Errorf("auth.type %q has no Kubernetes form: sign in with oidc, github or lti13", s.Auth.Type)
	}
	allowed := AllowedUsers(s.Users)
	v := z2jhView{
		Header:          header(s, " for the Zero to JupyterHub chart "+z2jhChartVersion, "`hubgen render --target z2jh`"),
		BaseURL:         s.Hub.BaseURL,
		AllowedUsers:    allowed,
		AdminUsers:      s.Users.AdminUsers,
		UsernamePattern: usernamePattern(allowed),
		OAuthSecret:     s.Kubernetes.OAuthSecret,
		OAuthSecretKey:  OAuthSecretKey,
		NotebookDir:     s.Spawner.NotebookDir,
		DefaultURL:      s.Spawner.DefaultURL,
		KernelArgs:      newCullerView(s).KernelArgs,
		Memory:          s.Limits.Memory,
	}
	if lti := newLTI13View(s); lti != nil {
		// On Kubernetes the hub is reached at the domain on 443; nginx's port means nothing there.
		lti.URLs = s.WithHTTPSPort(443).LTI13URLs()
		v.LTI13, v.LTI13Class = lti, lti13Class
		var b bytes.Buffer
		if err := parsed().ExecuteTemplate(&b, "z2jh-lti13", lti); err != nil {
			return z2jhView{}, fmt.Errorf("render the sign-in rules: %w", err)
		}
		v.SignInPython = b.String()
		return v.finish(s)
	}
	oauth := newOAuthView(s)
	// On Kubernetes the hub is reached at the domain on 443; nginx's port means nothing there.
	oauth.CallbackURL = "https://" + s.Domain + s.Hub.BaseURL + "hub/oauth_callback"
	switch s.Auth.Type {
	case schema.AuthOIDC:
		oauth.Class = z2jhOIDCClass
	case schema.AuthGitHub:
		oauth.Class = z2jhGitHubClass
	}
	v.OAuth = oauth
	if oauth.EmailDomain != "" || len(oauth.Organizations) > 0 {
		var b bytes.Buffer
		if err := parsed().ExecuteTemplate(&b, "z2jh-sign-in", oauth); err != nil {
			return z2jhView{}, fmt.Errorf("render the sign-in rules: %w", err)
		}
		v.SignInPython = b.String()
	}
	return v.finish(s)
}

// finish sets what does not depend on the login type.
func (v z2jhView) finish(s *schema.Site) (z2jhView, error) {
	if s.Limits.CPU != 0 {
		cpu, err := pyFloat(s.Limits.CPU)
		if err != nil {
			return z2jhView{}, err
		}
		v.CPU = cpu
	}
	if c := s.Culler; c.Enabled {
		v.Cull = &z2jhCull{
			Timeout:     int64(c.Timeout.Seconds()),
			Every:       int64(c.Interval.Seconds()),
			MaxAge:      int64(c.MaxAge.Seconds()),
			Concurrency: int64(c.Concurrency),
			Users:       c.Users,
		}
	}
	v.SingleuserEmpty = v.DefaultURL == "" && v.Memory == "" && v.CPU == ""
	hosts := []string{s.Domain}
	if s.Hub.UserSubdomains {
		// schema.TargetProblems refuses Let's Encrypt here: http-01 issues no wildcard.
		hosts = append(hosts, "*."+s.Domain)
		v.SubdomainHost = "https://" + s.Domain
	}
	switch s.Kubernetes.TLS {
	case schema.KubernetesTLSLetsEncrypt:
		v.HTTPS = &z2jhHTTPS{Host: s.Domain, ContactEmail: s.Kubernetes.LetsEncryptContactEmail}
	case schema.KubernetesTLSSecret:
		v.Ingress = &z2jhIngress{Hosts: hosts, TLSSecret: s.Kubernetes.TLSSecret}
	case schema.KubernetesTLSExternal:
		v.Ingress = &z2jhIngress{Hosts: hosts}
	}
	return v, nil
}

// z2jhFiles renders the z2jh target's one file.
func z2jhFiles(s *schema.Site, o options) (map[string][]byte, error) {
	v, err := newZ2JHView(s, o)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", Z2JHValues, err)
	}
	var b bytes.Buffer
	if err := parsed().ExecuteTemplate(&b, "values.yaml.tmpl", v); err != nil {
		return nil, fmt.Errorf("render %s: %w", Z2JHValues, err)
	}
	return map[string][]byte{Z2JHValues: b.Bytes()}, nil
}

// yamlInt writes a whole number for YAML.
func yamlInt(n int64) string { return strconv.FormatInt(n, 10) }
