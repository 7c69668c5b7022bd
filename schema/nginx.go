package schema

import (
	"math"
	"strconv"
	"strings"

	"github.com/hubgen/hubgen/internal/lazyregexp"
)

const (
	// sizePattern is an nginx size: a number with an optional k, m or g.
	sizePattern = `^[0-9]+[kKmMgG]?$`
	// nginxVersionPattern is MAJOR.MINOR, or MAJOR.MINOR.PATCH as `nginx -v` prints it.
	nginxVersionPattern = `^1\.[0-9]{1,3}(?:\.[0-9]{1,3})?$`
	// systemUserPattern is the nginx worker user.
	systemUserPattern = `^[a-z_][a-z0-9_-]{0,31}$`
	// OldestNginx is the oldest nginx minor version whose directives the templates use.
	OldestNginx = 18
)

var (
	sizeRE         = lazyregexp.New(sizePattern)
	nginxVersionRE = lazyregexp.New(nginxVersionPattern)
	systemUserRE   = lazyregexp.New(systemUserPattern)
)

// validateNginx checks [nginx] beyond its ports and paths.
func validateNginx(c *checker) {
	s, set := c.site, c.set
	if set("nginx.client_max_body_size") && !sizeRE.MatchString(s.Nginx.ClientMaxBodySize) {
		c.atValue("nginx.client_max_body_size", "%q is not an nginx size (a number with an optional k, m or g, like \"100m\")", s.Nginx.ClientMaxBodySize)
	}
	if set("nginx.client_max_body_size") {
		validateSizeLimit(c, "nginx.client_max_body_size", s.Nginx.ClientMaxBodySize)
	}
	if set("nginx.version") && validateNginxVersion(c, s.Nginx.Version) {
		// What `nginx -v` prints is welcome; the templates differ by minor version only, and Site
		// promises MAJOR.MINOR.
		if major, rest, _ := strings.Cut(s.Nginx.Version, "."); strings.Contains(rest, ".") {
			minor, _, _ := strings.Cut(rest, ".")
			s.Nginx.Version = major + "." + minor
		}
	}
	if set("nginx.user") && !systemUserRE.MatchString(s.Nginx.User) {
		c.atValue("nginx.user", "%q is not a system user name (like \"www-data\" on Debian or \"nginx\" on Fedora)", s.Nginx.User)
	}
}

// validateNginxVersion tells whether v is a version hubgen can write for.
func validateNginxVersion(c *checker, v string) bool {
	const key = "nginx.version"
	if !nginxVersionRE.MatchString(v) {
		if major, _, found := strings.Cut(v, "."); found && major != "1" && nginxVersionRE.MatchString("1"+strings.TrimPrefix(v, major)) {
			c.atValue(key, "%s is not an nginx hubgen knows (it writes for nginx 1.%d to 1.x; MAJOR.MINOR[.PATCH] of `nginx -v`, like \"1.22\")", quote(v), OldestNginx)
			return false
		}
		c.atValue(key, "%s is not a version (MAJOR.MINOR[.PATCH] of `nginx -v`, like \"1.22\" or \"1.22.1\")", quote(v))
		return false
	}
	minor, _ := nginxMinor(v)
	if minor < OldestNginx {
		c.atValue(key, "%s is older than hubgen supports (nginx 1.%d or later)", quote(v), OldestNginx)
		return false
	}
	return true
}

// nginxSizeScale is what each suffix of an nginx size multiplies by.
var nginxSizeScale = map[byte]uint64{'k': 1 << 10, 'K': 1 << 10, 'm': 1 << 20, 'M': 1 << 20, 'g': 1 << 30, 'G': 1 << 30}

// maxNginxSize is the largest number nginx takes with suffix (0 for none): ngx_parse_offset reads
// an off_t and refuses one that overflows once scaled, so the limit is (2^63-1) / scale.
func maxNginxSize(suffix byte) uint64 {
	scale := nginxSizeScale[suffix]
	if scale == 0 {
		scale = 1
	}
	return math.MaxInt64 / scale
}

// validateSizeLimit refuses an nginx size that matches sizePattern but is too big for nginx:
// `nginx -t` says "invalid value".
func validateSizeLimit(c *checker, key, size string) {
	if !sizeRE.MatchString(size) {
		return
	}
	digits, suffix := size, byte(0)
	if last := size[len(size)-1]; last < '0' || last > '9' {
		digits, suffix = size[:len(size)-1], last
	}
	limit := maxNginxSize(suffix)
	var n uint64
	var err error
	if significant := strings.TrimLeft(digits, "0"); significant != "" {
		n, err = strconv.ParseUint(significant, 10, 64) // an error is a number past 2^64
	}
	if err != nil || n > limit {
		unit := ""
		if suffix != 0 {
			unit = string(suffix)
		}
		c.atValue(key, "%q is more than nginx can count (at most \"%d%s\"; \"0\" turns the limit off)", size, limit, unit)
	}
}

// nginxMinor is the minor version of a valid nginx.version, without its patch version.
func nginxMinor(v string) (int, bool) {
	rest, ok := strings.CutPrefix(v, "1.")
	if !ok {
		return 0, false
	}
	minor, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(minor)
	return n, err == nil
}
