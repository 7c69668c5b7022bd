package doctor

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hubgen/hubgen/internal/lazyregexp"
	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

// nginxTestTimeout bounds `nginx -t`, which reads files and resolves names but should take a
// fraction of a second.
const nginxTestTimeout = 30 * time.Second

// checkNginx has the installed nginx test the config hubgen would write for site, rendered in
// memory: it catches what only nginx knows, such as a directive this nginx version lacks, and a
// certificate or dhparam file it cannot load.
func checkNginx(site *schema.Site, sys System, _ *facts) Result {
	r := Result{Name: "nginx -t"}
	if sys.Nginx == "" {
		r.Status = Skip
		r.Detail = "nginx is not installed"
		return r
	}
	dir, err := os.MkdirTemp("", "hubgen-doctor-")
	if err != nil {
		return fail(r, fmt.Sprintf("stage nginx.conf for nginx -t: %v", err), "")
	}
	defer os.RemoveAll(dir)
	files, err := render.Files(testSite(site, sys, dir))
	if err != nil {
		return fail(r, fmt.Sprintf("render nginx.conf: %v", err), "")
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, files[render.NginxConf], 0o600); err != nil {
		return fail(r, fmt.Sprintf("stage nginx.conf for nginx -t: %v", err), "")
	}
	out, err := sys.NginxTest(sys.Nginx, conf)
	if err != nil {
		msg := nginxError(out, conf, err)
		// A comment, like setVersionFix: pasted before the site is fixed, a render would write
		// the config nginx has just rejected over the installed files.
		fix := "# fix what nginx names in " + shell.Quote(sys.Site) + ", then: hubgen render " + shell.Quote(sys.Site) +
			" -o " + shell.Quote(filepath.Join(rootOr(sys.Root), "etc")) + " && nginx -t"
		if strings.Contains(msg, "unknown directive") || strings.Contains(msg, "invalid parameter") {
			// hubgen writes the directives of nginx.version; an older nginx lacks some.
			fix = setVersionFix(sys, "what nginx -v prints")
		}
		return fail(r, fmt.Sprintf("%s rejects the rendered nginx.conf: %s", sys.Nginx, msg), fix)
	}
	r.Detail = fmt.Sprintf("%s accepts the rendered nginx.conf", sys.Nginx)
	// nginx prints warnings and still exits 0: a deprecated directive works today and breaks
	// in a later nginx, so doctor says so instead of passing in silence.
	if warnings := nginxWarnings(out, conf); len(warnings) > 0 {
		r.Status = Warn
		r.Detail += ", with warnings: " + strings.Join(warnings, "; ")
		if strings.Contains(r.Detail, "http2") {
			r.Fix = setVersionFix(sys, "what nginx -v prints")
		}
	}
	return r
}

// nginxWarnPrefix is what nginx puts before a warning.
var nginxWarnPrefix = lazyregexp.New(`^(nginx: )?(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d )?\[warn\] (\d+#\d+: )?`)

// nginxWarnings are the warnings in nginx's output, without their log prefix, and with the
// temporary file's name replaced by what it stands for.
func nginxWarnings(out []byte, conf string) []string {
	var warnings []string
	for _, line := range strings.Split(strings.ReplaceAll(string(out), conf, "nginx.conf"), "\n") {
		if m := nginxWarnPrefix.FindString(line); m != "" {
			warnings = append(warnings, strings.TrimSpace(line[len(m):]))
		}
	}
	return warnings
}

// setVersionFix is the fix for an nginx.version that does not fit the installed nginx. It is a
// shell comment: the edit is the user's to make, and pasting the line before making it must not
// render over the installed files.
func setVersionFix(sys System, version string) string {
	return "# set nginx.version = " + version + " in " + shell.Quote(sys.Site) + ", then: hubgen render " + shell.Quote(sys.Site) +
		" -o " + shell.Quote(filepath.Join(rootOr(sys.Root), "etc")) + " && nginx -t"
}

// nginxVersionRE finds the version in `nginx -v` output: "nginx version: nginx/1.26.3".
var nginxVersionRE = lazyregexp.New(`nginx/(\d+)\.(\d+)\.(\d+)`)

// http2DirectiveSince is the first nginx with the `http2 on;` directive, which also deprecates
// the `http2` parameter of `listen` (nginx 1.25.1 changes).
var http2DirectiveSince = [3]int{1, 25, 1}

