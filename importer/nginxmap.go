package importer

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hubgen/hubgen/schema"
)

// What the nginx tree says: the directives hubgen writes are read into site keys, the rest reported.

// hubgenHTTP are directives of http {} that hubgen writes as they are.
var hubgenHTTP = map[string]string{
	"include": "/etc/nginx/mime.types", "default_type": "application/octet-stream", "sendfile": "on",
	"tcp_nopush": "on", "server_tokens": "off", "access_log": "/var/log/nginx/access.log", "error_log": "/var/log/nginx/error.log",
}

func args(d *directive) string { return strings.Join(d.Args, " ") }

func (im *importer) nginx(tree []*directive) {
	var servers []*directive
	sawHTTP, sawEvents := false, false
	for _, d := range tree {
		switch d.Name {
		case "user":
			if len(d.Args) > 0 {
				im.set("nginx.user", d.Args[0], d.at())
			}
		case "pid":
			im.set("nginx.pid", args(d), d.at())
		case "worker_processes":
			if args(d) != "auto" {
				im.item(d.at(), "nginx", "worker_processes %s: hubgen writes auto (one per core)", args(d))
			}
		case "include":
			if args(d) != "/etc/nginx/modules-enabled/*.conf" {
				im.item(d.at(), "nginx", "include %s: hubgen writes only its own includes", args(d))
			}
		case "events":
			sawEvents = true
			for _, e := range d.Block {
				if e.Name == "worker_connections" && im.workerConnections == nil {
					im.workerConnections = e
				} else {
					im.item(e.at(), "nginx", "events { %s %s }: hubgen writes worker_connections only, sized for the class", e.Name, args(e))
				}
			}
		case "http":
			sawHTTP = true
			for _, h := range d.Block {
				switch {
				case h.Name == "server":
					servers = append(servers, h)
				case h.Name == "map" && args(h) == "$http_upgrade $connection_upgrade":
				case hubgenHTTP[h.Name] != "" && hubgenHTTP[h.Name] == args(h):
				case strings.HasPrefix(h.Name, "ssl_"):
					im.sslProtocols(h)
					im.item(h.at(), "tls", "%s in http {}: hubgen writes Mozilla's %s profile in the https server instead", describe(h), "intermediate or modern")
				default:
					im.item(h.at(), "nginx", "%s: directive of http {} that hubgen does not write", describe(h))
				}
			}
		case "server":
			servers = append(servers, d)
		case "worker_rlimit_nofile":
			im.workerRlimit = d
		default:
			im.item(d.at(), "nginx", "%s: top-level directive that hubgen does not write", describe(d))
		}
	}
	if !sawHTTP || !sawEvents {
		at := im.o.Nginx
		im.mistake(15, at, "no events {} and http {}: a server block alone, pasted into a file that nginx includes; hubgen writes the whole nginx.conf")
	}
	var names []string
	for _, s := range servers {
		im.server(s, &names)
	}
}

func describe(d *directive) string {
	s := d.Name
	if len(d.Args) > 0 {
		s += " " + args(d)
	}
	if d.Block != nil {
		s += " {...}"
	}
	if d.IncludedFrom != "" {
		s += " (included from " + d.IncludedFrom + ")"
	}
	return s
}

func find(block []*directive, name string) []*directive {
	var out []*directive
	for _, d := range block {
		if d.Name == name {
			out = append(out, d)
		}
	}
	return out
}

