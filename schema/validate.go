package schema

import (
	"fmt"
	"net/netip"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Patterns shared by the validator and the JSON Schema, so both accept the same values.
const (
	// UsernamePattern is what the PAM authenticator's system accounts can be called (the
	// useradd NAME_REGEX Debian ships, without the trailing "$" of machine accounts).
	UsernamePattern = `^[a-z_][a-z0-9_.-]{0,31}$`
	// DomainPattern is a lowercase fully qualified domain name of RFC 1123 labels.
	// The last label starts with a letter, as every top-level domain does: that keeps IP
	// addresses and names like "hub.123" out.
	DomainPattern = `^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$`
	// BaseURLPattern is a URL path of unreserved characters that starts and ends with "/".
	BaseURLPattern = `^/(?:[A-Za-z0-9._~-]+/)*$`
	// SizePattern is an nginx size: a number with an optional k, m or g.
	SizePattern = `^[0-9]+[kKmMgG]?$`
	// NginxVersionPattern is MAJOR.MINOR, or MAJOR.MINOR.PATCH as `nginx -v` prints it.
	NginxVersionPattern = `^1\.[0-9]{1,3}(?:\.[0-9]{1,3})?$`
	// SystemUserPattern is the nginx worker user.
	SystemUserPattern = `^[a-z_][a-z0-9_-]{0,31}$`
	// MaxDomainLength is RFC 1035's limit for a name in text form without the final dot.
	MaxDomainLength = 253
	// MaxUsernameLength is the longest login name useradd accepts by default.
	MaxUsernameLength = 32
	// OldestNginx is the oldest nginx minor version whose directives the templates use.
	OldestNginx = 18
)

var (
	domainRE       = regexp.MustCompile(DomainPattern)
	baseURLRE      = regexp.MustCompile(BaseURLPattern)
	sizeRE         = regexp.MustCompile(SizePattern)
	nginxVersionRE = regexp.MustCompile(NginxVersionPattern)
	domainLabelRE  = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	systemUserRE   = regexp.MustCompile(SystemUserPattern)
)

// validate checks every rule on the built site and reports each broken one. values tells which
// keys the file set, since a default is never wrong.
func validate(r *reporter, s *Site, values map[string]any) {
	for _, f := range Fields {
		if _, ok := values[f.Key]; f.Required && !ok && !typeErrorReported(r, f.Key) {
			r.atKey(f.Key, "missing (add %s = %s%s)", lastSegment(f.Key), f.Example, inTable(f.Key))
		}
	}
	set := func(key string) bool { _, ok := values[key]; return ok }

	if set("domain") {
		validateDomain(r, s.Domain)
	}

	for _, f := range Fields {
		if f.Path != NotPath && set(f.Key) {
			validatePath(r, f.Key, values[f.Key].(string), f.Path == PathReadByNginx)
		}
	}
	// SQLAlchemy reads the database path as part of a URL.
	if set("hub.state_dir") && strings.ContainsAny(s.Hub.StateDir, "?#%") {
		r.atValue("hub.state_dir", "%q has one of ? # %%, which would end the database URL's path (choose a directory without them)", s.Hub.StateDir)
	}
	// The unit's WorkingDirectory= takes the rest of its line: systemd drops spaces at its end and
	// joins a line that ends in "\" with the next one.
	if set("hub.state_dir") && (strings.HasSuffix(s.Hub.StateDir, " ") || strings.HasSuffix(s.Hub.StateDir, `\`)) {
		r.atValue("hub.state_dir", "%s ends with a space or a backslash, which systemd's WorkingDirectory= would drop or join with the next line (remove it)", quote(s.Hub.StateDir))
	}
	// The unit puts the executable's directory in Environment=PATH=, where systemd expands no
	// variables (the "$$" that ExecStart= needs would stay doubled there), and systemd refuses an
	// executable whose name has a quote or a backslash.
	if set("hub.executable") && !hasControl(s.Hub.Executable) && !unitExecutableOK(s.Hub.Executable) {
		r.atValue("hub.executable", "%s has a quote or a backslash, or a \"$\" in its directory, which the systemd unit cannot hold (install jupyterhub in a plain directory)", quote(s.Hub.Executable))
	} else if msg := unitPATHProblem(s.Hub.Executable); set("hub.executable") && msg != "" {
		r.atValue("hub.executable", "%s %s", quote(s.Hub.Executable), msg)
	}
	// Left out, hub.executable comes from spawner.cmd[0]'s directory, which then reaches the unit.
	if !set("hub.executable") && len(s.Spawner.Cmd) > 0 && s.Hub.Executable == defaultExecutable(s.Spawner.Cmd) {
		if hasControl(path.Dir(s.Hub.Executable)) || !unitExecutableOK(s.Hub.Executable) {
			r.atValue("spawner.cmd[0]", "%s has a control character, a quote, a backslash or a \"$\" in its directory, where the unit would run jupyterhub from (set hub.executable, or install jupyterhub in a plain directory)", quote(s.Spawner.Cmd[0]))
		} else if unitPATHProblem(s.Hub.Executable) != "" {
			r.atValue("spawner.cmd[0]", "%s has a \":\" in its directory, where the unit would run jupyterhub from, and the unit's PATH would split it in two (set hub.executable, or install jupyterhub in a directory without \":\")", quote(s.Spawner.Cmd[0]))
		}
	}

	if set("tls.profile") && s.TLS.Profile != ProfileIntermediate && s.TLS.Profile != ProfileModern {
		r.atValue("tls.profile", "%q is not a profile (use %q or %q)", s.TLS.Profile, ProfileIntermediate, ProfileModern)
	}
	if set("tls.resolvers") {
		validateResolvers(r, s.TLS.Resolvers)
		validateResolverDuplicates(r, s.TLS.Resolvers)
	}

	validateUsers(r, "users.admin", s.Users.AdminUsers, s.Hub.UserSubdomains)
	validateUsers(r, "users.allowed", s.Users.AllowedUsers, s.Hub.UserSubdomains)
	warnSystemAccounts(r, "users.admin", s.Users.AdminUsers)
	warnSystemAccounts(r, "users.allowed", s.Users.AllowedUsers)
	if set("users.admin") && len(s.Users.AdminUsers) == 0 {
		r.atValue("users.admin", "is empty (at least one admin, like admin = [\"peter\"])")
	}
	validateRoster(r, s, set)
	validateAuth(r, s, set)

	if set("spawner.cmd") {
		validateCommand(r, s.Spawner.Cmd)
		warnCommandAsString(r, s.Spawner.Cmd)
	}
	if set("spawner.default_url") {
		validateURLPath(r, "spawner.default_url", s.Spawner.DefaultURL)
	}
	if set("spawner.notebook_dir") {
		validateNotebookDir(r, s.Spawner.NotebookDir)
	}

	if set("hub.base_url") {
		validateBaseURL(r, s.Hub.BaseURL)
	}
	validatePorts(r, s, set, values)
	// One file for both secrets would make the proxy token the cookie secret: whoever can talk to
	// the proxy's API could forge every user's login cookie.
	if s.Hub.CookieSecretFile == s.Hub.ProxyAuthTokenFile {
		key := "hub.proxy_auth_token_file"
		if !set(key) {
			key = "hub.cookie_secret_file"
		}
		r.atValue(key, "%s is also the cookie secret file (each secret needs its own file, like %q)", quote(s.Hub.ProxyAuthTokenFile), path.Dir(s.Hub.CookieSecretFile)+"/proxy_auth_token")
	}

	validatePathCollisions(r, s, set)

	if set("nginx.client_max_body_size") && !sizeRE.MatchString(s.Nginx.ClientMaxBodySize) {
		r.atValue("nginx.client_max_body_size", "%q is not an nginx size (a number with an optional k, m or g, like \"100m\")", s.Nginx.ClientMaxBodySize)
	}
	if set("nginx.client_max_body_size") {
		validateSizeLimit(r, "nginx.client_max_body_size", s.Nginx.ClientMaxBodySize)
	}
	if set("nginx.version") && validateNginxVersion(r, s.Nginx.Version) {
		// What `nginx -v` prints is welcome; the templates differ by minor version only, and Site
		// promises MAJOR.MINOR.
		if major, rest, _ := strings.Cut(s.Nginx.Version, "."); strings.Contains(rest, ".") {
			minor, _, _ := strings.Cut(rest, ".")
			s.Nginx.Version = major + "." + minor
		}
	}
	if set("nginx.user") && !systemUserRE.MatchString(s.Nginx.User) {
		r.atValue("nginx.user", "%q is not a system user name (like \"www-data\" on Debian or \"nginx\" on Fedora)", s.Nginx.User)
	}

	validateCuller(r, s, values)
	validateLimits(r, s, values)
	validateKubernetes(r, s, set)
}

// typeErrorReported tells whether key already has a problem, so a wrongly typed required key is
// not also called missing.
func typeErrorReported(r *reporter, key string) bool {
	for _, p := range r.problems {
		if p.Key == key || strings.HasPrefix(p.Key, key+"[") {
			return true
		}
	}
	return false
}

func inTable(key string) string {
	if table, _, ok := strings.Cut(key, "."); ok {
		return " under [" + table + "]"
	}
	return " at the top, before any [table]"
}

func validateDomain(r *reporter, domain string) {
	const key = "domain"
	switch {
	case domain == "":
		r.atValue(key, "is empty (the hub's domain name, like \"notebooks.example.edu\")")
	case len(domain) > MaxDomainLength:
		r.atValue(key, "is %d characters long (a domain name has at most %d)", len(domain), MaxDomainLength)
	case strings.ToLower(domain) != domain && domainRE.MatchString(strings.ToLower(domain)):
		r.atValue(key, "%q has an uppercase letter (domains are written lowercase: %q)", domain, strings.ToLower(domain))
	case strings.HasSuffix(domain, ".") && domainRE.MatchString(strings.TrimSuffix(domain, ".")):
		r.atValue(key, "%q ends with a dot (write it without: %q)", domain, strings.TrimSuffix(domain, "."))
	case strings.Contains(domain, "://") && urlDomain(domain) != "":
		// Suggest the name in it, lowercase, rather than paths built from the URL.
		r.atValue(key, "%s is a URL, not a domain name (just the name: %q)", quote(domain), urlDomain(domain))
	case strings.Contains(domain, "://"):
		r.atValue(key, "%s is a URL, not a domain name (just the name, like \"notebooks.example.edu\")", quote(domain))
	case !domainRE.MatchString(domain) && !validateDomainKind(r, domain):
	case !strings.Contains(domain, "."):
		r.atValue(key, "%s is not fully qualified (a name with at least one dot, like \"notebooks.example.edu\")", quote(domain))
	case !domainRE.MatchString(domain):
		r.atValue(key, "%s is not a domain name (%s; labels of a-z, 0-9 and inner \"-\", separated by dots)", quote(domain), badRune(domain, func(c rune) bool {
			return c == '.' || c == '-' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		}))
	}
}

// maxPathLength is Linux's PATH_MAX less the NUL; nginx also refuses a longer token.
const maxPathLength = 4095

func validatePath(r *reporter, key, p string, nginx bool) {
	switch {
	case p == "":
		r.atValue(key, "is empty (an absolute path, like %s)", exampleOf(key))
	case len(p) > maxPathLength:
		r.atValue(key, "is %d bytes long (a path has at most %d)", len(p), maxPathLength)
	case hasControl(p):
		r.atValue(key, "%s has a control character (%s; a path is printable text)", quote(p), badRune(p, func(c rune) bool { return !unicode.IsControl(c) }))
	case !strings.HasPrefix(p, "/"):
		r.atValue(key, "%s is not absolute (start it with /, like %s)", quote(p), exampleOf(key))
	case hasDotDot(p):
		r.atValue(key, "%s has a \"..\" segment (write the path it means: %q)", quote(p), path.Clean(p))
	case path.Clean(p) != p:
		r.atValue(key, "%s is not clean (write it as %q)", quote(p), path.Clean(p))
	case nginx && strings.Contains(p, "$"):
		r.atValue(key, "%s has a \"$\", which nginx reads as a variable (rename the file or directory)", quote(p))
	}
}

func hasDotDot(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return true
		}
	}
	return false
}

func hasControl(s string) bool {
	for _, c := range s {
		if unicode.IsControl(c) || c == utf8.RuneError {
			return true
		}
	}
	return false
}

func exampleOf(key string) string {
	if f, ok := FieldByKey(key); ok {
		return f.Example
	}
	return `"/srv/jupyterhub"`
}

// quote writes a value in messages so that control characters and invisible runes show.
func quote(s string) string { return strconv.QuoteToASCII(s) }

// badRune names the first rune of s that ok refuses, and where it is.
func badRune(s string, ok func(rune) bool) string {
	n := 0
	for _, c := range s {
		n++
		if !ok(c) {
			return fmt.Sprintf("character %d is %s", n, describeRune(c))
		}
	}
	return "it is malformed"
}

func describeRune(c rune) string {
	switch {
	case c == ' ':
		return "a space"
	case c < 0x80 && unicode.IsPrint(c):
		return fmt.Sprintf("%q", c)
	default:
		return fmt.Sprintf("%s (U+%04X)", strconv.QuoteRuneToASCII(c), c)
	}
}

func validateUsers(r *reporter, key string, users []string, subdomains bool) {
	// An element's key is made only for a problem: with a roster of thousands, formatting one per
	// user cost more than checking them.
	elem := func(i int) string { return key + "[" + strconv.Itoa(i) + "]" }
	first := make(map[string]int, len(users))
	for i, u := range users {
		if m := usernameProblem(u); m.summary != "" {
			r.report(r.pos.valueRange(elem(i)), elem(i), SeverityError, m)
			continue
		}
		if m := hostLabelProblem(u, subdomains); m.summary != "" {
			r.report(r.pos.valueRange(elem(i)), elem(i), SeverityError, m)
			continue
		}
		if j, dup := first[u]; dup {
			r.atValue(elem(i), "%q is listed twice (remove this one; it is %s[%d])", u, key, j)
			continue
		}
		first[u] = i
	}
}

// hostLabelProblem says why, with hub.user_subdomains on, the username u cannot be the first
// label of its server's host name; its summary is empty when it can, or when subdomains are off.
// JupyterHub makes the label from the name, and its versions do it differently: 3.x keeps "."
// (a host two labels deep, which a *.domain certificate does not cover) and writes "_" as
// "_5f" (not a host name), 5.x replaces any name that is not already a label, or that holds
// "--", with "u-STUB--HASH". Names of lowercase letters, digits and single "-" inside are their
// own label on both, so the server's host is NAME.domain wherever the hub runs.
func hostLabelProblem(u string, subdomains bool) message {
	if !subdomains {
		return message{}
	}
	const fix = "with hub.user_subdomains each username is its server's host name NAME.domain: lowercase letters, digits and \"-\", starting with a letter, not ending in \"-\" and without \"--\"; rename the account, or set hub.user_subdomains = false"
	switch {
	case u == "":
		return message{}
	case u[0] < 'a' || u[0] > 'z':
		return messagef("%s starts with %s, which cannot start a DNS label (%s)", quote(u), describeRune(rune(u[0])), fix)
	case strings.HasSuffix(u, "-"):
		return messagef("%s ends with \"-\", which cannot end a DNS label (%s)", quote(u), fix)
	case strings.Contains(u, "--"):
		return messagef("%s has \"--\", which JupyterHub 5 replaces with a hashed host name (%s)", quote(u), fix)
	}
	if i := strings.IndexFunc(u, func(c rune) bool { return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') }); i >= 0 {
		return messagef("%s has %s, which a DNS label cannot hold (%s)", quote(u), describeRune(rune(u[i])), fix)
	}
	return message{}
}

// usernameProblem says what is wrong with a username; its summary is empty if nothing is.
func usernameProblem(u string) message {
	lower := strings.ToLower(u)
	switch {
	case u == "":
		return messagef("is empty (a username, like \"kendra\")")
	case lower != u && usernameOK(lower):
		return messagef("%q has an uppercase letter (usernames are lowercase: %q)", u, lower)
	case !usernameOK(u):
		first, _ := utf8.DecodeRuneInString(u)
		if !(first == '_' || first >= 'a' && first <= 'z') && (first < 0x80 && unicode.IsPrint(first)) {
			return messagef("%s starts with %s (a username starts with a lowercase letter or \"_\")", quote(u), describeRune(first))
		}
		if strings.IndexFunc(u, func(c rune) bool { return !usernameRune(c) }) < 0 {
			return messagef("%s is %d characters long (usernames have at most %d)", quote(u), len(u), MaxUsernameLength)
		}
		return messagef("%s is not a username (%s; use lowercase letters, digits, \"_\", \"-\" and \".\")", quote(u), badRune(u, usernameRune))
	}
	return message{}
}

// usernameOK tells whether u matches UsernamePattern. It is written out rather than a regexp
// because it runs once per user, and a roster can have tens of thousands (a third of validating
// 50,000 users went to the regexp); pattern_test.go checks that the two agree.
func usernameOK(u string) bool {
	if len(u) == 0 || len(u) > MaxUsernameLength || !(u[0] == '_' || u[0] >= 'a' && u[0] <= 'z') {
		return false
	}
	for i := 1; i < len(u); i++ {
		if !usernameRune(rune(u[i])) {
			return false
		}
	}
	return true
}

func usernameRune(c rune) bool {
	return c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// unitExecutableOK tells whether the systemd unit can run exe: systemd refuses quotes and
// backslashes in an executable's name, and its directory goes into Environment=PATH=, where a "$"
// cannot be written.
func unitExecutableOK(exe string) bool {
	return !strings.ContainsAny(exe, `"'\`) && !strings.Contains(path.Dir(exe), "$")
}

func validateResolvers(r *reporter, resolvers []string) {
	if len(resolvers) == 0 {
		// nginx refuses a resolver directive without an address.
		r.atValue("tls.resolvers", "is empty (at least one address, like [\"127.0.0.53\"])")
		return
	}
	for i, a := range resolvers {
		if addr, err := netip.ParseAddr(a); err != nil || addr.Zone() != "" {
			r.atValue(fmt.Sprintf("tls.resolvers[%d]", i), "%s is not an IP address (nginx needs the resolver's address, like \"127.0.0.53\" or \"9.9.9.9\")", quote(a))
		}
	}
}

func validateCommand(r *reporter, cmd []string) {
	if len(cmd) == 0 {
		r.atValue("spawner.cmd", "is empty (the single-user server command, like [\"/opt/conda/bin/jupyterhub-singleuser\"])")
		return
	}
	for i, arg := range cmd {
		elem := fmt.Sprintf("spawner.cmd[%d]", i)
		if strings.ContainsRune(arg, 0) {
			r.atValue(elem, "%s has a NUL character, which no command argument can hold (remove it)", quote(arg))
		}
	}
	if cmd[0] == "" {
		r.atValue("spawner.cmd[0]", "is empty (the program to run, like \"/opt/conda/bin/jupyterhub-singleuser\")")
	}
}

func validateURLPath(r *reporter, key, p string) {
	switch {
	case !strings.HasPrefix(p, "/"):
		r.atValue(key, "%s does not start with / (a path in the notebook server, like \"/lab\" or \"/tree\")", quote(p))
	case strings.IndexFunc(p, func(c rune) bool { return unicode.IsControl(c) || unicode.IsSpace(c) }) >= 0:
		r.atValue(key, "%s has a space or control character (%s; a URL path has neither)", quote(p), badRune(p, func(c rune) bool { return !unicode.IsControl(c) && !unicode.IsSpace(c) }))
	}
}

func validateNotebookDir(r *reporter, dir string) {
	switch {
	case dir == "":
		r.atValue("spawner.notebook_dir", "is empty (leave it out for the user's home, or a directory like \"~/notebooks\")")
	case hasControl(dir):
		r.atValue("spawner.notebook_dir", "%s has a control character (%s)", quote(dir), badRune(dir, func(c rune) bool { return !unicode.IsControl(c) }))
	}
}

func validateBaseURL(r *reporter, u string) {
	const key = "hub.base_url"
	switch {
	case !strings.HasPrefix(u, "/") || !strings.HasSuffix(u, "/"):
		fixed := "/" + strings.Trim(u, "/") + "/"
		if fixed == "//" {
			fixed = "/"
		}
		r.atValue(key, "%s must start and end with / (like %q)", quote(u), fixed)
	case strings.Contains(u, "//"):
		r.atValue(key, "%s has an empty segment (like \"/engr101/\")", quote(u))
	case !baseURLRE.MatchString(u):
		r.atValue(key, "%s is not a plain URL path (%s; use letters, digits, \".\", \"_\", \"~\" and \"-\")", quote(u), badRune(u, func(c rune) bool {
			return c == '/' || c == '.' || c == '_' || c == '~' || c == '-' || c < 0x80 && (unicode.IsLetter(c) || unicode.IsDigit(c))
		}))
	default:
		for _, seg := range strings.Split(strings.Trim(u, "/"), "/") {
			if seg == "." || seg == ".." {
				r.atValue(key, "%s has a %q segment (name the path itself, like \"/engr101/\")", quote(u), seg)
				return
			}
		}
	}
}

func validatePorts(r *reporter, s *Site, set func(string) bool, values map[string]any) {
	ports := []struct {
		key  string
		port int
	}{
		{"hub.port", s.Hub.Port},
		{"hub.hub_port", s.Hub.HubPort},
		{"hub.proxy_api_port", s.Hub.ProxyAPIPort},
		{"nginx.http_port", s.Nginx.HTTPPort},
		{"nginx.https_port", s.Nginx.HTTPSPort},
	}
	used := map[int]string{}
	for _, p := range ports {
		if p.port < 1 || p.port > 65535 {
			// The file's own number: Site holds it clamped to an int32.
			written := int64(p.port)
			if v, ok := values[p.key].(int64); ok {
				written = v
			}
			r.atValue(p.key, "%d is not a port (a number from 1 to 65535)", written)
			continue
		}
		if other, dup := used[p.port]; dup {
			// Report on the key the file set, so the position points at something to change.
			key, otherKey := p.key, other
			if !set(key) && set(other) {
				key, otherKey = other, p.key
			}
			r.atValue(key, "%d is also %s (every port must be different)", p.port, otherKey)
			continue
		}
		used[p.port] = p.key
	}
}

// validateNginxVersion tells whether v is a version hubgen can write for.
func validateNginxVersion(r *reporter, v string) bool {
	const key = "nginx.version"
	if !nginxVersionRE.MatchString(v) {
		if major, _, found := strings.Cut(v, "."); found && major != "1" && nginxVersionRE.MatchString("1"+strings.TrimPrefix(v, major)) {
			r.atValue(key, "%s is not an nginx hubgen knows (it writes for nginx 1.%d to 1.x; MAJOR.MINOR[.PATCH] of `nginx -v`, like \"1.22\")", quote(v), OldestNginx)
			return false
		}
		r.atValue(key, "%s is not a version (MAJOR.MINOR[.PATCH] of `nginx -v`, like \"1.22\" or \"1.22.1\")", quote(v))
		return false
	}
	minor, _ := nginxMinor(v)
	if minor < OldestNginx {
		r.atValue(key, "%s is older than hubgen supports (nginx 1.%d or later)", quote(v), OldestNginx)
		return false
	}
	return true
}
