package importer

import (
	"slices"

	"github.com/hubgen/hubgen/schema"
)

// ltiClass is ltiauthenticator's LTI 1.3 authenticator; hubgen's own (SiteLTI13Authenticator,
// defined in the config) derives from it.
const ltiClass = "ltiauthenticator.lti13.auth.LTI13Authenticator"

func isLTI13(class string, value map[string]any) bool {
	if class == ltiClass || class == "ltiauthenticator.lti13.LTI13Authenticator" || class == "lti13" {
		return true
	}
	mro, _ := stringList(value["mro"])
	return slices.Contains(mro, ltiClass)
}

// lti13 reads an LTI 1.3 sign-in back into auth.type = "lti13": the platform's settings from
// LTI13Authenticator's traits, and what hubgen's own class adds (the deployments it admits, the
// username claim and its address domain) from the constants that class's methods read.
func (im *importer) lti13(class map[string]any) {
	im.values["auth.type"] = schema.AuthLTI13
	at := im.at("JupyterHub.authenticator_class")
	key := func(k string) string { return "LTI13Authenticator." + k }
	if v, ok := im.value(key("client_id")); ok {
		if ids, isList := stringList(v); isList && len(ids) == 1 {
			im.set("auth.client_id", ids[0], im.at(key("client_id")))
		} else {
			im.item(im.at(key("client_id")), "auth", "LTI13Authenticator.client_id = %s: hubgen serves one client id (auth.client_id)", shortJSON(v))
		}
	}
	for k, siteKey := range map[string]string{"issuer": "auth.issuer", "authorize_url": "auth.authorize_url", "jwks_endpoint": "auth.jwks_url"} {
		if s, ok := im.str(key(k)); ok {
			im.set(siteKey, s, im.at(key(k)))
		}
	}
	if v, ok := im.value(key("jwks_algorithms")); ok {
		if algs, _ := stringList(v); !slices.Equal(algs, []string{"RS256"}) {
			im.item(im.at(key("jwks_algorithms")), "auth", "LTI13Authenticator.jwks_algorithms = %s: hubgen accepts RS256, which LTI 1.3 requires", shortJSON(v))
		}
	}
	if s, ok := im.str(key("uri_scheme")); ok && s != "https" {
		im.item(im.at(key("uri_scheme")), "auth", "LTI13Authenticator.uri_scheme = %q: behind nginx's TLS hubgen writes https", s)
	}
	if s, ok := im.str(key("username_key")); ok {
		im.set("auth.username_claim", s, im.at(key("username_key")))
	}
	g := globalsOf(class)
	if ids, ok := stringList(g["_LTI13_DEPLOYMENT_IDS"]); ok {
		im.set("auth.deployment_ids", ids, at)
	} else {
		im.item(at, "auth", "no deployment ids: ltiauthenticator admits a launch from any deployment of the platform; hubgen admits only auth.deployment_ids (the course's Deployment Id), so add them")
	}
	if s, ok := g["_USERNAME_CLAIM"].(string); ok {
		im.set("auth.username_claim", s, at)
	}
	if s, ok := g["_EMAIL_DOMAIN"].(string); ok {
		im.set("auth.email_domain", s, at)
	}
	// hubgen makes each user's system account at the first launch, as for the OAuth types.
	im.value("LocalAuthenticator.create_system_users")
	im.value("LocalAuthenticator.add_user_cmd")
}
