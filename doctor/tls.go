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
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hubgen/hubgen/internal/shell"
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
		return fail(r, fmt.Sprintf("tls.cert %s: %v", path, describeError(err)), unreadableFix(err, site, sys, "tls.key"))
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
			return fail(r, fmt.Sprintf("tls.cert %s: certificate %d does not parse: %v", path, len(certs)+1, err), replaceFix(site, "tls.cert"))
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		if _, err := parsePrivateKey(data); err == nil {
			return fail(r, fmt.Sprintf("tls.cert %s: holds a private key, not a certificate (are tls.cert and tls.key swapped in %s?)", path, sys.Site), swapFix(site, sys))
		}
		return fail(r, fmt.Sprintf("tls.cert %s: has no PEM CERTIFICATE block", path), replaceFix(site, "tls.cert"))
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
		return fail(r, fmt.Sprintf("tls.key %s: %v", path, describeError(err)), unreadableFix(err, site, sys, "tls.cert"))
	}
	key, err := parsePrivateKey(data)
	if err != nil {
		if holdsCertificate(data) {
			return fail(r, fmt.Sprintf("tls.key %s: holds a certificate, not a private key (are tls.cert and tls.key swapped in %s?)", path, sys.Site), swapFix(site, sys))
		}
		return fail(r, fmt.Sprintf("tls.key %s: %v", path, err), replaceFix(site, "tls.key"))
	}
	if f.cert == nil {
		r.Status = Skip
		r.Detail = fmt.Sprintf("tls.key %s: parses; no certificate to match it with", path)
		return r
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(f.cert.leaf.PublicKey) {
		return fail(r, fmt.Sprintf("tls.key %s: does not belong to the certificate in tls.cert (nginx would refuse to start; the two come from different certificates)", path), mismatchFix(site, sys))
	}
	r.Detail = fmt.Sprintf("tls.key %s: parses and matches the certificate", path)
	return r
}

// holdsCertificate tells whether data has a PEM CERTIFICATE block.
func holdsCertificate(data []byte) bool {
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return false
		}
		if block.Type == "CERTIFICATE" {
			return true
		}
	}
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
		return fail(r, fmt.Sprintf("tls.key %s: mode %#o lets group or others read the private key", path, perm), "chmod 600 "+shell.Quote(path))
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
		return fail(r, fmt.Sprintf("the certificate does not cover domain %s (it names %s)", site.Domain, strings.Join(names, ", ")), wrongDomainFix(site, sys))
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
		return fail(r, fmt.Sprintf("the certificate expired on %s", end), renewFix(site))
	case left < expiryWarning:
		r.Status = Warn
		r.Detail = fmt.Sprintf("the certificate expires on %s, in %d days (renewal should have happened by now)", end, days)
		r.Fix = renewFix(site)
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

// The fixes below follow one rule: a fix line never overwrites, regenerates or reissues a file
// that exists. A certificate and key that exist are someone's working pair (or a path in the site
// file that is wrong), and `openssl req -keyout` or a certbot reissue would destroy or replace
// them. Where only a person can decide, the fix is a shell comment: safe to paste, and it says
// what to do.

// note is a fix that only a person can carry out, written as a shell comment so that pasting it
// does nothing.
func note(format string, args ...any) string {
	// A line break (say in the site file's name) would end the comment and run the rest.
	return "# " + strings.Map(func(c rune) rune {
		if unicode.IsControl(c) {
			return '?'
		}
		return c
	}, fmt.Sprintf(format, args...))
}

// exists tells whether anything, even a dangling symlink, may be at path: what doctor cannot see
// (a directory only root may search) counts as there, so no fix is offered that would replace it.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// asRoot is the fix for a file doctor may not read: nothing is wrong with the file, doctor only
// needs root's eyes (nginx reads the key as root, and it should be 0600).
func (sys System) asRoot() string {
	if os.Geteuid() == 0 {
		return note("root may not read it either: look at the file system's own rules (NFS root_squash, SELinux, AppArmor)")
	}
	return "sudo " + sys.hubgen("doctor")
}

// unreadableFix is the fix for tls.cert or tls.key that could not be read; other is the key of
// the other half of the pair.
func unreadableFix(err error, site *schema.Site, sys System, other string) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return sys.asRoot()
	case errors.Is(err, fs.ErrNotExist):
		return newCertFix(site, sys, other)
	}
	return ""
}

// newCertFix is how to get a certificate and key where the site expects them, when one is
// missing. If the other exists, the site file most likely names the wrong path, and a new pair
// would overwrite the file that is there. A certificate from elsewhere cannot be fetched by a
// command, and a self-signed one can stand in on a test server.
func newCertFix(site *schema.Site, sys System, other string) string {
	cert, key := sys.path(site.TLS.Cert), sys.path(site.TLS.Key)
	if exists(cert) || exists(key) {
		return note("%s exists: correct the missing path in %s (for Let's Encrypt, fullchain.pem and privkey.pem of one live/ directory)", other, sys.Site)
	}
	if name := letsEncryptName(site.TLS.Cert); name != "" {
		if exists(sys.path("/etc/letsencrypt/live/" + name)) {
			// The lineage exists: the files may only be named differently. Listing is safe.
			return "certbot certificates  # lists what certbot has; point tls.cert and tls.key at one of them"
		}
		return firstCertificateFix(site, sys, name)
	}
	return selfSignedFix(site, sys)
}

