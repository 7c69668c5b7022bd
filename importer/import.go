// Package importer reads a hand-written (or hubgen-rendered) deployment, an nginx.conf with its
// includes, a jupyterhub_config.py and a systemd unit, and states its intent as a site.toml,
// with a report of everything the site file cannot express.
package importer

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubgen/hubgen/schema"
)

// Options name the deployment's files and how to load the Python config.
type Options struct {
	Nginx      string // the main nginx.conf
	Config     string // jupyterhub_config.py
	Unit       string // the systemd unit; empty: none given
	ConfigJSON string // instead of loading Config: what `jupyterhub -f FILE --show-config-json` printed
	JupyterHub string // the jupyterhub program whose Python loads Config; default "jupyterhub"
	Timeout    time.Duration
}

// Item is something of the old files the site file does not carry over, or carries differently.
type Item struct {
	At    string // FILE:LINE, or FILE
	Table string // the site.toml table it belongs to ("" for the top)
	What  string
}

// Secret is a secret written inline in the old files: the file it should move to and how.
type Secret struct {
	At      string
	What    string // "the OAuth client secret", ...
	File    string // where the site file now expects it
	Command string // safe to paste: it moves the value without printing it
}

// Mistake is one of README's "What hubgen fixes" that the old files made.
type Mistake struct {
	Number int
	At     string
	What   string
}

// Result is what Import found.
type Result struct {
	Site     []byte    // the site.toml text
	Items    []Item    // not carried over
	Secrets  []Secret  // inline secrets to move
	Mistakes []Mistake // from the mistakes list, in number order
	// Read maps each output hubgen renders (render.NginxConf, ...) to the old file it replaces.
	Read map[string]string
	// JupyterHubVersion is the version of the JupyterHub whose loader ran the config; empty with
	// Options.ConfigJSON.
	JupyterHubVersion string
}

