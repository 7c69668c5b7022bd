package schema

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DurationPattern is a duration as people write one: whole numbers of days, hours, minutes and
// seconds, largest unit first, each at most once ("90s", "10m", "1h30m", "2d").
const DurationPattern = `^(?:[0-9]+d(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+m(?:[0-9]+s)?|[0-9]+s)$`

// MaxDuration bounds every duration of site.toml: a course hub runs for a term, and a bound keeps
// the sums below from overflowing.
const MaxDuration = 366 * 24 * time.Hour

// MemoryPattern is SystemdSpawner's mem_limit as hubgen writes it: JupyterHub's ByteSpecification
// reads K, M, G and T (powers of 1024), uppercase only.
const MemoryPattern = `^[1-9][0-9]{0,5}[KMGT]$`

// UnitMemoryPattern is what systemd's MemoryMax= and MemoryHigh= take: bytes with an optional
// K, M, G or T (powers of 1024), or a whole percentage of the machine's memory.
const UnitMemoryPattern = `^(?:[1-9][0-9]{0,14}[KMGT]?|[1-9][0-9]?%|100%)$`

// UnitTasksPattern is what systemd's TasksMax= takes: a count, or a whole percentage of the
// kernel's limit on tasks.
const UnitTasksPattern = `^(?:[1-9][0-9]{0,8}|[1-9][0-9]?%|100%)$`

// MaxCPU is the largest per-user CPU limit accepted: more CPUs than any one machine has.
const MaxCPU = 1024

// Activity reaches the hub late: JupyterHub polls the proxy for it every last_activity_interval
// (5 minutes by default), and the notebook server pings an open websocket only every 30 seconds.
// The culler's own README asks for a timeout longer than the two together.
const (
	hubActivityInterval   = 5 * time.Minute
	websocketPingInterval = 30 * time.Second
	activityDelay         = hubActivityInterval + websocketPingInterval
)

var (
	durationRE   = regexp.MustCompile(DurationPattern)
	durationPart = regexp.MustCompile(`([0-9]+)([dhms])`)
	memoryRE     = regexp.MustCompile(MemoryPattern)
	unitMemoryRE = regexp.MustCompile(UnitMemoryPattern)
	unitTasksRE  = regexp.MustCompile(UnitTasksPattern)
)

// ParseDuration reads a duration as DurationPattern writes it.
func ParseDuration(s string) (time.Duration, error) {
	if !durationRE.MatchString(s) {
		return 0, fmt.Errorf("%s is not a duration", quote(s))
	}
	units := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second}
	var total time.Duration
	for _, m := range durationPart.FindAllStringSubmatch(s, -1) {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n > int64(MaxDuration/units[m[2]]) {
			return 0, fmt.Errorf("%s is longer than %s", quote(s), FormatDuration(MaxDuration))
		}
		total += time.Duration(n) * units[m[2]]
		if total > MaxDuration {
			return 0, fmt.Errorf("%s is longer than %s", quote(s), FormatDuration(MaxDuration))
		}
	}
	return total, nil
}

// FormatDuration writes d the way ParseDuration reads it, in the largest units that fit: 90
// minutes is "1h30m".
func FormatDuration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		name string
		size time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}} {
		if n := d / u.size; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.size
		}
	}
	return b.String()
}

// duration is a duration key's value, 0 when the key is unset or not a duration
// (validateCuller reports that).
func duration(text string) time.Duration {
	if text == "" {
		return 0
	}
	d, err := ParseDuration(text)
	if err != nil {
		return 0 // validation reports it
	}
	return d
}

// number is the value of a KindNumber key, 0 when it is not set.
func number(v any) float64 {
	f, _ := v.(float64)
	return f
}

// validateCuller checks [culler]. Timeouts shorter than the hub can see activity are allowed, with
// a warning, because a test or a demonstration may want them.
func validateCuller(r *reporter, s *Site, values map[string]any) {
	set := func(key string) bool { _, ok := values[key]; return ok }
	for _, d := range []struct {
		key, zero string
	}{
		{"culler.timeout", `at least "1s", like "1h"`},
		{"culler.interval", `at least "1s", like "10m"`},
		{"culler.max_age", "leave max_age out to let servers in use run"},
		{"culler.kernel_timeout", "leave kernel_timeout out to keep idle kernels"},
	} {
		text, ok := values[d.key].(string)
		if !ok {
			continue
		}
		v, err := ParseDuration(text)
		switch {
		case err != nil && durationRE.MatchString(text):
			r.atValue(d.key, "%s is longer than a term (at most %q)", quote(text), FormatDuration(MaxDuration))
		case err != nil:
			r.atValue(d.key, "%s is not a duration (write it like \"10m\", \"1h\" or \"2d\")", quote(text))
		case v == 0:
			r.atValue(d.key, "%s is zero (%s)", quote(text), d.zero)
		}
	}
	c := s.Culler
	if set("culler.concurrency") && (c.Concurrency < 1 || c.Concurrency > 100) {
		r.atValue("culler.concurrency", "%d is out of range (from 1 to 100; the culler's default is 10)", c.Concurrency)
	}
	if !c.Enabled {
		return
	}
	if c.Timeout > 0 && c.Timeout < activityDelay {
		r.warnAtValue("culler.timeout", "%q is shorter than the %s the hub may take to see that a server is in use (JupyterHub records activity every %s, notebook servers ping open websockets every %s), so servers in use may be stopped (at least %q)",
			FormatDuration(c.Timeout), FormatDuration(activityDelay), FormatDuration(hubActivityInterval), FormatDuration(websocketPingInterval), FormatDuration(activityDelay+30*time.Second))
	}
	if c.Interval > c.Timeout && c.Timeout > 0 {
		key := "culler.interval"
		if !set(key) {
			key = "culler.timeout"
		}
		r.warnAtValue(key, "culler.interval %q is longer than culler.timeout %q, so idle servers run up to %s (an interval of at most %q)",
			FormatDuration(c.Interval), FormatDuration(c.Timeout), FormatDuration(c.Timeout+c.Interval), FormatDuration(max(c.Timeout/2, time.Second)))
	}
}

