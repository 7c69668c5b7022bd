package doctor

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/schema"
)

// reloadNginx is the deploy hook hubgen's certificate steps give certbot: nginx reads the
// certificate when it starts or reloads, never again, so a renewed file on disk is not served
// until a reload.
const reloadNginx = "systemctl reload nginx"

// certbotLineage is where certbot keeps a certificate of the site: its configuration directory
// (/etc/letsencrypt, or another given to certbot as --config-dir) and the certificate's name, the
// NAME of DIR/live/NAME/ and DIR/renewal/NAME.conf. ok is false for a certificate from elsewhere.
func certbotLineage(site *schema.Site, sys System) (dir, name string, ok bool) {
	if name := letsEncryptName(site.TLS.Cert); name != "" {
		return "/etc/letsencrypt", name, true
	}
	// DIR/live/NAME/FILE, with DIR/renewal beside: certbot --config-dir DIR.
	lineage := filepath.Dir(site.TLS.Cert)
	live := filepath.Dir(lineage)
	if filepath.Base(live) != "live" {
		return "", "", false
	}
	dir = filepath.Dir(live)
	if info, err := os.Stat(sys.path(filepath.Join(dir, "renewal"))); err != nil || !info.IsDir() {
		return "", "", false
	}
	return dir, filepath.Base(lineage), true
}

// renewalParams are the settings certbot saved when it issued a certificate, which `certbot renew`
// uses again: [renewalparams] of renewal/NAME.conf, and its [[webroot_map]] of domain to webroot.
type renewalParams struct {
	params     map[string]string
	webrootMap map[string]string
}

// readRenewalConf reads certbot's renewal configuration (a configobj file: `key = value` lines
// under [section] and [[subsection]] headers; values may be quoted).
func readRenewalConf(path string) (renewalParams, error) {
	f, err := os.Open(path)
	if err != nil {
		return renewalParams{}, err
	}
	defer f.Close()
	p := renewalParams{params: map[string]string{}, webrootMap: map[string]string{}}
	section := ""
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[] ")
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		key, value = strings.TrimSpace(key), unquoteConfValue(strings.TrimSpace(value))
		switch section {
		case "renewalparams":
			p.params[key] = value
		case "webroot_map":
			p.webrootMap[key] = value
		}
	}
	return p, s.Err()
}

