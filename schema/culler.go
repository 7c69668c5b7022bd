package schema

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hubgen/hubgen/internal/lazyregexp"
)

// durationPattern is a duration as people write one: whole numbers of days, hours, minutes and
// seconds, largest unit first, each at most once ("90s", "10m", "1h30m", "2d").
const durationPattern = `^(?:[0-9]+d(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+m(?:[0-9]+s)?|[0-9]+s)$`

// MaxDuration bounds every duration of site.toml: a course hub runs for a term, and a bound keeps
// the sums below from overflowing.
const MaxDuration = 366 * 24 * time.Hour

// Activity reaches the hub late: JupyterHub polls the proxy for it every last_activity_interval
// (5 minutes by default), and the notebook server pings an open websocket only every 30 seconds.
// The culler's own README asks for a timeout longer than the two together.
const (
	hubActivityInterval   = 5 * time.Minute
	websocketPingInterval = 30 * time.Second
	activityDelay         = hubActivityInterval + websocketPingInterval
)

var (
	durationRE   = lazyregexp.New(durationPattern)
	durationPart = lazyregexp.New(`([0-9]+)([dhms])`)
)

// ParseDuration reads a duration as durationPattern writes it.
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

// validateCuller checks [culler]. Timeouts shorter than the hub can see activity are allowed, with
// a warning, because a test or a demonstration may want them.
func validateCuller(c *checker) {
	s, set, values := c.site, c.set, c.values
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
			c.atValue(d.key, "%s is longer than a term (at most %q)", quote(text), FormatDuration(MaxDuration))
		case err != nil:
			c.atValue(d.key, "%s is not a duration (write it like \"10m\", \"1h\" or \"2d\")", quote(text))
		case v == 0:
			c.atValue(d.key, "%s is zero (%s)", quote(text), d.zero)
		}
	}
	cu := s.Culler
	if set("culler.concurrency") && (cu.Concurrency < 1 || cu.Concurrency > 100) {
		c.atValue("culler.concurrency", "%d is out of range (from 1 to 100; the culler's default is 10)", cu.Concurrency)
	}
	if !cu.Enabled {
		return
	}
	if cu.Timeout > 0 && cu.Timeout < activityDelay {
		c.warnAt("culler.timeout", "%q is shorter than the %s the hub may take to see that a server is in use (JupyterHub records activity every %s, notebook servers ping open websockets every %s), so servers in use may be stopped (at least %q)",
			FormatDuration(cu.Timeout), FormatDuration(activityDelay), FormatDuration(hubActivityInterval), FormatDuration(websocketPingInterval), FormatDuration(activityDelay+30*time.Second))
	}
	if cu.Interval > cu.Timeout && cu.Timeout > 0 {
		key := "culler.interval"
		if !set(key) {
			key = "culler.timeout"
		}
		c.warnAt(key, "culler.interval %q is longer than culler.timeout %q, so idle servers run up to %s (an interval of at most %q)",
			FormatDuration(cu.Interval), FormatDuration(cu.Timeout), FormatDuration(cu.Timeout+cu.Interval), FormatDuration(max(cu.Timeout/2, time.Second)))
	}
}

// durationRule is the JSON Schema rule of every duration key.
func durationRule(s *jsonSchema) { s.Pattern = durationPattern }
