package schema

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const cullerBase = `domain = "hub.example.edu"
[tls]
cert = "/etc/ssl/hub.pem"
key = "/etc/ssl/hub.key"
[users]
admin = ["prof"]
[spawner]
cmd = ["/usr/bin/jupyterhub-singleuser"]
`

// TestCullerAndLimitsRules: one row per rule of [culler], [limits] and spawner.kind, with every
// problem hubgen prints for the snippet (added after cullerBase, at line 9), warnings included.
func TestCullerAndLimitsRules(t *testing.T) {
	tests := []struct {
		name, snippet string
		want          []string
	}{
		{"timeout in words", "[culler]\ntimeout = \"10 minutes\"\n",
			[]string{`site.toml:10:11: culler.timeout: "10 minutes" is not a duration (write it like "10m", "1h" or "2d")`}},
		{"timeout zero", "[culler]\ntimeout = \"0s\"\n",
			[]string{`site.toml:10:11: culler.timeout: "0s" is zero (at least "1s", like "1h")`}},
		{"timeout too long", "[culler]\ntimeout = \"367d\"\n",
			[]string{`site.toml:10:11: culler.timeout: "367d" is longer than a term (at most "366d")`}},
		{"units out of order", "[culler]\ninterval = \"30s5m\"\n",
			[]string{`site.toml:10:12: culler.interval: "30s5m" is not a duration (write it like "10m", "1h" or "2d")`}},
		{"timeout shorter than activity reaches the hub", "[culler]\ntimeout = \"2m\"\ninterval = \"1m\"\n",
			[]string{`site.toml:10:11: warning: culler.timeout: "2m" is shorter than the 5m30s the hub may take to see that a server is in use (JupyterHub records activity every 5m, notebook servers ping open websockets every 30s), so servers in use may be stopped (at least "6m")`}},
		{"interval longer than timeout", "[culler]\ntimeout = \"6m\"\n",
			[]string{`site.toml:10:11: warning: culler.timeout: culler.interval "10m" is longer than culler.timeout "6m", so idle servers run up to 16m (an interval of at most "3m")`}},
		{"no warnings when the culler is off", "[culler]\nenabled = false\ntimeout = \"1m\"\n", nil},
		{"max_age zero", "[culler]\nmax_age = \"0m\"\n",
			[]string{`site.toml:10:11: culler.max_age: "0m" is zero (leave max_age out to let servers in use run)`}},
		{"kernel_timeout negative", "[culler]\nkernel_timeout = \"-5m\"\n",
			[]string{`site.toml:10:18: culler.kernel_timeout: "-5m" is not a duration (write it like "10m", "1h" or "2d")`}},
		{"concurrency zero", "[culler]\nconcurrency = 0\n",
			[]string{`site.toml:10:15: culler.concurrency: 0 is out of range (from 1 to 100; the culler's default is 10)`}},
		{"culler typo", "[culler]\ntimout = \"1h\"\n",
			[]string{`site.toml:10:1: culler.timout: unknown key (did you mean timeout in [culler]?)`}},
		{"limits with the local spawner", "[limits]\nmemory = \"2G\"\ncpu = 1.5\n", []string{
			`site.toml:10:1: limits.memory: the local spawner ignores per-user limits (set kind = "systemd" under [spawner] to enforce them with SystemdSpawner, or remove memory)`,
			`site.toml:11:1: limits.cpu: the local spawner ignores per-user limits (set kind = "systemd" under [spawner] to enforce them with SystemdSpawner, or remove cpu)`,
		}},
		{"limits with SystemdSpawner", "kind = \"systemd\"\n[limits]\nmemory = \"2G\"\ncpu = 2\n", nil},
		{"memory in words", "kind = \"systemd\"\n[limits]\nmemory = \"2 GB\"\n", []string{
			`site.toml:11:10: limits.memory: "2 GB" is not a memory size (a whole number with K, M, G or T, like "2G")`,
		}},
		{"memory lowercase unit", "kind = \"systemd\"\n[limits]\nmemory = \"512m\"\n", []string{
			`site.toml:11:10: limits.memory: "512m" is not a memory size (a whole number with K, M, G or T, like "2G")`,
		}},
		{"cpu zero", "kind = \"systemd\"\n[limits]\ncpu = 0\n", []string{
			`site.toml:11:7: limits.cpu: 0 is not a CPU limit (a number of CPUs above 0, like 1.5)`,
		}},
		{"cpu as a string", "kind = \"systemd\"\n[limits]\ncpu = \"2\"\n", []string{
			`site.toml:11:7: limits.cpu: got a string, want a number (like cpu = 1.5)`,
		}},
		{"hub memory percentages and bytes", "[limits]\nhub_memory_max = \"12G\"\nhub_memory_high = \"80%\"\nhub_tasks_max = \"20%\"\n", nil},
		{"hub memory over 100%", "[limits]\nhub_memory_max = \"120%\"\n", []string{
			`site.toml:10:18: limits.hub_memory_max: "120%" is not a systemd memory limit (bytes with K, M, G or T, or a percentage of the RAM, like "12G" or "90%")`,
		}},
		{"tasks with a unit", "[limits]\nhub_tasks_max = \"4K\"\n", []string{
			`site.toml:10:17: limits.hub_tasks_max: "4K" is not a systemd task limit (a count or a percentage, like "8192" or "20%")`,
		}},
		{"spawner by class name", "kind = \"SystemdSpawner\"\n", []string{
			`site.toml:9:8: spawner.kind: "SystemdSpawner" is not a spawner (use "local" or "systemd")`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := cullerBase + tt.snippet
			site, err := Parse("site.toml", []byte(src))
			var got []string
			var problems Problems
			switch {
			case err == nil:
				for _, w := range site.Warnings {
					got = append(got, w.String())
				}
			case errors.As(err, &problems):
				for _, p := range problems {
					got = append(got, p.String())
				}
			default:
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s\nsite:\n%s", diff, src)
			}
		})
	}
}

// TestDurations: what ParseDuration reads and FormatDuration writes back.
func TestDurations(t *testing.T) {
	for text, want := range map[string]time.Duration{
		"90s": 90 * time.Second, "10m": 10 * time.Minute, "1h": time.Hour, "2d": 48 * time.Hour,
		"1h30m": 90 * time.Minute, "1d2h3m4s": 26*time.Hour + 3*time.Minute + 4*time.Second, "366d": MaxDuration,
		"0s": 0, "0090s": 90 * time.Second,
	} {
		got, err := ParseDuration(text)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", text, got, err, want)
		}
		if again, err := ParseDuration(FormatDuration(got)); err != nil || again != got {
			t.Errorf("FormatDuration(%v) = %q, which reads back as %v, %v", got, FormatDuration(got), again, err)
		}
	}
	for _, text := range []string{"", "1", "h", "1.5h", "1 h", "1H", "1w", "-1m", "1m1h", "1h1h", "367d", "9000000h", "99999999999999999999s"} {
		if d, err := ParseDuration(text); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", text, d)
		}
	}
}