// checkNginxVersion compares the installed nginx with nginx.version where it matters: the form of
// HTTP/2 that hubgen renders. An nginx older than 1.25.1 rejects `http2 on;`; a newer one accepts
// `listen ... http2` but warns at every start that it is deprecated.
func checkNginxVersion(site *schema.Site, sys System, _ *facts) Result {
	r := Result{Name: "nginx version"}
	if sys.Nginx == "" || sys.NginxVersion == nil {
		r.Status = Skip
		r.Detail = "nginx is not installed"
		return r
	}
	out, err := sys.NginxVersion(sys.Nginx)
	m := nginxVersionRE.FindStringSubmatch(string(out))
	if m == nil {
		r.Status = Warn
		r.Detail = fmt.Sprintf("%s -v: cannot read a version from %q (%v); nginx.version is %q", sys.Nginx, strings.TrimSpace(string(out)), err, site.Nginx.Version)
		return r
	}
	var installed [3]int
	for i := range installed {
		installed[i], _ = strconv.Atoi(m[i+1])
	}
	version := fmt.Sprintf("%d.%d.%d", installed[0], installed[1], installed[2])
	// What to set: the installed major.minor, except on 1.25.0, which has neither the
	// deprecation nor the directive, so it takes the old form, as 1.24 does.
	suggest := fmt.Sprintf("%q", fmt.Sprintf("%d.%d", installed[0], installed[1]))
	if installed == [3]int{1, 25, 0} {
		suggest = `"1.24"`
	}
	// What hubgen renders for this site, rather than a second copy of render's rule.
	files, err := render.Files(site)
	if err != nil {
		return fail(r, fmt.Sprintf("render nginx.conf: %v", err), "")
	}
	rendersDirective := strings.Contains(string(files[render.NginxConf]), "http2 on;")
	hasDirective := !versionLess(installed, http2DirectiveSince)
	switch {
	case rendersDirective && !hasDirective:
		return fail(r, fmt.Sprintf("nginx.version is %q, so hubgen writes `http2 on;`, which nginx %s (%s) does not know: nginx -t rejects the file", site.Nginx.Version, version, sys.Nginx),
			setVersionFix(sys, suggest))
	case !rendersDirective && hasDirective:
		r.Status = Warn
		r.Detail = fmt.Sprintf("nginx.version is %q, so hubgen writes `listen ... ssl http2`, which nginx %s deprecates: it works, with a warning at every start", site.Nginx.Version, version)
		r.Fix = setVersionFix(sys, suggest)
		return r
	}
	form := "`listen ... ssl http2`"
	if rendersDirective {
		form = "`http2 on;`"
	}
	r.Detail = fmt.Sprintf("nginx %s takes the HTTP/2 form nginx.version %q renders (%s)", version, site.Nginx.Version, form)
	return r
}

func versionLess(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// runNginxVersion runs `nginx -v`, which prints to standard error.
func runNginxVersion(nginx string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), nginxTestTimeout)
	defer cancel()
	return exec.CommandContext(ctx, nginx, "-v").CombinedOutput()
}

func rootOr(root string) string {
	if root == "" {
		return "/"
	}
	return root
}

func runNginxTest(nginx, conf string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), nginxTestTimeout)
	defer cancel()
	return exec.CommandContext(ctx, nginx, "-t", "-q", "-c", conf).CombinedOutput()
}

// nginxLogPrefix is what nginx puts before a message: a time, the level, and pid#tid.
var nginxLogPrefix = lazyregexp.New(`^(nginx: )?(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d )?\[(emerg|alert|crit)\] (\d+#\d+: )?`)

// nginxError is the first line nginx marks as an error, without its log prefix, and with the
// temporary file's name replaced by what it stands for.
func nginxError(out []byte, conf string, err error) string {
	text := strings.ReplaceAll(string(out), conf, "nginx.conf")
	for _, line := range strings.Split(text, "\n") {
		if m := nginxLogPrefix.FindString(line); m != "" {
			return strings.TrimSpace(line[len(m):])
		}
	}
	if text = strings.TrimSpace(text); text != "" {
		return text
	}
	return err.Error()
}

// testSite is site as nginx -t should see it: every file nginx reads joined to the System's
// root, so that doctor --root tests the files under the root, and the pid file in dir, because
// nginx -t creates the pid file when it is missing and a check must leave /run alone.
func testSite(site *schema.Site, sys System, dir string) *schema.Site {
	s := *site
	s.Nginx.PIDFile = filepath.Join(dir, "nginx.pid")
	if sys.Root == "" {
		return &s
	}
	// nginx reads a relative path as relative to its prefix, not to where doctor runs.
	if abs, err := filepath.Abs(sys.Root); err == nil {
		sys.Root = abs
	}
	s.TLS.Cert = sys.path(s.TLS.Cert)
	s.TLS.Key = sys.path(s.TLS.Key)
	if s.TLS.DHParam != "" {
		s.TLS.DHParam = sys.path(s.TLS.DHParam)
	}
	if s.TLS.TrustedCertificate != "" {
		s.TLS.TrustedCertificate = sys.path(s.TLS.TrustedCertificate)
	}
	s.Nginx.ACMEWebroot = sys.path(s.Nginx.ACMEWebroot)
	return &s
}
