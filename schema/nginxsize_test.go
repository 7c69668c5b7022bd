package schema

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubgen/hubgen/internal/testsys"
)

// TestBodySizeLimitIsNginxs has the installed nginx judge sizes either side of the limit for each
// suffix: validation must accept exactly what `nginx -t` accepts.
func TestBodySizeLimitIsNginxs(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		nginx, err = exec.LookPath("/usr/sbin/nginx")
	}
	if err != nil {
		testsys.SkipOrFail(t, "nginx is not installed (apt-get install nginx-light)")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	var sizes []string
	for _, suffix := range []string{"", "k", "M", "g"} {
		var unit byte
		if suffix != "" {
			unit = suffix[0]
		}
		limit := maxNginxSize(unit)
		sizes = append(sizes, fmt.Sprint(limit)+suffix, fmt.Sprint(limit+1)+suffix, "00"+fmt.Sprint(limit)+suffix)
	}
	sizes = append(sizes, "99999999999999999999", "0", "100m")
	for _, size := range sizes {
		if err := os.WriteFile(conf, []byte("events {}\nhttp { client_max_body_size "+size+"; }\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(nginx, "-t", "-q", "-e", "/dev/stderr", "-p", dir, "-c", conf, "-g", "pid "+filepath.Join(dir, "nginx.pid")+";").CombinedOutput()
		nginxOK := err == nil
		if !nginxOK && !strings.Contains(string(out), "invalid value") {
			t.Fatalf("nginx -t with client_max_body_size %s failed for another reason: %v\n%s", size, err, out)
		}
		problems := slipProblems(t, withLines(`nginx.client_max_body_size = "`+size+`"`))
		if hubgenOK := len(problems) == 0; hubgenOK != nginxOK {
			t.Errorf("client_max_body_size %s: nginx -t accepts it: %v; hubgen: %v", size, nginxOK, problems)
		}
	}
}
