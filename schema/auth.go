package schema

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/hubgen/hubgen/internal/lazyregexp"
)

const (
	// claimPattern is a userinfo claim name: OIDC's are letters, digits and "_"; providers add
	// namespaced ones with ".", ":", "/" and "-" (Auth0's "https://example.edu/netid" is not one
	// hubgen supports: a username claim is a plain name).
	claimPattern = `^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$`
	// scopePattern is one OAuth scope token (RFC 6749 section 3.3, which also forbids '"' and '\').
	scopePattern = `^[!#-\[\]-~]+$`
	// organizationPattern is a GitHub organization, or an organization's team as "org:team-slug".
	organizationPattern = `^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?::[A-Za-z0-9_.-]{1,100})?$`
	// clientIDPattern is a client id as providers issue them: printable, without spaces.
	clientIDPattern = "^[\x21-\x7e]{1,255}$"
	// defaultClientSecretName is the client secret file's name in state_dir.
	defaultClientSecretName = "oauth_client_secret"
)

var (
	claimRE        = lazyregexp.New(claimPattern)
	scopeRE        = lazyregexp.New(scopePattern)
	organizationRE = lazyregexp.New(organizationPattern)
	clientIDRE     = lazyregexp.New(clientIDPattern)
)

// oidcURLs are the OIDC provider's endpoints, which it needs all of.
var (
	oidcURLs = []struct {
		key   string
		value func(Auth) string
	}{
		{"auth.authorize_url", func(a Auth) string { return a.AuthorizeURL }},
		{"auth.token_url", func(a Auth) string { return a.TokenURL }},
		{"auth.userdata_url", func(a Auth) string { return a.UserdataURL }},
	}
)

// OAuthCallbackURL is where the identity provider sends people back to the hub: the URL to
// register with it. nginx serves the hub at the domain and https port, under base_url.
func (s *Site) OAuthCallbackURL() string { return s.hubURL("oauth_callback") }

// hubURL is the URL of the hub's page at path, as people reach it: nginx serves the hub at the
// domain and https port, under base_url.
func (s *Site) hubURL(path string) string {
	host := s.Domain
	if s.Nginx.HTTPSPort != 443 {
		host += ":" + strconv.Itoa(s.Nginx.HTTPSPort)
	}
	return "https://" + host + s.Hub.BaseURL + "hub/" + path
}

// WithHTTPSPort returns a copy of the site reached on port: Kubernetes serves the hub on 443,
// whatever nginx.https_port says.
func (s *Site) WithHTTPSPort(port int) *Site {
	c := *s
	c.Nginx.HTTPSPort = port
	return &c
}

// LTI13URLs are what an LTI 1.3 platform registers for this hub (ltiauthenticator's handlers).
type LTI13URLs struct {
	LoginInitiation string // the platform starts each launch here (OpenID Connect login initiation)
	Redirect        string // the platform posts the signed launch here (redirect URI, launch URL)
	TargetLink      string // where a launch lands: the hub starts the student's server
	Config          string // ltiauthenticator's tool configuration JSON (Canvas can paste it)
}

// LTI13URLs returns the URLs to register with the platform for auth.type = "lti13".
func (s *Site) LTI13URLs() LTI13URLs {
	return LTI13URLs{
		LoginInitiation: s.hubURL("lti13/oauth_login"),
		Redirect:        s.hubURL("lti13/oauth_callback"),
		TargetLink:      s.hubURL("spawn"),
		Config:          s.hubURL("lti13/config"),
	}
}

