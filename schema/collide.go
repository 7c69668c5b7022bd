package schema

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// A path the site names, or one hubgen writes, as validatePathCollisions compares them.
type knownPath struct {
	key  string // the key that names it; the position of a problem
	what string // how a message names it, "hub.state_dir" or "the database (hub.state_dir + /jupyterhub.sqlite)"
	path string
	dir  bool // a directory, which other paths may be inside; a file may hold nothing
	set  bool // written in the site file, rather than a default
	// input: only read, by nginx or hubgen. Two inputs may be one file: nginx takes a PEM file
	// with both the certificate and its key, and fullchain.pem as its own trusted chain.
	input bool
}

// installedOutputPaths are where `hubgen render -o /etc`, the layout the systemd unit expects,
// puts the server target's files. render owns them (render.Files); schema cannot import render,
// so TestInstalledOutputsAreRenders holds this list to render's.
var installedOutputPaths = []string{"/etc/nginx/nginx.conf", "/etc/jupyterhub/jupyterhub_config.py", "/etc/systemd/system/jupyterhub.service"}

// installedOutputs are installedOutputPaths as the collision check names them.
var installedOutputs = func() []knownPath {
	var outputs []knownPath
	for _, out := range installedOutputPaths {
		outputs = append(outputs, knownPath{what: "the output " + out + " (hubgen render -o /etc)", path: out})
	}
	return outputs
}()

// isInside tells whether p is below dir. (Written without dir+"/": this runs for every pair of
// paths, on every validation.)
func isInside(p, dir string) bool {
	return len(p) > len(dir) && p[len(dir)] == '/' && strings.HasPrefix(p, dir)
}

// validatePathCollisions refuses two known paths that are one (unless both are only read), or one
// inside another that must be a file. Each has destroyed data: a cookie secret written over the database, `hubgen secrets`
// making a file where the state directory must go, nginx writing its pid into the certificate.
// One mistake is reported once: a secret file left to its default lives in hub.state_dir, so its
// collisions are the state directory's.
func validatePathCollisions(c *checker) {
	s, set := c.site, c.set
	inStateDir := func(key string) knownPath {
		k := knownPath{key: key, set: set(key)}
		if !k.set {
			k.key, k.what, k.set = "hub.state_dir", key+" (by default in hub.state_dir)", set("hub.state_dir")
		}
		return k
	}
	cookie, token := inStateDir("hub.cookie_secret_file"), inStateDir("hub.proxy_auth_token_file")
	cookie.path, token.path = s.Hub.CookieSecretFile, s.Hub.ProxyAuthTokenFile
	known := []knownPath{
		{key: "tls.cert", path: s.TLS.Cert, input: true},
		{key: "tls.key", path: s.TLS.Key, input: true},
		{key: "tls.dhparam", path: s.TLS.DHParam}, // `hubgen secrets` writes it when missing
		{key: "tls.trusted_certificate", path: s.TLS.TrustedCertificate, input: true},
		cookie, token,
		{key: "nginx.pid", path: s.Nginx.PIDFile},
		{key: "hub.state_dir", path: s.Hub.StateDir, dir: true},
		{key: "hub.state_dir", what: "the database (hub.state_dir + /jupyterhub.sqlite)", path: s.Hub.DatabaseFile()},
		{key: "nginx.acme_webroot", path: s.Nginx.ACMEWebroot, dir: true},
	}
	if s.Users.Roster != "" {
		// The roster is read where hubgen runs; it is the server's file only when hubgen runs
		// there, which is when a collision would destroy it.
		if roster, err := filepath.Abs(filepath.Join(s.Dir, s.Users.Roster)); err == nil {
			known = append(known, knownPath{key: "users.roster", path: filepath.ToSlash(roster), input: true})
		}
	}
	for i := range known {
		k := &known[i]
		if k.what == "" {
			k.what = k.key
			k.set = set(k.key)
		}
	}
	known = append(known, installedOutputs...)

	type collision struct {
		at, inner, outer knownPath
		same             bool
		derived          bool // one of the two is a default in hub.state_dir, or the database
	}
	var found []collision
	usable := known[:0] // validatePath reports the others
	for _, k := range known {
		if usablePath(k.path) {
			usable = append(usable, k)
		}
	}
	known = usable
	for i, a := range known {
		for _, b := range known[i+1:] {
			if a.key == b.key || !a.set && !b.set {
				continue
			}
			// The two secret files are one: validate reports that with its own fix.
			if a.key == "hub.cookie_secret_file" && b.key == "hub.proxy_auth_token_file" {
				continue
			}
			var inner, outer knownPath
			var same bool
			switch {
			case a.path == b.path && a.input && b.input:
				continue
			case a.path == b.path:
				inner, outer, same = a, b, true
			case !b.dir && isInside(a.path, b.path):
				inner, outer = a, b
			case !a.dir && isInside(b.path, a.path):
				inner, outer = b, a
			default:
				continue
			}
			derived := a.what != a.key && a.key != "" || b.what != b.key && b.key != ""
			found = append(found, collision{laterInFile(c, a, b), inner, outer, same, derived})
		}
	}
	// The paths the file names come before those derived from hub.state_dir: a state directory
	// inside a file is the mistake, and its database and secrets inside it follow from it.
	sort.SliceStable(found, func(i, j int) bool { return !found[i].derived && found[j].derived })
	reported := map[string]bool{} // keys, and pairs of keys, already reported
	for _, col := range found {
		pair := col.inner.key + " " + col.outer.key
		if reported[col.at.key] || reported[pair] {
			continue
		}
		reported[col.at.key], reported[pair] = true, true
		reportCollision(c, col.at, col.inner, col.outer, col.same)
	}
}

// laterInFile is the one of a and b to report a collision at: the one the site file set, or of
// two set, the one written later (the other is named with its position).
func laterInFile(c *checker, a, b knownPath) knownPath {
	switch {
	case !b.set || b.key == "":
		return a
	case !a.set || a.key == "":
		return b
	}
	pa, pb := c.pos.valuePos(a.key), c.pos.valuePos(b.key)
	if pb.Line > pa.Line || pb.Line == pa.Line && pb.Col > pa.Col {
		return b
	}
	return a
}

// usablePath tells whether p passed validatePath, so a collision is not reported on top of that.
func usablePath(p string) bool {
	return p != "" && strings.HasPrefix(p, "/") && path.Clean(p) == p && !hasControl(p)
}

// reportCollision reports at at, one of inner and outer, that inner's path is outer's (same) or
// inside it, naming where the other one is written.
func reportCollision(c *checker, at, inner, outer knownPath, same bool) {
	other := outer
	if at == outer {
		other = inner
	}
	where := ""
	switch {
	case other.set && other.key != "":
		p := c.pos.valuePos(other.key)
		where = fmt.Sprintf(" (%s:%d:%d)", c.file, p.Line, p.Col)
	case other.key != "":
		where = " (by default)"
	}
	switch {
	case same:
		c.atValue(at.key, "%s is also %s%s (each needs a path of its own)", quote(at.path), other.what, where)
	case at == inner:
		c.atValue(at.key, "%s is inside %s %s%s, which is a file (give each a path of its own)", quote(inner.path), outer.what, quote(outer.path), where)
	default:
		c.atValue(at.key, "%s is a file, but %s %s%s is inside it (give each a path of its own)", quote(outer.path), inner.what, quote(inner.path), where)
	}
}
