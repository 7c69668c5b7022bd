package importer

import (
	"net/url"
	"reflect"
)

// Users' servers on hosts of their own (hub.user_subdomains): JupyterHub.subdomain_host in the
// config, with on JupyterHub < 5 the hub's cookies kept on its own host (tornado_settings), and in
// nginx the wildcard server_name and the redirect of the hub's pages to the hub's host.

// hostOnlyCookies is the tornado_settings hubgen writes with user_subdomains on JupyterHub < 5.
var hostOnlyCookies = map[string]any{"cookie_options": map[string]any{"domain": ""}}

func (im *importer) subdomains() {
	s, ok := im.str("JupyterHub.subdomain_host")
	if !ok {
		if at := im.wildcardAt; at != "" {
			im.item(at, "", "server_name *.%s without JupyterHub.subdomain_host: hubgen writes the wildcard only with hub.user_subdomains = true", im.values["domain"])
		}
		im.mistake(19, im.configName(), "no JupyterHub.subdomain_host: the hub and every user's server share one origin, so a script a student plants in their server acts as whoever opens it (README, Security); kept so, since it needs a wildcard DNS record and certificate: add user_subdomains = true under [hub] once they exist")
		return
	}
	at := im.at("JupyterHub.subdomain_host")
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.Port() != "" {
		im.item(at, "hub", "JupyterHub.subdomain_host = %q: hubgen writes https://DOMAIN with hub.user_subdomains = true", s)
		return
	}
	im.set("domain", u.Hostname(), at)
	im.set("hub.user_subdomains", true, at)
	if v, ok := im.hub.Values["JupyterHub.tornado_settings"]; ok && reflect.DeepEqual(v, hostOnlyCookies) {
		im.used["JupyterHub.tornado_settings"] = true
	}
}
