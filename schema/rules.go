package schema

import (
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Rules found by a hostile trial of hubgen 0.1.0: values nginx, systemd or JupyterHub would
// refuse or misread, which validation let through.

// validateDomainKind refuses a domain that is an address or has a numeric last label, and tells
// whether it did not: a certificate authority issues certificates for names, and every top-level
// domain starts with a letter.
func validateDomainKind(r *reporter, domain string) bool {
	const key = "domain"
	if addr, err := netip.ParseAddr(domain); err == nil {
		r.atValue(key, "%s is an IP address (hubgen needs the hub's domain name, like \"notebooks.example.edu\": certificates and server_name are for names)", quote(addr.String()))
		return false
	}
	if i := strings.LastIndexByte(domain, '.'); i >= 0 && domainRE.MatchString(domain[:i]+".x") {
		if last := domain[i+1:]; last != "" && !(last[0] >= 'a' && last[0] <= 'z') && domainLabelRE.MatchString(last) {
			r.atValue(key, "%s ends in the label %q, which does not start with a letter as every top-level domain does (a name like \"notebooks.example.edu\")", quote(domain), last)
			return false
		}
	}
	return true
}

// urlDomain is the host name in a domain given as a URL, lowercase, or "" when there is none to
// suggest.
func urlDomain(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if !domainRE.MatchString(host) {
		return ""
	}
	return host
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

// validateSizeLimit refuses an nginx size that matches SizePattern but is too big for nginx:
// `nginx -t` says "invalid value".
func validateSizeLimit(r *reporter, key, size string) {
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
		r.atValue(key, "%q is more than nginx can count (at most \"%d%s\"; \"0\" turns the limit off)", size, limit, unit)
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

// warnCommandAsString warns about spawner.cmd[0] holding what looks like a program and its
// arguments: JupyterHub would look for a program whose name has a space in it.
func warnCommandAsString(r *reporter, cmd []string) {
	if len(cmd) == 0 {
		return
	}
	words := strings.Fields(cmd[0])
	if len(words) < 2 || !strings.HasPrefix(words[1], "-") {
		return // a path with a space in it, perhaps
	}
	list := make([]string, 0, len(words)+len(cmd)-1)
	for _, w := range append(words, cmd[1:]...) {
		list = append(list, quote(w))
	}
	key := "spawner.cmd[0]"
	if _, isList := r.pos.value[key]; !isList {
		key = "spawner.cmd"
	}
	r.add(r.pos.valuePos(key), key, true, fmt.Sprintf("%s looks like a program and its arguments, which would be read as one program name with spaces (use a list: cmd = [%s])", quote(cmd[0]), strings.Join(list, ", ")))
}

// systemAccounts are the accounts Debian's base-passwd and common packages create for services
// (uid below 1000): none is a person. Logging in as one runs notebooks with its rights, and as
// root with every right on the machine.
var systemAccounts = map[string]bool{
	"root": true, "daemon": true, "bin": true, "sys": true, "sync": true, "games": true, "man": true,
	"lp": true, "mail": true, "news": true, "uucp": true, "proxy": true, "www-data": true,
	"backup": true, "list": true, "irc": true, "gnats": true, "nobody": true, "_apt": true,
	"systemd-network": true, "systemd-resolve": true, "systemd-timesync": true, "messagebus": true,
	"sshd": true, "nginx": true, "postgres": true, "mysql": true, "postfix": true, "ntp": true,
	"polkitd": true, "avahi": true, "dnsmasq": true, "statd": true, "_chrony": true, "tss": true,
	"jupyterhub": true, "adm": true, "operator": true, "halt": true, "shutdown": true,
}

// warnSystemAccounts warns about a system account among the users of key.
func warnSystemAccounts(r *reporter, key string, users []string) {
	for i, u := range users {
		if !systemAccounts[u] {
			continue
		}
		elem := key + "[" + strconv.Itoa(i) + "]"
		why := "a service's account, not a person's: notebooks would run with its rights"
		if u == "root" {
			why = "the superuser: notebooks would run with every right on the machine"
		}
		r.add(r.pos.valuePos(elem), elem, true, fmt.Sprintf("%q is %s (use a person's own account)", u, why))
	}
}

// validateResolverDuplicates refuses an address listed twice, which nginx would ask twice.
func validateResolverDuplicates(r *reporter, resolvers []string) {
	first := map[netip.Addr]int{}
	for i, a := range resolvers {
		addr, err := netip.ParseAddr(a)
		if err != nil || addr.Zone() != "" {
			continue
		}
		if j, dup := first[addr]; dup {
			r.atValue(fmt.Sprintf("tls.resolvers[%d]", i), "%s is listed twice (remove this one; it is tls.resolvers[%d])", quote(a), j)
			continue
		}
		first[addr] = i
	}
}

// unitPATHProblem says what keeps the executable's directory out of the unit's
// Environment=PATH=, where ":" separates directories, or "".
func unitPATHProblem(exe string) string {
	if dir := exe[:max(strings.LastIndexByte(exe, '/'), 0)]; strings.Contains(dir, ":") {
		return "has a \":\" in its directory, which the unit's PATH would split in two (install jupyterhub in a directory without \":\")"
	}
	return ""
}