// Import reads the deployment o names and states it as a site file.
func Import(o Options) (*Result, error) {
	if o.JupyterHub == "" {
		o.JupyterHub = "jupyterhub"
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	tree, _, err := readNginx(o.Nginx)
	if err != nil {
		return nil, err
	}
	var hub *hubConfig
	if o.ConfigJSON != "" {
		hub, err = readConfigJSON(o.ConfigJSON)
	} else {
		hub, err = loadHubConfig(o.Config, o.JupyterHub, o.Timeout)
	}
	if err != nil {
		if errors.Is(err, ErrNoJupyterHub) {
			return nil, fmt.Errorf("%w, and import evaluates %s only with JupyterHub's own loader, never by reading its Python text; "+
				"on a machine with JupyterHub run `jupyterhub -f %s --show-config-json > config.json` in an empty directory "+
				"(or install jupyterhub here) and give that file with --config-json; that command starts the hub's initialisation "+
				"(a database, on JupyterHub 3 even system accounts), so run it on a test machine, never on the live server", err, o.Config, o.Config)
		}
		return nil, err
	}
	im := &importer{o: o, values: map[string]any{}, where: map[string]string{}, hub: hub, res: &Result{Read: map[string]string{}}}
	im.res.JupyterHubVersion = hub.JupyterHub
	im.res.Read["nginx/nginx.conf"] = o.Nginx
	if o.Config != "" {
		im.res.Read["jupyterhub/jupyterhub_config.py"] = o.Config
	}
	im.nginx(tree)
	im.python()
	if o.Unit != "" {
		if err := im.unit(); err != nil {
			return nil, err
		}
		im.res.Read["systemd/system/jupyterhub.service"] = o.Unit
	}
	im.fileModes()
	if err := im.finish(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(im.res.Mistakes, func(a, b Mistake) int { return a.Number - b.Number })
	return im.res, nil
}

type importer struct {
	o      Options
	hub    *hubConfig
	values map[string]any    // site key -> string, []string, int, bool or float64
	where  map[string]string // site key -> FILE:LINE its value came from
	res    *Result
	used   map[string]bool // config keys understood
}

func (im *importer) item(at, table, format string, args ...any) {
	im.res.Items = append(im.res.Items, Item{At: at, Table: table, What: fmt.Sprintf(format, args...)})
}

func (im *importer) mistake(n int, at, format string, args ...any) {
	for _, m := range im.res.Mistakes {
		if m.Number == n && m.At == at {
			return
		}
	}
	im.res.Mistakes = append(im.res.Mistakes, Mistake{Number: n, At: at, What: fmt.Sprintf(format, args...)})
}

// set records a site key's value, the first source winning; a later different value is reported.
func (im *importer) set(key string, v any, at string) {
	if old, ok := im.values[key]; ok {
		if fmt.Sprint(old) != fmt.Sprint(v) {
			table, _, _ := strings.Cut(key, ".")
			if !strings.Contains(key, ".") {
				table = ""
			}
			im.item(at, table, "%s would be %s here, but is already %s from an earlier place: kept the first", key, tomlValue(v), tomlValue(old))
		}
		return
	}
	im.values[key] = v
	im.where[key] = at
}

// ---- nginx ----

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
				if e.Name != "worker_connections" || args(e) != "1024" {
					im.item(e.at(), "nginx", "events { %s %s }: hubgen writes worker_connections 1024", e.Name, args(e))
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

// ---- jupyterhub_config.py ----

// value returns the config's value of key and marks it understood.
func (im *importer) value(key string) (any, bool) {
	v, ok := im.hub.Values[key]
	if ok {
		im.used[key] = true
	}
	return v, ok
}

func (im *importer) str(key string) (string, bool) {
	v, ok := im.value(key)
	s, isStr := v.(string)
	return s, ok && isStr
}

func (im *importer) at(key string) string { return im.hub.location(key, im.configName()) }

func (im *importer) configName() string {
	if im.o.Config != "" {
		return im.o.Config
	}
	return im.o.ConfigJSON
}

func stringList(v any) ([]string, bool) {
	switch v := v.(type) {
	case string:
		return []string{v}, true
	case []any:
		var out []string
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// fileOf tells whether v is the contents of a file the config read (the loader names the file).
func fileOf(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	f, ok := m["file"].(string)
	return f, ok
}

func (im *importer) urlPort(key, siteKey string) *url.URL {
	s, ok := im.str(key)
	if !ok {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Port() == "" {
		im.item(im.at(key), "hub", "%s = %q: not a URL with a port", key, s)
		return nil
	}
	port, _ := strconv.Atoi(u.Port())
	im.set(siteKey, port, im.at(key))
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "" {
		im.item(im.at(key), "hub", "%s listens on %s: hubgen's hub listens on loopback only, behind nginx", key, h)
	}
	return u
}

func (im *importer) python() {
	im.used = map[string]bool{}
	if u := im.urlPort("JupyterHub.bind_url", "hub.port"); u != nil && u.Path != "" {
		im.set("hub.base_url", u.Path, im.at("JupyterHub.bind_url"))
	}
	if v, ok := im.value("JupyterHub.port"); ok {
		if f, isNum := v.(float64); isNum {
			im.set("hub.port", int(f), im.at("JupyterHub.port"))
		}
	}
	if s, ok := im.str("JupyterHub.base_url"); ok {
		im.set("hub.base_url", s, im.at("JupyterHub.base_url"))
	}
	if s, ok := im.str("JupyterHub.ip"); ok && s != "127.0.0.1" && s != "localhost" {
		im.item(im.at("JupyterHub.ip"), "hub", "JupyterHub.ip = %q: hubgen's proxy listens on 127.0.0.1 only, behind nginx", s)
	}
	im.urlPort("JupyterHub.hub_bind_url", "hub.hub_port")
	if v, ok := im.value("JupyterHub.hub_port"); ok {
		if f, isNum := v.(float64); isNum {
			im.set("hub.hub_port", int(f), im.at("JupyterHub.hub_port"))
		}
	}
	im.urlPort("ConfigurableHTTPProxy.api_url", "hub.proxy_api_port")
	if s, ok := im.str("JupyterHub.db_url"); ok {
		if p, isSQLite := strings.CutPrefix(s, "sqlite:///"); isSQLite && path.Base(p) == "jupyterhub.sqlite" && path.IsAbs(p) {
			im.set("hub.state_dir", path.Dir(p), im.at("JupyterHub.db_url"))
		} else {
			im.item(im.at("JupyterHub.db_url"), "hub", "db_url %s: hubgen keeps the database at hub.state_dir/jupyterhub.sqlite", redactURL(s))
		}
	}
	if s, ok := im.str("JupyterHub.cookie_secret_file"); ok {
		im.set("hub.cookie_secret_file", s, im.at("JupyterHub.cookie_secret_file"))
	}
	im.secret("JupyterHub.cookie_secret", "hub.cookie_secret_file", "the cookie secret", "jupyterhub_cookie_secret", 0)
	im.secret("ConfigurableHTTPProxy.auth_token", "hub.proxy_auth_token_file", "the proxy auth token", "proxy_auth_token", 9)
	im.secret("JupyterHub.proxy_auth_token", "hub.proxy_auth_token_file", "the proxy auth token", "proxy_auth_token", 10)

	im.users()
	im.spawner()
	im.services()
	im.auth()

	for _, key := range sortedKeys(im.hub.Values) {
		if im.used[key] {
			continue
		}
		v := im.hub.Values[key]
		switch {
		case isCallable(v):
			im.item(callableAt(v, im.at(key)), tableOfConfig(key), "%s is a Python function (%s): a hook hubgen cannot state; carry its logic over by hand or drop it", key, callableName(v))
		case secretName.MatchString(key):
			im.item(im.at(key), tableOfConfig(key), "%s (value hidden): a setting hubgen does not write; if it is a secret, keep it in a 0600 file", key)
		default:
			im.item(im.at(key), tableOfConfig(key), "%s = %s: a setting hubgen does not write", key, shortJSON(v))
		}
	}
}

// secret reads a setting that holds a secret: from a file (the loader names it), a path where
// the file's contents belong (mistake 9), or the secret itself, inline.
func (im *importer) secret(key, siteKey, what, defaultName string, mistakeIfInline int) {
	v, ok := im.value(key)
	if !ok {
		return
	}
	at := im.at(key)
	if f, isFile := fileOf(v); isFile {
		im.set(siteKey, f, at)
		return
	}
	s, _ := v.(string)
	if mistakeIfInline == 9 && strings.HasPrefix(s, "/") && !strings.ContainsAny(s, " \n") {
		im.mistake(9, at, "%s = '%s': the path is the token; the file's contents must be", key, s)
		im.set(siteKey, s, at)
		return
	}
	if mistakeIfInline == 10 {
		im.mistake(10, at, "%s holds a literal token (deprecated, and a secret in a config file)", key)
	}
	file := im.secretFile(siteKey, defaultName)
	im.res.Secrets = append(im.res.Secrets, Secret{At: at, What: what + " (" + key + ")", File: file, Command: moveCommand(im.configName(), at, file)})
	im.set(siteKey, file, at)
}

// secretFile is the file a site key names, or its default in the state directory.
func (im *importer) secretFile(siteKey, name string) string {
	if f, ok := im.values[siteKey].(string); ok {
		return f
	}
	dir, ok := im.values["hub.state_dir"].(string)
	if !ok {
		dir = "/srv/jupyterhub"
	}
	return dir + "/" + name
}

// moveCommand copies the quoted value on line LINE of the config into file, mode 0600, without
// printing it, and never over an existing file (noclobber): the admin runs it, checks the file,
// then deletes the line.
func moveCommand(config, at, file string) string {
	line := strings.TrimPrefix(at, config+":")
	if _, err := strconv.Atoi(line); err != nil {
		return fmt.Sprintf("(umask 077; set -o noclobber; : > %s) && ${EDITOR:-nano} %s   # paste the value from %s into it", shellQuote(file), shellQuote(file), config)
	}
	return fmt.Sprintf("(umask 077; set -o noclobber; sed -n '%ss/^[^=]*= *[rbuRBU]*[\"'\"'\"']\\(.*\\)[\"'\"'\"'] *$/\\1/p' %s > %s) && chmod 600 %s && test -s %s",
		line, shellQuote(config), shellQuote(file), shellQuote(file), shellQuote(file))
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = url.User(u.User.Username())
	return u.String()
}

func (im *importer) users() {
	var admins, allowed []string
	if v, ok := im.value("JupyterHub.load_roles"); ok {
		roles, _ := v.([]any)
		for _, r := range roles {
			role, _ := r.(map[string]any)
			switch role["name"] {
			case "admin":
				names, _ := stringList(role["users"])
				admins = append(admins, names...)
				for k := range role {
					if k != "name" && k != "users" {
						im.item(im.at("JupyterHub.load_roles"), "users", "the admin role's %s: hubgen's admin role has users only", k)
					}
				}
			case "idle-culler":
				// written with the culler's service, below
			default:
				im.item(im.at("JupyterHub.load_roles"), "users", "the role %s: hubgen writes only the admin and idle-culler roles", shortJSON(role["name"]))
			}
		}
	}
	if v, ok := im.value("Authenticator.admin_users"); ok {
		names, _ := stringList(v)
		admins = append(admins, names...)
		im.mistake(18, im.at("Authenticator.admin_users"), "Authenticator.admin_users only ever grants: removing a name does not take admin away; hubgen lists admins in the admin role, which JupyterHub sets exactly")
	}
	allowedKey := "Authenticator.allowed_users"
	for _, key := range []string{"Authenticator.allowed_users", "Authenticator.whitelist"} {
		if v, ok := im.value(key); ok {
			allowedKey = key
			names, _ := stringList(v)
			allowed = append(allowed, names...)
			if strings.HasSuffix(key, "whitelist") {
				im.mistake(11, im.at(key), "c.Authenticator.whitelist (deprecated since JupyterHub 1.2; JupyterHub 5 ignores it): hubgen writes allowed_users")
			}
		}
	}
	deleteInvalid, _ := im.value("Authenticator.delete_invalid_users")
	_, pattern := im.value("Authenticator.username_pattern")
	im.value("Authenticator.allow_existing_users")
	if len(allowed) > 0 && (deleteInvalid != true || !pattern) {
		im.mistake(17, im.at(allowedKey), "allowed_users alone: JupyterHub adds every user its database remembers back in at start, so a removed name still logs in")
	}
	if pattern && deleteInvalid != true {
		im.item(im.at("Authenticator.username_pattern"), "users", "username_pattern: hubgen writes its own, admitting exactly the listed users")
	}
	admins = uniq(admins)
	var rest []string
	for _, a := range uniq(allowed) {
		if !slices.Contains(admins, a) {
			rest = append(rest, a)
		}
	}
	if len(admins) > 0 {
		im.values["users.admin"] = admins
	}
	if len(rest) > 0 {
		im.values["users.allowed"] = rest
	}
	if len(allowed) == 0 {
		im.item(im.configName(), "users", "no allowed_users: JupyterHub let every system user in; hubgen lets in only the users the site file lists, so add them to users.allowed or a roster")
	}
}

func uniq(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func (im *importer) spawner() {
	if v, ok := im.value("Spawner.cmd"); ok {
		if cmd, isList := stringList(v); isList {
			im.set("spawner.cmd", cmd, im.at("Spawner.cmd"))
		}
	}
	for _, k := range []string{"default_url", "notebook_dir"} {
		if s, ok := im.str("Spawner." + k); ok {
			im.set("spawner."+k, s, im.at("Spawner."+k))
		}
	}
	if v, ok := im.value("Spawner.args"); ok {
		list, _ := stringList(v)
		for _, a := range list {
			switch {
			case strings.HasPrefix(a, "--MappingKernelManager.cull_idle_timeout="):
				if n, err := strconv.Atoi(strings.TrimPrefix(a, "--MappingKernelManager.cull_idle_timeout=")); err == nil && n > 0 {
					im.set("culler.kernel_timeout", schema.FormatDuration(time.Duration(n)*time.Second), im.at("Spawner.args"))
				}
			case a == "--MappingKernelManager.cull_interval=300", a == "--MappingKernelManager.cull_connected=True":
			default:
				im.item(im.at("Spawner.args"), "spawner", "Spawner.args %s: hubgen does not pass it to the notebook servers", a)
			}
		}
	}
	if s, ok := im.str("JupyterHub.spawner_class"); ok {
		switch s {
		case "systemdspawner.SystemdSpawner", "systemdspawner":
			im.set("spawner.kind", schema.SpawnerSystemd, im.at("JupyterHub.spawner_class"))
		case "jupyterhub.spawner.LocalProcessSpawner", "default", "localprocess":
		default:
			im.item(im.at("JupyterHub.spawner_class"), "spawner", "spawner_class %s: hubgen knows the local and systemd spawners only", s)
		}
	}
	for _, k := range []string{"mem_limit", "cpu_limit"} {
		if v, ok := im.value("Spawner." + k); ok {
			im.item(im.at("Spawner."+k), "limits", "Spawner.%s = %s: the local spawner does not enforce it; limits.memory and limits.cpu do, with spawner.kind = \"systemd\"", k, shortJSON(v))
		}
	}
	if s, ok := im.str("SystemdSpawner.mem_limit"); ok {
		im.set("limits.memory", s, im.at("SystemdSpawner.mem_limit"))
	}
	if v, ok := im.value("SystemdSpawner.cpu_limit"); ok {
		if f, isNum := v.(float64); isNum {
			im.set("limits.cpu", f, im.at("SystemdSpawner.cpu_limit"))
		}
	}
}

func (im *importer) services() {
	v, ok := im.value("JupyterHub.services")
	list, _ := v.([]any)
	culler := false
	for _, s := range list {
		svc, _ := s.(map[string]any)
		cmd, _ := stringList(svc["command"])
		i := slices.Index(cmd, "jupyterhub_idle_culler")
		if i < 0 {
			i = slices.IndexFunc(cmd, func(a string) bool { return strings.HasSuffix(a, "cull_idle_servers.py") })
		}
		if i < 0 {
			im.item(im.at("JupyterHub.services"), "culler", "the service %s: hubgen runs only the idle culler", shortJSON(svc["name"]))
			continue
		}
		culler = true
		im.values["culler.enabled"] = true
		for _, a := range cmd[i+1:] {
			name, val, _ := strings.Cut(a, "=")
			secs, err := strconv.Atoi(val)
			dur := schema.FormatDuration(time.Duration(secs) * time.Second)
			switch {
			case name == "--timeout" && err == nil:
				im.set("culler.timeout", dur, im.at("JupyterHub.services"))
			case name == "--cull-every" && err == nil:
				im.set("culler.interval", dur, im.at("JupyterHub.services"))
			case name == "--max-age" && err == nil:
				im.set("culler.max_age", dur, im.at("JupyterHub.services"))
			case name == "--concurrency" && err == nil:
				im.set("culler.concurrency", secs, im.at("JupyterHub.services"))
			case name == "--cull-users":
				im.set("culler.users", val == "True" || val == "true" || val == "", im.at("JupyterHub.services"))
			case name == "--config":
			default:
				im.item(im.at("JupyterHub.services"), "culler", "the idle culler's argument %s is not carried over", a)
			}
		}
	}
	if !ok || !culler {
		im.values["culler.enabled"] = false
		im.item(im.configName(), "culler", "no idle culler: kept off, as it was; hubgen's default turns it on (delete enabled = false), which stops servers unused for an hour")
	}
}

// ---- sign-in ----

var oauthClasses = map[string]string{
	"oauthenticator.github.LocalGitHubOAuthenticator": schema.AuthGitHub, "oauthenticator.github.GitHubOAuthenticator": schema.AuthGitHub,
	"oauthenticator.GitHubOAuthenticator": schema.AuthGitHub, "oauthenticator.LocalGitHubOAuthenticator": schema.AuthGitHub, "github": schema.AuthGitHub,
	"oauthenticator.generic.LocalGenericOAuthenticator": schema.AuthOIDC, "oauthenticator.generic.GenericOAuthenticator": schema.AuthOIDC,
	"oauthenticator.GenericOAuthenticator": schema.AuthOIDC, "oauthenticator.LocalGenericOAuthenticator": schema.AuthOIDC, "generic": schema.AuthOIDC, "generic-oauth": schema.AuthOIDC,
}

func (im *importer) auth() {
	class, ok := im.str("JupyterHub.authenticator_class")
	if v, isClass := im.hub.Values["JupyterHub.authenticator_class"].(map[string]any); isClass {
		class, ok = v["class"].(string), true
		im.used["JupyterHub.authenticator_class"] = true
	}
	if !ok || class == "pam" || class == "jupyterhub.auth.PAMAuthenticator" {
		return
	}
	typ, known := oauthClasses[class]
	if !known {
		im.item(im.at("JupyterHub.authenticator_class"), "auth", "authenticator_class %s: hubgen knows PAM, GitHub and generic OAuth (OIDC); kept PAM", class)
		return
	}
	im.values["auth.type"] = typ
	section := map[string]string{schema.AuthGitHub: "GitHubOAuthenticator", schema.AuthOIDC: "GenericOAuthenticator"}[typ]
	for _, sec := range []string{section, "OAuthenticator", "LocalGitHubOAuthenticator", "LocalGenericOAuthenticator"} {
		key := func(k string) string { return sec + "." + k }
		if s, ok := im.str(key("client_id")); ok {
			im.set("auth.client_id", s, im.at(key("client_id")))
		}
		im.secret(key("client_secret"), "auth.client_secret_file", "the OAuth client secret", "oauth_client_secret", 0)
		if s, ok := im.str(key("login_service")); ok {
			im.set("auth.login_service", s, im.at(key("login_service")))
		}
		if v, ok := im.value(key("scope")); ok {
			if list, isList := stringList(v); isList || v == nil {
				if list == nil {
					list = []string{}
				}
				im.set("auth.scope", list, im.at(key("scope")))
			}
		}
		for _, k := range []string{"authorize_url", "token_url", "userdata_url"} {
			if s, ok := im.str(key(k)); ok {
				im.set("auth."+k, s, im.at(key(k)))
			}
		}
		if v, ok := im.value(key("username_claim")); ok {
			switch v := v.(type) {
			case string:
				im.set("auth.username_claim", v, im.at(key("username_claim")))
			default:
				g := globalsOf(v)
				if callableName(v) == "_username_from_address" && g["_USERNAME_CLAIM"] != nil && g["_EMAIL_DOMAIN"] != nil {
					im.set("auth.username_claim", g["_USERNAME_CLAIM"], im.at(key("username_claim")))
					im.set("auth.email_domain", g["_EMAIL_DOMAIN"], im.at(key("username_claim")))
				} else {
					im.item(callableAt(v, im.at(key("username_claim"))), "auth", "username_claim is a Python function (%s): hubgen takes a claim's name, or an email claim at auth.email_domain", callableName(v))
				}
			}
		}
		if s, ok := im.str(key("username_key")); ok {
			im.set("auth.username_claim", s, im.at(key("username_key")))
		}
		if s, ok := im.str(key("oauth_callback_url")); ok {
			if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
				im.set("domain", u.Hostname(), im.at(key("oauth_callback_url")))
			}
		}
		if v, ok := im.value(key("allowed_organizations")); ok {
			orgs, _ := stringList(v)
			im.set("auth.allowed_organizations", orgs, im.at(key("allowed_organizations")))
			im.item(im.at(key("allowed_organizations")), "auth", "allowed_organizations: in oauthenticator it lets every member in; in hubgen it is a gate after users.allowed, so list the members there too")
		}
		im.value(key("allow_all"))
	}
	if v, ok := im.hub.Values["Authenticator.post_auth_hook"]; ok && callableName(v) == "_require_github_organization" {
		if orgs, isList := stringList(globalsOf(v)["_GITHUB_ORGANIZATIONS"]); isList {
			im.used["Authenticator.post_auth_hook"] = true
			im.set("auth.allowed_organizations", orgs, im.at("Authenticator.post_auth_hook"))
		}
	}
	for _, sec := range []string{"LocalAuthenticator", "LocalGitHubOAuthenticator", "LocalGenericOAuthenticator"} {
		im.value(sec + ".create_system_users")
		im.value(sec + ".add_user_cmd")
	}
}

func isCallable(v any) bool { m, ok := v.(map[string]any); return ok && m["callable"] != nil }

func callableName(v any) string {
	if m, ok := v.(map[string]any); ok {
		if s, ok := m["callable"].(string); ok {
			return s
		}
	}
	if s, ok := v.(string); ok && strings.HasPrefix(s, "<function ") {
		return strings.Fields(s)[1]
	}
	return ""
}

func callableAt(v any, fallback string) string {
	if m, ok := v.(map[string]any); ok {
		if at, ok := m["at"].([]any); ok && len(at) == 2 {
			return fmt.Sprintf("%v:%v", at[0], at[1])
		}
	}
	return fallback
}

func globalsOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	g, _ := m["globals"].(map[string]any)
	return g
}

func tableOfConfig(key string) string {
	class, _, _ := strings.Cut(key, ".")
	switch {
	case strings.Contains(class, "Authenticator") || strings.Contains(class, "OAuth"):
		return "auth"
	case strings.Contains(class, "Spawner"):
		return "spawner"
	}
	return "hub"
}

// ---- the systemd unit ----

var hubgenUnitKeys = []string{"Description", "After", "Wants", "User", "Restart", "RestartSec", "WantedBy", "Environment"}

func (im *importer) unit() error {
	info, err := os.Stat(im.o.Unit)
	if err != nil {
		return fmt.Errorf("read %s: %w", im.o.Unit, errors.Unwrap(err))
	}
	if info.Size() > maxFileSize {
		return fmt.Errorf("%s: %d bytes, more than a systemd unit has", im.o.Unit, info.Size())
	}
	data, err := os.ReadFile(im.o.Unit)
	if err != nil {
		return err
	}
	for i, line := range strings.Split(string(data), "\n") {
		at := fmt.Sprintf("%s:%d", im.o.Unit, i+1)
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '[' {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			im.item(at, "hub", "%q: not a KEY=VALUE line", line)
			continue
		}
		key, val = strings.TrimSpace(key), strings.Trim(strings.TrimSpace(val), `"`)
		switch key {
		case "ExecStart":
			words := strings.Fields(val)
			if len(words) > 0 {
				im.set("hub.executable", strings.TrimLeft(words[0], "-@+!"), at)
			}
			for _, w := range words[1:] {
				if w != "-f" && w != "--config" && !strings.HasSuffix(w, "jupyterhub_config.py") {
					im.item(at, "hub", "ExecStart argument %s: hubgen's unit passes only -f CONFIG", w)
				}
			}
		case "WorkingDirectory":
			im.set("hub.state_dir", val, at)
		case "MemoryMax":
			im.set("limits.hub_memory_max", val, at)
		case "MemoryHigh":
			im.set("limits.hub_memory_high", val, at)
		case "TasksMax":
			im.set("limits.hub_tasks_max", val, at)
		default:
			if key == "User" && val != "root" {
				im.item(at, "hub", "User=%s: hubgen runs the hub as root (PAM and spawning users' servers need it)", val)
			} else if key == "Environment" && !strings.HasPrefix(val, "PATH=") {
				im.item(at, "hub", "Environment=%s: hubgen's unit sets PATH only", val)
			} else if !slices.Contains(hubgenUnitKeys, key) {
				im.item(at, "hub", "%s=%s: a unit setting hubgen does not write", key, val)
			}
		}
	}
	if _, ok := im.values["limits.hub_memory_max"]; !ok {
		im.item(im.o.Unit, "limits", "no MemoryMax= in the unit: hubgen caps the hub and its servers at 90%% of memory (limits.hub_memory_max)")
	}
	return nil
}

// fileModes looks at the secret and key files the old config names, where they exist here.
func (im *importer) fileModes() {
	if key, ok := im.values["tls.key"].(string); ok {
		if info, err := os.Stat(key); err == nil && info.Mode().Perm()&0o004 != 0 {
			im.mistake(12, key, "the private key is readable by every user (mode %o): chmod 600 %s", info.Mode().Perm(), shellQuote(key))
		}
	}
	for _, k := range []string{"hub.cookie_secret_file", "hub.proxy_auth_token_file"} {
		if f, ok := im.values[k].(string); ok {
			if info, err := os.Stat(f); err == nil && info.Mode().Perm()&0o077 != 0 {
				im.mistake(13, f, "readable by group or others (mode %o): chmod 600 %s", info.Mode().Perm(), shellQuote(f))
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func shortJSON(v any) string {
	s := fmt.Sprintf("%v", v)
	if b, err := jsonMarshal(v); err == nil {
		s = string(b)
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}
