package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDoctorNginxVersion runs `hubgen doctor` inside each stack, on a site with the default
// nginx.version ("1.22"), so the real `nginx -v` and `nginx -t` of each stack judge it: Debian 12's
// nginx 1.22 agrees, and Debian 13's nginx 1.26 takes the file but deprecates `listen ... http2`,
// which doctor must say (twice: the version check and nginx -t's own warning), with the version to
// set. Then the same site with nginx.version set as the README's table says passes both checks.
func TestDoctorNginxVersion(t *testing.T) {
	forEachStack(t, func(t *testing.T, st *stack) {
		installed := st.nginxVersion(t)
		for _, version := range []string{"", installed} {
			name := "nginx.version=" + version
			if version == "" {
				name = "nginx.version unset"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				ports := freePorts(t, 5)
				sitePath := filepath.Join(dir, "site.toml")
				writeSite(t, sitePath, siteParams{
					BaseURL:  "/",
					HTTPPort: ports[0], HTTPSPort: ports[1],
					HubPort: ports[2], HubAPIPort: ports[3], ProxyAPIPort: ports[4],
					Cert:     makeCertificate(t, dir, testDomain),
					StateDir: filepath.Join(dir, "state"),
					Webroot:  worldReadableDir(t),
					PIDFile:  filepath.Join(dir, "nginx.pid"),
					Admins:   []string{"root"},
					Nginx:    version,
				}.document())
				out := doctorIn(t, st, sitePath)
				minor, _ := strconv.Atoi(strings.TrimPrefix(installed, "1."))
				newForm := minor >= 25
				versionLine, testLine := doctorLine(t, out, "nginx version"), doctorLine(t, out, "nginx -t")
				switch {
				case version == "" && newForm:
					if !strings.HasPrefix(versionLine, "warn") || !strings.Contains(versionLine, "deprecates") || !strings.Contains(out, `nginx.version = "`+installed+`"`) {
						t.Errorf("%s: nginx %s with the default nginx.version: doctor says\n%s\nwant a warning that listen ... http2 is deprecated, with the fix setting nginx.version = %q", st.Name, installed, out, installed)
					}
					if !strings.HasPrefix(testLine, "warn") || !strings.Contains(testLine, `the "listen ... http2" directive is deprecated`) {
						t.Errorf("%s: nginx -t's warning is not shown as one:\n%s", st.Name, out)
					}
				default:
					if !strings.HasPrefix(versionLine, "ok") || !strings.HasPrefix(testLine, "ok") {
						t.Errorf("%s: nginx %s, nginx.version %q: doctor says\n%s\nwant ok for nginx version and nginx -t", st.Name, installed, version, out)
					}
				}
			})
		}
	})
}

// doctorIn runs `hubgen doctor` inside the stack, so that it finds the stack's nginx; the binary
// is under TMPDIR, at the same path inside. Other checks may fail (this site has no secrets):
// only the exit code 2, a failure to run, fails the test.
func doctorIn(t *testing.T, st *stack, sitePath string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := st.command(ctx, filepath.Dir(sitePath), []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, hubgen, "doctor", sitePath)
	out, err := cmd.Output()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() == 2 {
		t.Fatalf("%s: hubgen doctor %s: %v\n%s", st.Name, sitePath, err, out)
	}
	return string(out)
}

// doctorLine is doctor's line for the named check, with the fix line below it when there is one.
func doctorLine(t *testing.T, out, check string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^(ok|warn|FAIL|skip) +` + regexp.QuoteMeta(check) + `: .*(\n +fix: .*)?`).FindString(out)
	if m == "" {
		t.Fatalf("doctor printed no %q line:\n%s", check, out)
	}
	return m
}