// validateLimits checks [limits] and spawner.kind. A per-user limit with the local spawner is an
// error, not a warning: JupyterHub's LocalProcessSpawner accepts mem_limit and cpu_limit and
// silently enforces neither, so the site would promise what the machine does not do.
func validateLimits(r *reporter, s *Site, values map[string]any) {
	set := func(key string) bool { _, ok := values[key]; return ok }
	if set("spawner.kind") && s.Spawner.Kind != SpawnerLocal && s.Spawner.Kind != SpawnerSystemd {
		r.atValue("spawner.kind", "%s is not a spawner (use %q or %q)", quote(s.Spawner.Kind), SpawnerLocal, SpawnerSystemd)
	}
	l := s.Limits
	if set("limits.memory") && !memoryRE.MatchString(l.Memory) {
		r.atValue("limits.memory", "%s is not a memory size (a whole number with K, M, G or T, like \"2G\")", quote(l.Memory))
	}
	if set("limits.cpu") && !(l.CPU > 0 && l.CPU <= MaxCPU) {
		r.atValue("limits.cpu", "%v is not a CPU limit (a number of CPUs above 0, like 1.5)", l.CPU)
	}
	if s.Spawner.Kind == SpawnerLocal {
		for _, key := range []string{"limits.memory", "limits.cpu"} {
			if set(key) {
				r.atKey(key, "the local spawner ignores per-user limits (set kind = %q under [spawner] to enforce them with SystemdSpawner, or remove %s)", SpawnerSystemd, lastSegment(key))
			}
		}
	}
	for _, u := range []struct {
		key, value string
	}{{"limits.hub_memory_max", l.HubMemoryMax}, {"limits.hub_memory_high", l.HubMemoryHigh}} {
		if set(u.key) && !unitMemoryRE.MatchString(u.value) {
			r.atValue(u.key, "%s is not a systemd memory limit (bytes with K, M, G or T, or a percentage of the RAM, like \"12G\" or \"90%%\")", quote(u.value))
		}
	}
	if set("limits.hub_tasks_max") && !unitTasksRE.MatchString(l.HubTasksMax) {
		r.atValue("limits.hub_tasks_max", "%s is not a systemd task limit (a count or a percentage, like \"8192\" or \"20%%\")", quote(l.HubTasksMax))
	}
}

// warnAtValue reports a warning about the value of key: the site stays valid.
func (r *reporter) warnAtValue(key, format string, args ...any) {
	r.add(r.pos.valuePos(key), key, true, fmt.Sprintf(format, args...))
}

// The JSON Schema's rules for [culler] and [limits], added to schemaRules here so that the table
// in jsonschema.go and these keys' validator stay side by side.
func init() {
	tableDocs["culler"] = "Stopping idle servers (jupyterhub-idle-culler, as a hub service with a scoped role) and idle kernels."
	tableDocs["limits"] = "Per-user memory and CPU (SystemdSpawner only), and a cap on the hub's systemd unit."
	for _, key := range []string{"culler.timeout", "culler.interval", "culler.max_age", "culler.kernel_timeout"} {
		schemaRules[key] = func(s *jsonSchema) { s.Pattern = DurationPattern }
	}
	schemaRules["limits.memory"] = func(s *jsonSchema) { s.Pattern = MemoryPattern }
	schemaRules["limits.cpu"] = func(s *jsonSchema) { s.ExclusiveMinimum, s.Maximum = new(float64), ptr(MaxCPU) }
	schemaRules["limits.hub_memory_max"] = func(s *jsonSchema) { s.Pattern = UnitMemoryPattern }
	schemaRules["limits.hub_memory_high"] = func(s *jsonSchema) { s.Pattern = UnitMemoryPattern }
	schemaRules["limits.hub_tasks_max"] = func(s *jsonSchema) { s.Pattern = UnitTasksPattern }
}

func ptr[T any](v T) *T { return &v }
