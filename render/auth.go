package render

import "github.com/hubgen/hubgen/schema"

// The authenticator classes, named by their full path so that the config works with a
// pip-installed oauthenticator, whose entry-point names ("generic-oauth") are registered, and
// with a copy on PYTHONPATH, whose are not. The Local classes make the system account that the
// local-process spawner runs each user's server as.
const (
	oidcClass   = "oauthenticator.generic.LocalGenericOAuthenticator"
	githubClass = "oauthenticator.github.LocalGitHubOAuthenticator"
	// lti13Class is ltiauthenticator's; the config subclasses it with the site's rules.
	lti13Class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
)

// addUserCommand is how the hub makes an allowed user's system account on first sign-in.
// JupyterHub appends the username as the last argument (it also replaces "USERNAME" in the list,
// which is why the name is not written here) and runs the list without a shell. useradd sets no
// password, so the account cannot log in with one; --create-home copies /etc/skel; "--" ends
// the options, so that no name is read as one (site usernames cannot start with "-" anyway).
var addUserCommand = []string{"useradd", "--create-home", "--shell", "/bin/bash", "--"}

// oauthView is what the config's sign-in block needs for the OAuth login types.
type oauthView struct {
	Class            string
	ConfigClass      string // the traitlets section for the provider's settings
	ClientID         string
	ClientSecretFile string
	CallbackURL      string
	LoginService     string
	Scope            []string
	// OIDC only.
	AuthorizeURL, TokenURL, UserdataURL string
	UsernameClaim                       string
	EmailDomain                         string // set: the claim is an address at this domain, the username the name before @
	// GitHub only: sign-in needs membership of one of these as well; empty for no gate.
	Organizations  []string
	AddUserCommand []string
}

// newOAuthView returns nil for PAM, whose sign-in is JupyterHub's default.
func newOAuthView(s *schema.Site) *oauthView {
	a := s.Auth
	if !a.OAuth() {
		return nil
	}
	v := &oauthView{
		ClientID:         a.ClientID,
		ClientSecretFile: a.ClientSecretFile,
		CallbackURL:      s.OAuthCallbackURL(),
		LoginService:     a.LoginService,
		Scope:            a.Scope,
		AddUserCommand:   addUserCommand,
	}
	switch a.Type {
	case schema.AuthOIDC:
		v.Class, v.ConfigClass = oidcClass, "GenericOAuthenticator"
		v.AuthorizeURL, v.TokenURL, v.UserdataURL = a.AuthorizeURL, a.TokenURL, a.UserdataURL
		v.UsernameClaim, v.EmailDomain = a.UsernameClaim, a.EmailDomain
	case schema.AuthGitHub:
		v.Class, v.ConfigClass = githubClass, "GitHubOAuthenticator"
		v.Organizations = a.AllowedOrganizations
	}
	return v
}

// lti13View is what the config's sign-in block needs for auth.type "lti13".
type lti13View struct {
	Issuer, AuthorizeURL, JWKSURL string
	ClientIDs                     []string // ltiauthenticator's client_id is a set
	DeploymentIDs                 []string
	UsernameClaim                 string
	EmailDomain                   string // set: the claim is an address at this domain, the username the name before @
	URLs                          schema.LTI13URLs
	AddUserCommand                []string
}

// newLTI13View returns nil unless the site signs in with LTI 1.3.
func newLTI13View(s *schema.Site) *lti13View {
	a := s.Auth
	if a.Type != schema.AuthLTI13 {
		return nil
	}
	return &lti13View{
		Issuer:         a.Issuer,
		AuthorizeURL:   a.AuthorizeURL,
		JWKSURL:        a.JWKSURL,
		ClientIDs:      []string{a.ClientID},
		DeploymentIDs:  a.DeploymentIDs,
		UsernameClaim:  a.UsernameClaim,
		EmailDomain:    a.EmailDomain,
		URLs:           s.LTI13URLs(),
		AddUserCommand: addUserCommand,
	}
}
