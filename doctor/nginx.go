package doctor

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

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
		install := "hubgen render " + shellQuote(sys.Site) + " -o " + shellQuote(filepath.Join(rootOr(sys.Root), "etc")) + " && nginx -t"
		fix := install + "  # after fixing what nginx names"
		if strings.Contains(msg, "unknown directive") || strings.Contains(msg, "invalid parameter") {
			// hubgen writes the directives of nginx.version; an older nginx lacks some.
			fix = install + "  # after setting nginx.version in " + shellQuote(sys.Site) + " to what nginx -v prints"
		}
		return fail(r, fmt.Sprintf("%s rejects the rendered nginx.conf: %s", sys.Nginx, msg), fix)
	}
	r.Detail = fmt.Sprintf("%s accepts the rendered nginx.conf", sys.Nginx)
	return r
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
var nginxLogPrefix = regexp.MustCompile(`^(nginx: )?(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d )?\[(emerg|alert|crit)\] (\d+#\d+: )?`)

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
