package importer

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubgen/hubgen/schema"
)

// What jupyterhub_config.py set, as JupyterHub's loader gave it.

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

	// hubgen always writes it (the hub upgrades its database's schema at start, after a backup).
	if v, ok := im.value("JupyterHub.upgrade_db"); ok && v != true {
		im.item(im.at("JupyterHub.upgrade_db"), "hub", "JupyterHub.upgrade_db = %s: hubgen's hub upgrades its database at start (after copying it), as Debian's unit does", shortJSON(v))
	}
	im.subdomains()

	im.users()
	im.spawner()
	im.classStart()
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
			case a == classStartKernelArg:
				im.kernelRestarterArg = true
			case a == classStartPortsArg:
				// hubgen passes it itself where the servers' jupyter_client takes it.
			default:
				im.item(im.at("Spawner.args"), "spawner", "Spawner.args %s: hubgen does not pass it to the notebook servers", a)
			}
		}
	}
	if v, ok := im.value("JupyterHub.spawner_class"); ok && isClassStartSpawner(v) {
		im.classStartSpawner = true
	} else if ok {
		if m, isClass := v.(map[string]any); isClass && m["class"] != nil {
			im.item(im.at("JupyterHub.spawner_class"), "spawner", "spawner_class %s (a class the config defines): hubgen knows the local and systemd spawners only", m["class"])
		} else if _, isStr := v.(string); !isStr {
			im.item(im.at("JupyterHub.spawner_class"), "spawner", "spawner_class %s: hubgen knows the local and systemd spawners only", shortJSON(v))
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

// Sign-in.

var oauthClasses = map[string]string{
	"oauthenticator.github.LocalGitHubOAuthenticator": schema.AuthGitHub, "oauthenticator.github.GitHubOAuthenticator": schema.AuthGitHub,
	"oauthenticator.GitHubOAuthenticator": schema.AuthGitHub, "oauthenticator.LocalGitHubOAuthenticator": schema.AuthGitHub, "github": schema.AuthGitHub,
	"oauthenticator.generic.LocalGenericOAuthenticator": schema.AuthOIDC, "oauthenticator.generic.GenericOAuthenticator": schema.AuthOIDC,
	"oauthenticator.GenericOAuthenticator": schema.AuthOIDC, "oauthenticator.LocalGenericOAuthenticator": schema.AuthOIDC, "generic": schema.AuthOIDC, "generic-oauth": schema.AuthOIDC,
}

func (im *importer) auth() {
	class, ok := im.str("JupyterHub.authenticator_class")
	var classValue map[string]any
	if v, isClass := im.hub.Values["JupyterHub.authenticator_class"].(map[string]any); isClass {
		classValue = v
		class, ok = v["class"].(string), true
		im.used["JupyterHub.authenticator_class"] = true
	}
	if !ok || class == "pam" || class == "jupyterhub.auth.PAMAuthenticator" {
		return
	}
	if isLTI13(class, classValue) {
		im.lti13(classValue)
		return
	}
	typ, known := oauthClasses[class]
	if !known {
		im.item(im.at("JupyterHub.authenticator_class"), "auth", "authenticator_class %s: hubgen knows PAM, GitHub, generic OAuth (OIDC) and LTI 1.3 (ltiauthenticator); kept PAM", class)
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