func (im *importer) server(s *directive, names *[]string) {
	tlsServer := false
	for _, l := range find(s.Block, "listen") {
		if slices.Contains(l.Args, "ssl") {
			tlsServer = true
		}
	}
	for _, d := range find(s.Block, "ssl") {
		if args(d) == "on" {
			tlsServer = true
			im.mistake(1, d.at(), "`ssl on;` (gone in nginx 1.25.1): hubgen writes `listen PORT ssl`")
		}
	}
	if len(find(s.Block, "ssl_certificate")) > 0 {
		tlsServer = true
	}
	for _, n := range find(s.Block, "server_name") {
		for _, name := range n.Args {
			if isWildcardOf(name, n.Args[0]) {
				continue // users' hosts (hub.user_subdomains), read with subdomain_host
			}
			if len(*names) > 0 && !slices.Contains(*names, name) {
				im.mistake(4, n.at(), "server_name %s, and %s elsewhere: hubgen writes one domain everywhere", name, (*names)[0])
			}
			if !slices.Contains(*names, name) {
				*names = append(*names, name)
			}
		}
		if len(n.Args) > 0 {
			if tlsServer {
				im.set("domain", n.Args[0], n.at())
			}
			for _, other := range n.Args[1:] {
				if isWildcardOf(other, n.Args[0]) {
					if im.wildcardAt == "" {
						im.wildcardAt = n.at()
					}
					continue
				}
				im.item(n.at(), "", "server_name %s: hubgen serves one domain, %s", other, n.Args[0])
			}
		}
	}
	for _, l := range find(s.Block, "listen") {
		port, ipv6 := listenPort(l.Args)
		if port == 0 {
			im.item(l.at(), "nginx", "listen %s: not a port hubgen can state", args(l))
			continue
		}
		if tlsServer {
			im.set("nginx.https_port", port, l.at())
			if slices.Contains(l.Args, "http2") {
				im.set("nginx.version", "1.22", l.at())
			}
		} else {
			im.set("nginx.http_port", port, l.at())
		}
		if ipv6 {
			im.values["nginx.ipv6"] = true
		}
		for _, a := range l.Args[1:] {
			if !slices.Contains([]string{"ssl", "http2", "default_server"}, a) {
				im.item(l.at(), "nginx", "listen %s: the parameter %s is not carried over", args(l), a)
			}
		}
	}
	if tlsServer {
		im.tlsServer(s)
	} else {
		im.plainServer(s)
	}
}

// listenPort reads "443", "[::]:443", "0.0.0.0:80" or "*:80".
func listenPort(a []string) (int, bool) {
	if len(a) == 0 {
		return 0, false
	}
	addr := a[0]
	ipv6 := strings.HasPrefix(addr, "[")
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		addr = addr[i+1:]
	}
	port, err := strconv.Atoi(addr)
	if err != nil || port < 1 || port > 65535 {
		return 0, false
	}
	return port, ipv6
}

func (im *importer) plainServer(s *directive) {
	for _, d := range s.Block {
		switch {
		case d.Name == "listen" || d.Name == "server_name":
		case d.Name == "return" && len(d.Args) == 2 && (d.Args[0] == "301" || d.Args[0] == "302") && strings.HasPrefix(d.Args[1], "https://"):
		case d.Name == "location" && args(d) == "/.well-known/acme-challenge/":
			for _, r := range d.Block {
				if r.Name == "root" {
					im.set("nginx.acme_webroot", args(r), r.at())
				} else {
					im.item(r.at(), "nginx", "%s in the ACME location: hubgen writes only its root", describe(r))
				}
			}
		case d.Name == "location" && args(d) == "/" && len(d.Block) == 1 && d.Block[0].Name == "return" && strings.HasPrefix(args(d.Block[0]), "301 https://"):
		default:
			im.item(d.at(), "nginx", "%s: in the plain-http server, where hubgen writes only the ACME location and the redirect", describe(d))
		}
	}
}

var (
	profileDirectives = []string{"ssl_session_timeout", "ssl_session_cache", "ssl_session_tickets", "ssl_ecdh_curve", "ssl_ciphers", "ssl_prefer_server_ciphers", "ssl_conf_command"}
	proxyDirectives   = []string{"proxy_http_version", "proxy_set_header", "proxy_buffering", "proxy_read_timeout", "proxy_send_timeout", "proxy_redirect"}
)

