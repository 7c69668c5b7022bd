package schema

import (
	"fmt"
	"net/netip"
)

// validateTLS checks [tls] beyond its paths.
func validateTLS(c *checker) {
	s, set := c.site, c.set
	if set("tls.profile") && s.TLS.Profile != ProfileIntermediate && s.TLS.Profile != ProfileModern {
		c.atValue("tls.profile", "%q is not a profile (use %q or %q)", s.TLS.Profile, ProfileIntermediate, ProfileModern)
	}
	if set("tls.resolvers") {
		validateResolvers(c, s.TLS.Resolvers)
		validateResolverDuplicates(c, s.TLS.Resolvers)
	}
}

func validateResolvers(c *checker, resolvers []string) {
	if len(resolvers) == 0 {
		// nginx refuses a resolver directive without an address.
		c.atValue("tls.resolvers", "is empty (at least one address, like [\"127.0.0.53\"])")
		return
	}
	for i, a := range resolvers {
		if addr, err := netip.ParseAddr(a); err != nil || addr.Zone() != "" {
			c.atValue(fmt.Sprintf("tls.resolvers[%d]", i), "%s is not an IP address (nginx needs the resolver's address, like \"127.0.0.53\" or \"9.9.9.9\")", quote(a))
		}
	}
}

// validateResolverDuplicates refuses an address listed twice, which nginx would ask twice.
func validateResolverDuplicates(c *checker, resolvers []string) {
	first := map[netip.Addr]int{}
	for i, a := range resolvers {
		addr, err := netip.ParseAddr(a)
		if err != nil || addr.Zone() != "" {
			continue
		}
		if j, dup := first[addr]; dup {
			c.atValue(fmt.Sprintf("tls.resolvers[%d]", i), "%s is listed twice (remove this one; it is tls.resolvers[%d])", quote(a), j)
			continue
		}
		first[addr] = i
	}
}
