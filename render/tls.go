package render

import (
	"net/netip"

	"github.com/hubgen/hubgen/schema"
)

// directive is one nginx directive whose arguments are hubgen's own constants.
type directive struct {
	Name string
	Args []string
}

// mozillaGuideline names the version of Mozilla's server-side TLS recommendations the profiles
// below copy, so a reviewer can compare them with ssl-config.mozilla.org.
const mozillaGuideline = "Mozilla server-side TLS guideline 5.7"

// tlsDirectives returns the directives of Mozilla's profile for nginx with OpenSSL 1.1.1 or
// later, exactly as the guideline writes them.
func tlsDirectives(profile string) []directive {
	common := []directive{
		{"ssl_session_timeout", []string{"1d"}},
		{"ssl_session_cache", []string{"shared:MozSSL:10m"}},
		// Tickets are off so that forward secrecy does not depend on nginx restarts.
		{"ssl_session_tickets", []string{"off"}},
	}
	if profile == schema.ProfileModern {
		return append(common,
			directive{"ssl_protocols", []string{"TLSv1.3"}},
			directive{"ssl_ecdh_curve", []string{"X25519:prime256v1:secp384r1"}},
			directive{"ssl_prefer_server_ciphers", []string{"off"}},
		)
	}
	return append(common,
		directive{"ssl_protocols", []string{"TLSv1.2", "TLSv1.3"}},
		directive{"ssl_ecdh_curve", []string{"X25519:prime256v1:secp384r1"}},
		directive{"ssl_ciphers", []string{"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" +
			"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" +
			"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" +
			"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"}},
		directive{"ssl_prefer_server_ciphers", []string{"off"}},
	)
}

// hstsValue is Mozilla's recommended HSTS policy: two years.
const hstsValue = "max-age=63072000"

// resolverArgs writes resolver addresses as nginx wants them: IPv6 in brackets.
func resolverArgs(addrs []string) []string {
	args := make([]string, 0, len(addrs))
	for _, a := range addrs {
		if ip, err := netip.ParseAddr(a); err == nil && ip.Is6() {
			a = "[" + a + "]"
		}
		args = append(args, a)
	}
	return args
}
