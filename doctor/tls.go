package doctor

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hubgen/hubgen/schema"
)

// expiryWarning is how long before a certificate expires doctor starts to warn: certbot renews
// 30 days ahead, so a certificate this close to its end means renewal has been failing.
const expiryWarning = 14 * 24 * time.Hour

// certificate is tls.cert, loaded.
type certificate struct {
	leaf  *x509.Certificate // the first in the file: nginx sends it as the server's
	chain int               // how many certificates the file holds
}

func checkCertificate(site *schema.Site, sys System, f *facts) Result {
	r := Result{Name: "certificate"}
	path := sys.path(site.TLS.Cert)
	data, err := os.ReadFile(path)
	if err != nil {
		return fail(r, fmt.Sprintf("tls.cert %s: %v", path, describeError(err)), certFix(site, sys))
	}
	var certs []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return fail(r, fmt.Sprintf("tls.cert %s: certificate %d does not parse: %v", path, len(certs)+1, err), certFix(site, sys))
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return fail(r, fmt.Sprintf("tls.cert %s: has no PEM CERTIFICATE block", path), certFix(site, sys))
	}
	f.cert = &certificate{leaf: certs[0], chain: len(certs)}
	r.Detail = fmt.Sprintf("tls.cert %s: %s, issued by %s, %d in the chain", path, certs[0].Subject, certs[0].Issuer, len(certs))
	return r
}

func checkKey(site *schema.Site, sys System, f *facts) Result {
	r := Result{Name: "private key"}
	path := sys.path(site.TLS.Key)
	data, err := os.ReadFile(path)
	if err != nil {
		return fail(r, fmt.Sprintf("tls.key %s: %v", path, describeError(err)), certFix(site, sys))
	}
	key, err := parsePrivateKey(data)
	if err != nil {
		return fail(r, fmt.Sprintf("tls.key %s: %v", path, err), certFix(site, sys))
	}
	if f.cert == nil {
		r.Status = Skip
		r.Detail = fmt.Sprintf("tls.key %s: parses; no certificate to match it with", path)
		return r
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(f.cert.leaf.PublicKey) {
		return fail(r, fmt.Sprintf("tls.key %s: does not belong to the certificate in tls.cert (nginx would refuse to start)", path), certFix(site, sys))
	}
	r.Detail = fmt.Sprintf("tls.key %s: parses and matches the certificate", path)
	return r
}

// parsePrivateKey reads the first private key of a PEM file in any of the encodings nginx takes.
// Its errors never hold key material.
func parsePrivateKey(data []byte) (crypto.Signer, error) {
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("has no PEM private key block")
		}
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("is encrypted with a passphrase (nginx would ask for it at every start)")
		default:
			continue // "EC PARAMETERS" comes first in `openssl ecparam -genkey` output
		}
		if err != nil {
			return nil, fmt.Errorf("%s block does not parse: %v", block.Type, err)
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("holds a %T, which is not a signing key", key)
		}
		return signer, nil
	}
}

// checkKeyMode: nginx's master process reads the key as root, so nobody else ever needs to.
func checkKeyMode(site *schema.Site, sys System, _ *facts) Result {
	r := Result{Name: "private key mode"}
	path := sys.path(site.TLS.Key)
	info, err := os.Stat(path)
	if err != nil {
		r.Status = Skip
		r.Detail = fmt.Sprintf("tls.key %s: %v", path, describeError(err))
		return r
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return fail(r, fmt.Sprintf("tls.key %s: mode %#o lets group or others read the private key", path, perm), "chmod 600 "+shellQuote(path))
	}
	r.Detail = fmt.Sprintf("tls.key %s: mode %#o", path, info.Mode().Perm())
	return r
}

func checkCertificateDomain(site *schema.Site, sys System, f *facts) Result {
	r := Result{Name: "certificate domain"}
	if f.cert == nil {
		return skipNoCert(r)
	}
	if err := f.cert.leaf.VerifyHostname(site.Domain); err != nil {
		names := f.cert.leaf.DNSNames
		if len(names) == 0 {
			names = []string{"no DNS names"}
		}
		return fail(r, fmt.Sprintf("the certificate does not cover domain %s (it names %s)", site.Domain, strings.Join(names, ", ")), renewFix(site, sys, true))
	}
	r.Detail = fmt.Sprintf("the certificate covers %s", site.Domain)
	return r
}

