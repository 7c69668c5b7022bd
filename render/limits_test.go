package render

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubgen/hubgen/internal/testsys"
	"github.com/hubgen/hubgen/schema"
)

// TestUnitLimitsPassSystemdAnalyze: systemd itself reads the rendered unit's MemoryMax=,
// MemoryHigh= and TasksMax= (percentages, byte sizes, counts) without a complaint. It needs
// systemd-analyze, not a running systemd.
func TestUnitLimitsPassSystemdAnalyze(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		testsys.SkipOrFail(t, "this test needs systemd-analyze (apt-get install systemd)")
	}
	for name, limits := range map[string]string{
		"default cap":     "",
		"percentages":     "hub_memory_max = \"95%\"\nhub_memory_high = \"80%\"\nhub_tasks_max = \"20%\"\n",
		"sizes and count": "hub_memory_max = \"12G\"\nhub_memory_high = \"11264M\"\nhub_tasks_max = \"8192\"\n",
		"whole machine":   "hub_memory_max = \"100%\"\nhub_memory_high = \"1T\"\nhub_tasks_max = \"100%\"\n",
		"bytes":           "hub_memory_max = \"4294967296\"\nhub_memory_high = \"512K\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			site, err := schema.Parse("site.toml", []byte(`domain = "hub.example.edu"
[tls]
cert = "/etc/ssl/hub.pem"
key = "/etc/ssl/hub.key"
[users]
admin = ["prof"]
[spawner]
cmd = "/usr/bin/jupyterhub-singleuser"
[limits]
`+limits))
			if err != nil {
				t.Fatal(err)
			}
			files, err := Files(site)
			if err != nil {
				t.Fatal(err)
			}
			unit := string(files[SystemdUnit])
			for key, set := range map[string]bool{
				"MemoryMax=":  true, // 90% by default
				"MemoryHigh=": strings.Contains(limits, "hub_memory_high"),
				"TasksMax=":   strings.Contains(limits, "hub_tasks_max"),
			} {
				if strings.Contains(unit, "\n"+key) != set {
					t.Errorf("the unit has a %s line: %v, want %v:\n%s", key, !set, set, unit)
				}
			}
			path := filepath.Join(t.TempDir(), "jupyterhub.service")
			if err := os.WriteFile(path, files[SystemdUnit], 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, _ := exec.CommandContext(ctx, analyze, "verify", "--man=no", path).CombinedOutput()
			for _, line := range strings.Split(string(out), "\n") {
				// The hub's executable is not installed here; everything else is the unit's syntax.
				if line == "" || strings.Contains(line, "is not executable") || strings.Contains(line, "No such file") {
					continue
				}
				t.Errorf("systemd-analyze verify: %s\n%s", line, unit)
			}
		})
	}
}