// validateAuth checks [auth]. A key for another login type is an error rather than ignored (see
// Field.AuthTypes).
func validateAuth(c *checker) {
	s, set := c.site, c.set
	a := s.Auth
	if types := fieldsByKey["auth.type"].Enum; !slices.Contains(types, a.Type) {
		c.atValue("auth.type", "%s is not a login type (use %s)", quote(a.Type), quotedOr(types))
		return
	}
	for _, f := range Fields {
		if set(f.Key) && !f.appliesTo(a.Type) {
			c.atKey(f.Key, "is only for auth.type = %s, and this site's is %q (remove it, or change auth.type)", quotedOr(f.AuthTypes), a.Type)
		}
	}
	if !a.OAuth() && a.Type != AuthLTI13 {
		return
	}

	switch {
	case !set("auth.client_id"):
		c.atKey("auth", "auth.client_id is missing (add client_id = %s under [auth]: the id the provider gave this hub)", exampleOf("auth.client_id"))
	case !clientIDRE.MatchString(a.ClientID):
		c.atValue("auth.client_id", "%s is not a client id (copy it from the provider: printable characters without spaces, like %s)", quote(a.ClientID), exampleOf("auth.client_id"))
	}
	if a.Type == AuthLTI13 {
		validateLTI13(c)
		return
	}
	if set("auth.client_secret_file") {
		validatePath(c, "auth.client_secret_file", a.ClientSecretFile, false)
	}
	for _, other := range []struct{ key, file string }{
		{"hub.cookie_secret_file", s.Hub.CookieSecretFile},
		{"hub.proxy_auth_token_file", s.Hub.ProxyAuthTokenFile},
	} {
		if a.ClientSecretFile == other.file {
			c.atValue("auth.client_secret_file", "%s is also %s (each secret needs its own file, like %q)", quote(a.ClientSecretFile), other.key, path.Dir(other.file)+"/"+defaultClientSecretName)
		}
	}
	if set("auth.login_service") && (strings.TrimSpace(a.LoginService) == "" || hasControl(a.LoginService)) {
		c.atValue("auth.login_service", "%s is empty or has a control character (a name for the button, like %s)", quote(a.LoginService), exampleOf("auth.login_service"))
	}
	for i, sc := range a.Scope {
		if !scopeRE.MatchString(sc) {
			c.atValue(fmt.Sprintf("auth.scope[%d]", i), "%s is not an OAuth scope (one word without spaces, quotes or backslashes, like \"openid\")", quote(sc))
		}
	}

	if a.Type == AuthOIDC {
		validateOIDC(c)
	}
	for i, org := range a.AllowedOrganizations {
		if !organizationRE.MatchString(org) {
			c.atValue(fmt.Sprintf("auth.allowed_organizations[%d]", i), "%s is not a GitHub organization (its name as in its URL, like \"engr101-2027s\", or \"org:team-slug\" for a team)", quote(org))
		}
	}
}

func validateOIDC(c *checker) {
	a, set := c.site.Auth, c.set
	for _, u := range oidcURLs {
		if !set(u.key) {
			c.atKey("auth", "%s is missing (add %s = %s under [auth]: the provider's discovery document lists it)", u.key, lastSegment(u.key), exampleOf(u.key))
			continue
		}
		if msg := endpointProblem(u.value(a)); msg != "" {
			c.atValue(u.key, "%s", msg)
		}
	}
	validateUsernameClaim(c)
}

// validateLTI13 checks what a platform's registration gives: its issuer, endpoints and the
// deployments this hub accepts launches from.
func validateLTI13(c *checker) {
	a, set := c.site.Auth, c.set
	for _, u := range []struct{ key, value, from string }{
		{"auth.issuer", a.Issuer, "Canvas: https://canvas.instructure.com; Moodle: the site's URL"},
		{"auth.authorize_url", a.AuthorizeURL, "the platform's OIDC authentication (authorization) endpoint"},
		{"auth.jwks_url", a.JWKSURL, "the platform's public keyset URL"},
	} {
		if !set(u.key) {
			c.atKey("auth", "%s is missing (add %s = %s under [auth]: %s)", u.key, lastSegment(u.key), exampleOf(u.key), u.from)
			continue
		}
		if msg := endpointProblem(u.value); msg != "" {
			c.atValue(u.key, "%s", msg)
		} else if u.key == "auth.issuer" && strings.ContainsAny(u.value, "?#") {
			// LTI's issuer is a URL without query or fragment, compared as a string.
			c.atValue(u.key, "%s has a query or fragment, which an issuer may not have (copy the platform's issuer exactly, like %s)", quote(u.value), exampleOf(u.key))
		}
	}
	if !set("auth.deployment_ids") || len(a.DeploymentIDs) == 0 {
		c.atKey("auth", "auth.deployment_ids is missing or empty (add deployment_ids = %s under [auth]: the platform shows the deployment id of the tool in this course)", exampleOf("auth.deployment_ids"))
	}
	for i, id := range a.DeploymentIDs {
		if !clientIDRE.MatchString(id) {
			c.atValue(fmt.Sprintf("auth.deployment_ids[%d]", i), "%s is not a deployment id (copy it from the platform: printable characters without spaces, like %s)", quote(id), `"1"`)
		}
	}
	validateUsernameClaim(c)
}