func checkCertificateExpiry(site *schema.Site, sys System, f *facts) Result {
	r := Result{Name: "certificate expiry"}
	if f.cert == nil {
		return skipNoCert(r)
	}
	now := sys.Now()
	leaf := f.cert.leaf
	left := leaf.NotAfter.Sub(now)
	days := int(left.Hours() / 24)
	end := leaf.NotAfter.UTC().Format("2006-01-02 15:04 MST")
	switch {
	case now.Before(leaf.NotBefore):
		return fail(r, fmt.Sprintf("the certificate is not valid before %s (is the clock right?)", leaf.NotBefore.UTC().Format("2006-01-02 15:04 MST")), "timedatectl set-ntp true")
	case left <= 0:
		return fail(r, fmt.Sprintf("the certificate expired on %s", end), renewFix(site, sys, false))
	case left < expiryWarning:
		r.Status = Warn
		r.Detail = fmt.Sprintf("the certificate expires on %s, in %d days (renewal should have happened by now)", end, days)
		r.Fix = renewFix(site, sys, false)
		return r
	}
	r.Detail = fmt.Sprintf("the certificate expires on %s, in %d days", end, days)
	return r
}

func skipNoCert(r Result) Result {
	r.Status = Skip
	r.Detail = "no certificate loaded (see the certificate check)"
	return r
}

// letsEncryptName is the certbot certificate name of a path under /etc/letsencrypt/live/NAME/,
// or "" for a certificate from elsewhere.
func letsEncryptName(path string) string {
	rest, ok := strings.CutPrefix(path, "/etc/letsencrypt/live/")
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, "/")
	if !ok {
		return ""
	}
	return name
}

// certFix is how to get a certificate and key where the site expects them. With no certificate
// yet nginx cannot start, so certbot answers the challenge itself (--standalone). A certificate
// from elsewhere cannot be fetched by a command; a self-signed one can stand in on a test server.
func certFix(site *schema.Site, sys System) string {
	if name := letsEncryptName(site.TLS.Cert); name != "" {
		return "certbot certonly --standalone -d " + shellQuote(site.Domain) + " --cert-name " + shellQuote(name)
	}
	return selfSignedFix(site, sys)
}

// renewFix is how to replace a certificate that loads but is wrong (wrongDomain) or old; nginx is
// running, so certbot uses the site's ACME webroot.
func renewFix(site *schema.Site, sys System, wrongDomain bool) string {
	name := letsEncryptName(site.TLS.Cert)
	switch {
	case name == "":
		return selfSignedFix(site, sys)
	case wrongDomain:
		return "certbot certonly --webroot -w " + shellQuote(site.Nginx.ACMEWebroot) + " -d " + shellQuote(site.Domain) + " --cert-name " + shellQuote(name)
	}
	return "certbot renew --cert-name " + shellQuote(name)
}

func selfSignedFix(site *schema.Site, sys System) string {
	cert, key := sys.path(site.TLS.Cert), sys.path(site.TLS.Key)
	// openssl makes no directories.
	mkdir := ""
	for _, dir := range []string{filepath.Dir(cert), filepath.Dir(key)} {
		if _, err := os.Stat(dir); err != nil && !strings.Contains(mkdir, " "+shellQuote(dir)+" ") {
			mkdir += "mkdir -p " + shellQuote(dir) + " && "
		}
	}
	return fmt.Sprintf("%sopenssl req -x509 -newkey rsa:2048 -nodes -days 90 -subj /CN=%s -addext subjectAltName=DNS:%s -keyout %s -out %s && chmod 600 %s  # self-signed: for a test server, else your CA's",
		mkdir, shellQuote(site.Domain), shellQuote(site.Domain), shellQuote(key), shellQuote(cert), shellQuote(key))
}

func fail(r Result, detail, fix string) Result {
	r.Status = Fail
	r.Detail = detail
	r.Fix = fix
	return r
}

// describeError is err's cause without the path, which the message already names.
func describeError(err error) string {
	var perr *fs.PathError
	if errors.As(err, &perr) {
		if errors.Is(err, fs.ErrNotExist) {
			return "does not exist"
		}
		return perr.Err.Error()
	}
	return err.Error()
}
