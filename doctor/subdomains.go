package doctor

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/schema"
)

// offWarning is what doctor says of a site that serves users' servers under the hub's own host.
const offWarning = "hub.user_subdomains is off: a student's server can act as whoever opens its links; see README Security"

// checkSubdomainCertificate: with user subdomains every user's server is at NAME.domain, so the
// certificate must cover *.domain as well as domain; without them the site gets a warning, since
// what a student's server sends runs in the hub's origin.
func checkSubdomainCertificate(site *schema.Site, sys System, f *facts) Result {
	r := Result{Name: "user subdomains"}
	if !site.Hub.UserSubdomains {
		r.Status = Warn
		r.Detail = offWarning
		r.Fix = note("set user_subdomains = true under [hub] in %s, with a DNS record and a certificate for *.%s (README: Security)", sys.Site, site.Domain)
		return r
	}
	if f.cert == nil {
		return skipNoCert(r)
	}
	wildcard := "*." + site.Domain
	var missing []string
	if f.cert.leaf.VerifyHostname(site.Domain) != nil {
		missing = append(missing, site.Domain)
	}
	// A name no one has: only a wildcard for the domain covers it.
	if f.cert.leaf.VerifyHostname("hubgen-check."+site.Domain) != nil {
		missing = append(missing, wildcard)
	}
	if len(missing) > 0 {
		names := f.cert.leaf.DNSNames
		if len(names) == 0 {
			names = []string{"no DNS names"}
		}
		return fail(r, fmt.Sprintf("the certificate names %s, and user subdomains need %s and %s (missing: %s)", strings.Join(names, ", "), site.Domain, wildcard, strings.Join(missing, ", ")), wildcardFix(site, sys))
	}
	r.Detail = fmt.Sprintf("the certificate covers %s and %s", site.Domain, wildcard)
	return r
}

// wildcardFix is how to get a certificate for the domain and its wildcard. Let's Encrypt issues a
// wildcard only through a DNS-01 challenge. The new certificate gets a lineage name of its own,
// guarded by test ! -e, so that the certificate in use is neither reissued nor replaced; the
// site file then points at it.
func wildcardFix(site *schema.Site, sys System) string {
	if letsEncryptName(site.TLS.Cert) == "" {
		return note("get a certificate for %s and *.%s from your CA (a wildcard needs a DNS challenge) and point tls.cert and tls.key in %s at it", site.Domain, site.Domain, sys.Site)
	}
	name := site.Domain + "-subdomains"
	lineage := shell.Quote(sys.path("/etc/letsencrypt/live/" + name))
	return "test ! -e " + lineage + " && certbot certonly --manual --preferred-challenges dns --cert-name " + shell.Quote(name) +
		" -d " + shell.Quote(site.Domain) + " -d " + shell.Quote("*."+site.Domain) +
		"  # or --dns-PLUGIN from Debian's python3-certbot-dns-* for your DNS provider instead of --manual (it renews alone); then point tls.cert and tls.key at " + lineage + "/"
}

// checkSubdomainDNS: a name nobody has under the domain must resolve, as each user's host does
// through a wildcard record. Only a warning: DNS inside a campus network may answer otherwise
// than where doctor runs.
func checkSubdomainDNS(site *schema.Site, sys System, _ *facts) Result {
	r := Result{Name: "user subdomains DNS"}
	if !site.Hub.UserSubdomains {
		return Result{}
	}
	if sys.LookupHost == nil {
		r.Status = Skip
		r.Detail = "no resolver to ask"
		return r
	}
	label := make([]byte, 6)
	_, _ = rand.Read(label)
	host := "hubgen-" + hex.EncodeToString(label) + "." + site.Domain
	addrs, err := sys.LookupHost(host)
	if err != nil || len(addrs) == 0 {
		r.Status = Warn
		r.Detail = fmt.Sprintf("%s does not resolve (%v): users' servers are at NAME.%s, which needs a wildcard DNS record *.%s (DNS inside a campus network may differ)", host, err, site.Domain, site.Domain)
		r.Fix = note("add the DNS record *.%s pointing where %s does (a CNAME to %s.)", site.Domain, site.Domain, site.Domain)
		return r
	}
	r.Detail = fmt.Sprintf("%s resolves to %s, as every user's host will", host, strings.Join(addrs, ", "))
	return r
}
