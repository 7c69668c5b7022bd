package schema

import (
	"path"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/hubgen/hubgen/internal/lazyregexp"
)

// baseURLPattern is a URL path of unreserved characters that starts and ends with "/".
const baseURLPattern = `^/(?:[A-Za-z0-9._~-]+/)*$`

var baseURLRE = lazyregexp.New(baseURLPattern)

// validateHubFiles checks what the systemd unit and JupyterHub make of [hub]'s paths.
func validateHubFiles(c *checker) {
	s, set := c.site, c.set
	// SQLAlchemy reads the database path as part of a URL.
	if set("hub.state_dir") && strings.ContainsAny(s.Hub.StateDir, "?#%") {
		c.atValue("hub.state_dir", "%q has one of ? # %%, which would end the database URL's path (choose a directory without them)", s.Hub.StateDir)
	}
	// The unit's WorkingDirectory= takes the rest of its line: systemd drops spaces at its end and
	// joins a line that ends in "\" with the next one.
	if set("hub.state_dir") && (strings.HasSuffix(s.Hub.StateDir, " ") || strings.HasSuffix(s.Hub.StateDir, `\`)) {
		c.atValue("hub.state_dir", "%s ends with a space or a backslash, which systemd's WorkingDirectory= would drop or join with the next line (remove it)", quote(s.Hub.StateDir))
	}
	// The unit puts the executable's directory in Environment=PATH=, where systemd expands no
	// variables (the "$$" that ExecStart= needs would stay doubled there), and systemd refuses an
	// executable whose name has a quote or a backslash.
	if set("hub.executable") && !hasControl(s.Hub.Executable) && !unitExecutableOK(s.Hub.Executable) {
		c.atValue("hub.executable", "%s has a quote or a backslash, or a \"$\" in its directory, which the systemd unit cannot hold (install jupyterhub in a plain directory)", quote(s.Hub.Executable))
	} else if msg := unitPATHProblem(s.Hub.Executable); set("hub.executable") && msg != "" {
		c.atValue("hub.executable", "%s %s", quote(s.Hub.Executable), msg)
	}
	// Left out, hub.executable comes from spawner.cmd[0]'s directory, which then reaches the unit.
	if !set("hub.executable") && len(s.Spawner.Cmd) > 0 && s.Hub.Executable == defaultExecutable(s.Spawner.Cmd) {
		if hasControl(path.Dir(s.Hub.Executable)) || !unitExecutableOK(s.Hub.Executable) {
			c.atValue("spawner.cmd[0]", "%s has a control character, a quote, a backslash or a \"$\" in its directory, where the unit would run jupyterhub from (set hub.executable, or install jupyterhub in a plain directory)", quote(s.Spawner.Cmd[0]))
		} else if unitPATHProblem(s.Hub.Executable) != "" {
			c.atValue("spawner.cmd[0]", "%s has a \":\" in its directory, where the unit would run jupyterhub from, and the unit's PATH would split it in two (set hub.executable, or install jupyterhub in a directory without \":\")", quote(s.Spawner.Cmd[0]))
		}
	}
}

// validateHub checks [hub]'s URL, its ports against each other and nginx's, and its secrets.
func validateHub(c *checker) {
	s, set := c.site, c.set
	if set("hub.base_url") {
		validateBaseURL(c, s.Hub.BaseURL)
	}
	validatePorts(c)
	// One file for both secrets would make the proxy token the cookie secret: whoever can talk to
	// the proxy's API could forge every user's login cookie.
	if s.Hub.CookieSecretFile == s.Hub.ProxyAuthTokenFile {
		key := "hub.proxy_auth_token_file"
		if !set(key) {
			key = "hub.cookie_secret_file"
		}
		c.atValue(key, "%s is also the cookie secret file (each secret needs its own file, like %q)", quote(s.Hub.ProxyAuthTokenFile), path.Dir(s.Hub.CookieSecretFile)+"/proxy_auth_token")
	}
}

// inStateDir is the DefaultFrom of a secret file that lives in hub.state_dir.
func inStateDir(name string) func(get func(string) any) any {
	return func(get func(string) any) any {
		dir, _ := get("hub.state_dir").(string)
		return strings.TrimSuffix(dir, "/") + "/" + name
	}
}

// besideSingleUser is hub.executable's DefaultFrom; defaultExecutable says why.
func besideSingleUser(get func(string) any) any {
	cmd, _ := get("spawner.cmd").([]string)
	return defaultExecutable(cmd)
}

// unitExecutableOK tells whether the systemd unit can run exe: systemd refuses quotes and
// backslashes in an executable's name, and its directory goes into Environment=PATH=, where a "$"
// cannot be written.
func unitExecutableOK(exe string) bool {
	return !strings.ContainsAny(exe, `"'\`) && !strings.Contains(path.Dir(exe), "$")
}

func validateBaseURL(c *checker, u string) {
	const key = "hub.base_url"
	switch {
	case !strings.HasPrefix(u, "/") || !strings.HasSuffix(u, "/"):
		fixed := "/" + strings.Trim(u, "/") + "/"
		if fixed == "//" {
			fixed = "/"
		}
		c.atValue(key, "%s must start and end with / (like %q)", quote(u), fixed)
	case strings.Contains(u, "//"):
		c.atValue(key, "%s has an empty segment (like \"/engr101/\")", quote(u))
	case !baseURLRE.MatchString(u):
		c.atValue(key, "%s is not a plain URL path (%s; use letters, digits, \".\", \"_\", \"~\" and \"-\")", quote(u), badRune(u, func(c rune) bool {
			return c == '/' || c == '.' || c == '_' || c == '~' || c == '-' || c < 0x80 && (unicode.IsLetter(c) || unicode.IsDigit(c))
		}))
	default:
		for _, seg := range strings.Split(strings.Trim(u, "/"), "/") {
			if seg == "." || seg == ".." {
				c.atValue(key, "%s has a %q segment (name the path itself, like \"/engr101/\")", quote(u), seg)
				return
			}
		}
	}
}

func validatePorts(c *checker) {
	s, set, values := c.site, c.set, c.values
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
			c.atValue(p.key, "%d is not a port (a number from 1 to 65535)", written)
			continue
		}
		if other, dup := used[p.port]; dup {
			// Report on the key the file set, so the position points at something to change.
			key, otherKey := p.key, other
			if !set(key) && set(other) {
				key, otherKey = other, p.key
			}
			c.atValue(key, "%d is also %s (every port must be different)", p.port, otherKey)
			continue
		}
		used[p.port] = p.key
	}
}

// unitPATHProblem says what keeps the executable's directory out of the unit's
// Environment=PATH=, where ":" separates directories, or "".
func unitPATHProblem(exe string) string {
	if dir := exe[:max(strings.LastIndexByte(exe, '/'), 0)]; strings.Contains(dir, ":") {
		return "has a \":\" in its directory, which the unit's PATH would split in two (install jupyterhub in a directory without \":\")"
	}
	return ""
}

// defaultExecutable finds the jupyterhub program: installs such as conda put jupyterhub and
// jupyterhub-singleuser in one bin directory, and the unit must run the hub from the same one.
func defaultExecutable(cmd []string) string {
	if len(cmd) > 0 && filepath.IsAbs(cmd[0]) && filepath.Base(cmd[0]) == "jupyterhub-singleuser" {
		return filepath.Join(filepath.Dir(cmd[0]), "jupyterhub")
	}
	return "/usr/bin/jupyterhub"
}