// unquoteConfValue takes off the quotes configobj puts around a value with spaces or quotes in it.
func unquoteConfValue(v string) string {
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// webroots are the directories certbot writes domain's challenges into at renewal: the domain's
// entry of webroot_map, else webroot_path (a list, which configobj writes "a, b," or "a,").
func (p renewalParams) webroots(domain string) []string {
	if w, ok := p.webrootMap[domain]; ok {
		return []string{filepath.Clean(w)}
	}
	var dirs []string
	for _, w := range strings.Split(p.params["webroot_path"], ",") {
		if w = strings.TrimSpace(w); w != "" {
			dirs = append(dirs, filepath.Clean(w))
		}
	}
	return dirs
}

// checkRenewal: certbot renews a certificate with the settings it saved at issuance. nginx holds
// the http port, so the standalone authenticator (certbot's own server on that port) fails; a
// webroot that nginx does not serve at /.well-known/acme-challenge/ fails; and a renewal that does
// not reload nginx leaves the old certificate served until it expires.
func checkRenewal(site *schema.Site, sys System, f *facts) Result {
	r := Result{Name: "certificate renewal"}
	dir, name, ok := certbotLineage(site, sys)
	if !ok {
		// A certificate from elsewhere renews as its CA says; doctor cannot see how.
		return Result{}
	}
	confPath := sys.path(filepath.Join(dir, "renewal", name+".conf"))
	conf, err := readRenewalConf(confPath)
	if err != nil {
		if f.cert == nil {
			r.Status = Skip
			r.Detail = fmt.Sprintf("%s: %v; no certificate yet (see the certificate check)", confPath, describeError(err))
			return r
		}
		return fail(r, fmt.Sprintf("%s: %v: certbot will never renew this certificate", confPath, describeError(err)),
			note("certbot renews only what it issued: get the certificate with certbot as README's Certificates section says"))
	}
	webroot := filepath.Clean(site.Nginx.ACMEWebroot)
	var problems []string
	switch auth := conf.params["authenticator"]; auth {
	case "webroot":
		if roots := conf.webroots(site.Domain); len(roots) != 1 || roots[0] != webroot {
			where := strings.Join(roots, ", ")
			if where == "" {
				where = "no webroot"
			}
			problems = append(problems, fmt.Sprintf("certbot writes the challenge into %s, but nginx serves /.well-known/acme-challenge/ from nginx.acme_webroot %s: renewal would fail", where, webroot))
			r.Status = Fail
		}
	case "standalone":
		// certbot's own server needs the http port, which nginx holds; a pre-hook that stops nginx
		// makes it work, with the site down meanwhile.
		if strings.Contains(conf.params["pre_hook"], "nginx") {
			problems = append(problems, "authenticator standalone stops nginx for every renewal (pre_hook), and the hub is unreachable meanwhile")
			r.Status = max(r.Status, Warn)
		} else {
			problems = append(problems, fmt.Sprintf("authenticator standalone needs port %d, which nginx holds: renewal would fail", site.Nginx.HTTPPort))
			r.Status = Fail
		}
	case "manual":
		if conf.params["manual_auth_hook"] == "" {
			problems = append(problems, "authenticator manual without manual_auth_hook needs a person at each renewal: renewal would fail")
			r.Status = Fail
		}
	}
	hooked := conf.params["renew_hook"] != "" || conf.params["post_hook"] != "" ||
		hasHook(sys.path(filepath.Join(dir, "renewal-hooks", "deploy"))) || hasHook(sys.path(filepath.Join(dir, "renewal-hooks", "post")))
	if !hooked {
		problems = append(problems, "no deploy hook reloads nginx: it would go on serving the old certificate, until that expires")
		r.Status = max(r.Status, Warn)
	}
	if len(problems) == 0 {
		r.Detail = fmt.Sprintf("%s: authenticator %s, and a hook reloads nginx", confPath, conf.params["authenticator"])
		return r
	}
	r.Detail = confPath + ": " + strings.Join(problems, "; ")
	if r.Status == Warn && !hooked && len(problems) == 1 {
		r.Fix = deployHookFix(sys, dir)
	} else {
		r.Fix = reconfigureFix(site, sys, dir, name, !hooked)
	}
	return r
}

// hasHook tells whether certbot has a hook in dir: it runs every executable file there.
func hasHook(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0 {
			return true
		}
	}
	return false
}

// certbotDirFlag is certbot's --config-dir for dir, "" for its default.
func certbotDirFlag(sys System, dir string) string {
	if p := sys.path(dir); p != "/etc/letsencrypt" {
		return " --config-dir " + shell.Quote(p)
	}
	return ""
}

// reconfigureFix switches renewal to the webroot nginx serves, and adds the reload hook. certbot
// reconfigure (certbot 2.3 and later) tries the new settings with a dry run before it saves them
// and reissues nothing; Debian 12's certbot 2.1 lacks it, and README says what to edit there.
func reconfigureFix(site *schema.Site, sys System, dir, name string, addHook bool) string {
	hook := ""
	if addHook {
		// Only where there is none: --deploy-hook would replace the one the administrator set.
		hook = " --deploy-hook " + shell.Quote(reloadNginx)
	}
	return "certbot reconfigure --cert-name " + shell.Quote(name) + certbotDirFlag(sys, dir) +
		" --webroot -w " + shell.Quote(sys.path(site.Nginx.ACMEWebroot)) + hook +
		"  # certbot 2.3 or later (Debian 13); Debian 12's 2.1: edit renewal/" + name + ".conf as README's Certificates section says"
}

// deployHookFix adds a hook that certbot runs after every renewal, for every certificate. It
// never replaces a hook of that name.
func deployHookFix(sys System, dir string) string {
	hooks := sys.path(filepath.Join(dir, "renewal-hooks", "deploy"))
	hook := shell.Quote(filepath.Join(hooks, "reload-nginx"))
	return "test ! -e " + hook + " && mkdir -p " + shell.Quote(hooks) + " && printf '#!/bin/sh\\n" + reloadNginx + "\\n' > " + hook + " && chmod 755 " + hook
}