func (im *importer) tlsServer(s *directive) {
	var hsts, stapling, trusted, resolver *directive
	for _, d := range s.Block {
		switch d.Name {
		case "listen", "server_name", "ssl":
		case "http2":
			if args(d) == "on" {
				im.set("nginx.version", "1.26", d.at())
			}
		case "ssl_certificate":
			im.set("tls.cert", args(d), d.at())
		case "ssl_certificate_key":
			im.set("tls.key", args(d), d.at())
		case "ssl_dhparam":
			im.set("tls.dhparam", args(d), d.at())
		case "ssl_trusted_certificate":
			trusted = d
			im.set("tls.trusted_certificate", args(d), d.at())
		case "resolver":
			resolver = d
			var rs []string
			for _, a := range d.Args {
				if !strings.Contains(a, "=") {
					rs = append(rs, strings.TrimSuffix(strings.TrimPrefix(a, "["), "]"))
				}
			}
			im.set("tls.resolvers", rs, d.at())
		case "ssl_stapling":
			if args(d) == "on" {
				stapling = d
			}
		case "ssl_stapling_verify", "resolver_timeout":
		case "ssl_protocols":
			im.sslProtocols(d)
			if args(d) == "TLSv1.3" {
				im.set("tls.profile", schema.ProfileModern, d.at())
			}
		case "add_header":
			if len(d.Args) > 0 && strings.EqualFold(d.Args[0], "Strict-Transport-Security") {
				hsts = d
				if d.Args[len(d.Args)-1] != "always" {
					im.mistake(7, d.at(), "Strict-Transport-Security without `always`: error pages go out without it")
				}
			} else {
				im.item(d.at(), "nginx", "%s: a header hubgen does not send", describe(d))
			}
		case "client_max_body_size":
			im.set("nginx.client_max_body_size", args(d), d.at())
		case "location":
			im.location(d)
		default:
			if slices.Contains(profileDirectives, d.Name) {
				if d.Name == "ssl_ciphers" && strings.HasSuffix(args(d), ":") {
					im.mistake(7, d.at(), "the cipher string ends in \":\": cut off by copy and paste")
				}
				continue // hubgen writes Mozilla's profile instead
			}
			if slices.Contains(proxyDirectives, d.Name) {
				im.proxyDirective(d, s)
				continue
			}
			if d.Name == "allow" && args(d) == "all" {
				im.mistake(8, d.at(), "`allow all` in the https server for ACME: challenges come on port 80, before the redirect")
			}
			im.item(d.at(), "nginx", "%s: in the https server, a directive hubgen does not write", describe(d))
		}
	}
	im.values["tls.hsts"] = hsts != nil
	if stapling != nil && (trusted == nil || resolver == nil) {
		im.mistake(6, stapling.at(), "ssl_stapling on without ssl_trusted_certificate and a resolver: stapling silently fails")
	}
	if stapling == nil && trusted != nil {
		im.item(trusted.at(), "tls", "ssl_trusted_certificate without ssl_stapling on: hubgen staples OCSP whenever tls.trusted_certificate is set")
	}
	if len(find(s.Block, "client_max_body_size")) == 0 {
		im.mistake(14, s.at(), "no client_max_body_size: nginx's 1m default refuses larger notebook saves; hubgen writes 100m")
	}
}

func (im *importer) sslProtocols(d *directive) {
	if d.Name == "ssl_protocols" && (slices.Contains(d.Args, "TLSv1") || slices.Contains(d.Args, "TLSv1.1") || slices.Contains(d.Args, "SSLv3")) {
		im.mistake(5, d.at(), "ssl_protocols %s: TLS 1.0 and 1.1 are deprecated (RFC 8996); hubgen writes Mozilla's profile", args(d))
	}
}