// validateUsernameClaim checks the claim that becomes the username, and its email domain.
func validateUsernameClaim(c *checker) {
	a, set := c.site.Auth, c.set
	if set("auth.username_claim") && !claimRE.MatchString(a.UsernameClaim) {
		c.atValue("auth.username_claim", "%s is not a claim name (like \"preferred_username\" or \"email\")", quote(a.UsernameClaim))
	}
	switch {
	case a.UsernameClaim == "email" && a.EmailDomain == "":
		c.atValue("auth.username_claim", "\"email\" needs the domain whose addresses become usernames (add email_domain = %s under [auth], or set users.roster_email_domain)", exampleOf("auth.email_domain"))
	case set("auth.email_domain") && !domainRE.MatchString(a.EmailDomain):
		c.atValue("auth.email_domain", "%s is not a domain name (the part after @, lowercase, like %s)", quote(a.EmailDomain), exampleOf("auth.email_domain"))
	}
}

// endpointProblem says what is wrong with an OIDC endpoint, or "" if nothing is. Endpoints are
// https: the token request carries the client secret and the answer the user's tokens. Plain
// http is allowed only to a loopback host, where nothing leaves the machine; that is for tests
// with a provider on the same machine, and says so in the README.
func endpointProblem(raw string) string {
	if raw == "" {
		return "is empty (the endpoint's URL, from the provider's /.well-known/openid-configuration)"
	}
	if strings.IndexFunc(raw, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) || c > unicode.MaxASCII }) >= 0 {
		return fmt.Sprintf("%s has a space, a control character or a non-ASCII character (%s; percent-encode it as the provider lists it)", quote(raw), badRune(raw, func(c rune) bool {
			return !unicode.IsSpace(c) && !unicode.IsControl(c) && c <= unicode.MaxASCII
		}))
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Sprintf("%s is not a URL (like %s)", quote(raw), `"https://login.example.edu/oauth2/token"`)
	case u.User != nil:
		return fmt.Sprintf("%s has a user or password in it (the client secret goes in auth.client_secret_file; remove the part before @)", quote(u.Redacted()))
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Sprintf("%s has a #fragment, which OAuth endpoints may not have (remove it)", quote(raw))
	case u.Host == "" || u.Hostname() == "":
		return fmt.Sprintf("%s has no host (a whole URL, like %s)", quote(raw), `"https://login.example.edu/oauth2/token"`)
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && loopbackHost(u.Hostname()):
		return ""
	case u.Scheme == "http":
		https := *u
		https.Scheme = "https"
		return fmt.Sprintf("%s is plain http (use https: %q; http is allowed only to 127.0.0.1, ::1 or localhost, for tests)", quote(raw), https.String())
	}
	return fmt.Sprintf("%s is not an https URL (like %s)", quote(raw), `"https://login.example.edu/oauth2/token"`)
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// endpointSchemaPattern is endpointProblem for editors: https anywhere, http only to loopback,
// no user part, no fragment, no spaces.
const endpointSchemaPattern = `^(?:https://[^/?#@\s]+|http://(?:localhost|127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}|\[::1\])(?::[0-9]{1,5})?)(?:[/?][^#\s]*)?$`

// quotedOr writes values as a message lists choices: "a", "a" or "b", "a", "b" or "c".
func quotedOr(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// issuerSchemaPattern is endpointSchemaPattern without a query: an LTI issuer has none.
const issuerSchemaPattern = `^(?:https://[^/?#@\s]+|http://(?:localhost|127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}|\[::1\])(?::[0-9]{1,5})?)(?:/[^?#\s]*)?$`
