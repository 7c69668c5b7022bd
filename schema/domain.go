package schema

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/hubgen/hubgen/internal/lazyregexp"
)

const (
	// domainPattern is a lowercase fully qualified domain name of RFC 1123 labels.
	// The last label starts with a letter, as every top-level domain does: that keeps IP
	// addresses and names like "hub.123" out.
	domainPattern = `^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$`
	// MaxDomainLength is RFC 1035's limit for a name in text form without the final dot.
	MaxDomainLength = 253
)

var (
	domainRE      = lazyregexp.New(domainPattern)
	domainLabelRE = lazyregexp.New(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
)

func validateDomain(c *checker, domain string) {
	const key = "domain"
	switch {
	case domain == "":
		c.atValue(key, "is empty (the hub's domain name, like \"notebooks.example.edu\")")
	case len(domain) > MaxDomainLength:
		c.atValue(key, "is %d characters long (a domain name has at most %d)", len(domain), MaxDomainLength)
	case strings.ToLower(domain) != domain && domainRE.MatchString(strings.ToLower(domain)):
		c.atValue(key, "%q has an uppercase letter (domains are written lowercase: %q)", domain, strings.ToLower(domain))
	case strings.HasSuffix(domain, ".") && domainRE.MatchString(strings.TrimSuffix(domain, ".")):
		c.atValue(key, "%q ends with a dot (write it without: %q)", domain, strings.TrimSuffix(domain, "."))
	case strings.Contains(domain, "://") && urlDomain(domain) != "":
		// Suggest the name in it, lowercase, rather than paths built from the URL.
		c.atValue(key, "%s is a URL, not a domain name (just the name: %q)", quote(domain), urlDomain(domain))
	case strings.Contains(domain, "://"):
		c.atValue(key, "%s is a URL, not a domain name (just the name, like \"notebooks.example.edu\")", quote(domain))
	case !domainRE.MatchString(domain) && !validateDomainKind(c, domain):
	case !strings.Contains(domain, "."):
		c.atValue(key, "%s is not fully qualified (a name with at least one dot, like \"notebooks.example.edu\")", quote(domain))
	case !domainRE.MatchString(domain):
		c.atValue(key, "%s is not a domain name (%s; labels of a-z, 0-9 and inner \"-\", separated by dots)", quote(domain), badRune(domain, func(c rune) bool {
			return c == '.' || c == '-' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		}))
	}
}

// validateDomainKind refuses a domain that is an address or has a numeric last label, and tells
// whether it did not: a certificate authority issues certificates for names, and every top-level
// domain starts with a letter.
func validateDomainKind(c *checker, domain string) bool {
	const key = "domain"
	if addr, err := netip.ParseAddr(domain); err == nil {
		c.atValue(key, "%s is an IP address (hubgen needs the hub's domain name, like \"notebooks.example.edu\": certificates and server_name are for names)", quote(addr.String()))
		return false
	}
	if i := strings.LastIndexByte(domain, '.'); i >= 0 && domainRE.MatchString(domain[:i]+".x") {
		if last := domain[i+1:]; last != "" && !(last[0] >= 'a' && last[0] <= 'z') && domainLabelRE.MatchString(last) {
			c.atValue(key, "%s ends in the label %q, which does not start with a letter as every top-level domain does (a name like \"notebooks.example.edu\")", quote(domain), last)
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