// firstCertificateFix gets the first Let's Encrypt certificate through the rendered nginx, as
// README's Certificates section does step by step, so that renewal goes the same way with nginx
// running: nginx cannot start without a certificate, so a stand-in pair goes where the site
// expects one; nginx starts and serves nginx.acme_webroot on the http port; certbot makes
// live/NAME itself and refuses one that exists, so the stand-in is moved aside (nginx keeps the
// pair it loaded) and removed once certbot's deploy hook has reloaded nginx with the real one.
// The leading test keeps the line from touching a lineage that appeared meanwhile; mv -T fails
// rather than move into a stand-in left by an earlier try.
func firstCertificateFix(site *schema.Site, sys System, name string) string {
	live := shell.Quote(sys.path("/etc/letsencrypt/live/" + name))
	standIn := shell.Quote(sys.path("/etc/letsencrypt/live/" + name + ".stand-in"))
	cert, key := shell.Quote(sys.path(site.TLS.Cert)), shell.Quote(sys.path(site.TLS.Key))
	// OCSP stapling names chain.pem; nginx -t wants it to exist, and a copy of the stand-in does.
	chain := ""
	if tc := site.TLS.TrustedCertificate; tc != "" && letsEncryptName(tc) == name {
		chain = " && cp " + cert + " " + shell.Quote(sys.path(tc))
	}
	// certbot --webroot refuses a webroot that does not exist.
	return "test ! -e " + live + " && mkdir -p " + shell.Quote(sys.path(site.Nginx.ACMEWebroot)) + " && mkdir -p -m 700 " + live +
		" && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=stand-in -keyout " + key + " -out " + cert + chain +
		" && nginx -t && systemctl reload-or-restart nginx && mv -T " + live + " " + standIn +
		" && certbot certonly --webroot -w " + shell.Quote(sys.path(site.Nginx.ACMEWebroot)) + " -d " + shell.Quote(site.Domain) +
		" --cert-name " + shell.Quote(name) + certbotDirFlag(sys, "/etc/letsencrypt") + " --deploy-hook " + shell.Quote(reloadNginx) +
		" && rm -r " + standIn + "  # the first certificate, through nginx: README, Certificates"
}

// replaceFix is the fix for tls.cert or tls.key that exists but is not what it should be: it is
// someone's file, so only a person can replace it.
func replaceFix(site *schema.Site, key string) string {
	if letsEncryptName(site.TLS.Cert) != "" {
		return note("%s is not what certbot writes: check it with certbot certificates, and correct %s in the site file", key, key)
	}
	return note("put the PEM file from your CA at %s, or correct %s in the site file", key, key)
}

// swapFix is the fix for tls.cert and tls.key given the other way round: the files are fine, the
// site file is not.
func swapFix(site *schema.Site, sys System) string {
	return note("in %s, swap them: cert = %s, key = %s", sys.Site, strconv.Quote(site.TLS.Key), strconv.Quote(site.TLS.Cert))
}

// mismatchFix is the fix for a key that belongs to another certificate: the site file names two
// files that are not a pair. certbot keeps each pair in one live/ directory.
func mismatchFix(site *schema.Site, sys System) string {
	if letsEncryptName(site.TLS.Cert) != "" && filepath.Dir(site.TLS.Key) != filepath.Dir(site.TLS.Cert) {
		return note("in %s, take the key from the certificate's directory: key = %s", sys.Site, strconv.Quote(filepath.Join(filepath.Dir(site.TLS.Cert), "privkey.pem")))
	}
	return note("in %s, point tls.key at the key this certificate was made with (or tls.cert at the key's certificate)", sys.Site)
}

// wrongDomainFix is the fix for a certificate that loads but does not cover the domain: either
// the site file names another certificate than the hub's, or the domain is mistyped. A reissue
// would replace a certificate that may serve another site.
func wrongDomainFix(site *schema.Site, sys System) string {
	if letsEncryptName(site.TLS.Cert) != "" {
		return "certbot certificates  # find the one for " + shell.Quote(site.Domain) + " and point tls.cert and tls.key at it, or correct domain in " + shell.Quote(sys.Site)
	}
	return note("point tls.cert and tls.key at a certificate for %s, or correct domain in %s", site.Domain, sys.Site)
}

// renewFix is how to renew a certificate that is old. certbot renew keeps the key's lineage and
// its old files in the archive, and renews only when renewal is due.
func renewFix(site *schema.Site) string {
	if name := letsEncryptName(site.TLS.Cert); name != "" {
		return "certbot renew --cert-name " + shell.Quote(name)
	}
	return note("renew the certificate with your CA and put it at tls.cert")
}

// selfSignedFix makes a self-signed pair where neither file exists. The test guards keep the line
// safe to paste later, when one may have appeared meanwhile.
func selfSignedFix(site *schema.Site, sys System) string {
	cert, key := sys.path(site.TLS.Cert), sys.path(site.TLS.Key)
	// openssl makes no directories.
	mkdir := ""
	for _, dir := range []string{filepath.Dir(cert), filepath.Dir(key)} {
		if _, err := os.Stat(dir); err != nil && !strings.Contains(mkdir, " "+shell.Quote(dir)+" ") {
			mkdir += "mkdir -p " + shell.Quote(dir) + " && "
		}
	}
	// With user subdomains every user's host needs the wildcard too.
	names := "DNS:" + site.Domain
	if site.Hub.UserSubdomains {
		names += ",DNS:*." + site.Domain
	}
	return fmt.Sprintf("test ! -e %s && test ! -e %s && %sopenssl req -x509 -newkey rsa:2048 -nodes -days 90 -subj /CN=%s -addext %s -keyout %s -out %s && chmod 600 %s  # self-signed: for a test server, else your CA's",
		shell.Quote(cert), shell.Quote(key), mkdir, shell.Quote(site.Domain), shell.Quote("subjectAltName="+names), shell.Quote(key), shell.Quote(cert), shell.Quote(key))
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