// location reads one location of the https server: the one that proxies to the hub gives the
// hub's port and base URL; the root redirect hubgen writes under a base URL is known; the rest is
// reported.
func (im *importer) location(d *directive) {
	if args(d) == "= /" && len(d.Block) == 1 && d.Block[0].Name == "return" && len(d.Block[0].Args) == 2 && d.Block[0].Args[0] == "302" {
		return
	}
	passes := find(d.Block, "proxy_pass")
	if len(passes) == 0 || len(d.Args) != 1 || strings.HasPrefix(d.Args[0], "~") {
		for _, a := range find(d.Block, "allow") {
			if args(a) == "all" && strings.Contains(args(d), ".well-known") {
				im.mistake(8, a.at(), "`allow all` in the https server for ACME: challenges come on port 80, before the redirect")
			}
		}
		im.item(d.at(), "nginx", "location %s {...}: a custom location; hubgen writes one location for the hub, which carries websockets too", args(d))
		return
	}
	u, err := url.Parse(args(passes[0]))
	port := 0
	if err == nil {
		port, _ = strconv.Atoi(u.Port())
	}
	if err != nil || port == 0 || !slices.Contains([]string{"127.0.0.1", "localhost", "[::1]", "::1"}, u.Hostname()) {
		im.item(passes[0].at(), "hub", "proxy_pass %s: hubgen proxies to the hub on 127.0.0.1:hub.port", args(passes[0]))
	} else {
		im.set("hub.port", port, passes[0].at())
	}
	if strings.HasSuffix(d.Args[0], "/") {
		im.set("hub.base_url", d.Args[0], d.at())
	}
	proxyVersion := false
	forwardedProto, buffering := false, false
	for _, p := range d.Block {
		switch p.Name {
		case "proxy_pass":
		case "proxy_http_version":
			proxyVersion = args(p) == "1.1"
		case "proxy_buffering":
			buffering = args(p) == "off"
		case "proxy_set_header":
			if len(p.Args) == 2 && p.Args[0] == "X-Forwarded-Proto" {
				forwardedProto = true
			}
			im.proxyDirective(p, d)
		case "proxy_read_timeout", "proxy_send_timeout", "proxy_redirect":
		case "location":
			if !im.hubHostOnly(p, d.Args[0]) {
				im.item(p.at(), "nginx", "%s: in the hub's location, a directive hubgen does not write", describe(p))
			}
		default:
			im.item(p.at(), "nginx", "%s: in the hub's location, a directive hubgen does not write", describe(p))
		}
	}
	if !proxyVersion {
		im.mistake(2, d.at(), "no `proxy_http_version 1.1` (or only a commented-out one): kernel websockets fail")
	}
	if !forwardedProto || !buffering {
		im.mistake(14, d.at(), "no X-Forwarded-Proto or proxy_buffering off: hubgen sets both")
	}
}

func (im *importer) proxyDirective(p, in *directive) {
	if p.Name != "proxy_set_header" || len(p.Args) != 2 {
		return
	}
	switch {
	case strings.EqualFold(p.Args[0], "Connection") && strings.EqualFold(p.Args[1], "upgrade"):
		im.mistake(3, p.at(), "Connection \"upgrade\" hard-coded: every request becomes an upgrade; hubgen uses the map's $connection_upgrade")
	case strings.EqualFold(p.Args[0], "Host") && p.Args[1] == "$host":
		if port, ok := im.values["nginx.https_port"].(int); ok && port != 443 {
			im.mistake(16, p.at(), "Host $host behind port %d: $host drops the port, so websockets and the admin page's API calls are refused as cross-origin", port)
		}
	}
}

// isWildcardOf tells whether name is *.DOMAIN, the users' hosts under domain.
func isWildcardOf(name, domain string) bool { return name == "*."+domain }

// hubHostOnly recognises the location hubgen nests in the hub's with hub.user_subdomains: the
// hub's pages (BASE/hub/) redirected to the hub's own host from users' hosts.
//
//	location BASE/hub/ { if ($host != DOMAIN) { return 302 https://DOMAIN$request_uri; } proxy_pass ...; }
func (im *importer) hubHostOnly(loc *directive, base string) bool {
	if len(loc.Args) != 1 || loc.Args[0] != base+"hub/" || len(loc.Block) != 2 {
		return false
	}
	cond, pass := loc.Block[0], loc.Block[1]
	domain, _ := im.values["domain"].(string)
	if cond.Name != "if" || args(cond) != "($host != "+domain+")" || len(cond.Block) != 1 ||
		args(cond.Block[0]) != "302 https://"+domain+"$request_uri" || cond.Block[0].Name != "return" {
		return false
	}
	return pass.Name == "proxy_pass"
}
