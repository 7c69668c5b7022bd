// Package secrets creates and checks the files that hold a hub's secrets: the cookie secret, the
// proxy's auth token and the DH parameters. It never overwrites one, never widens one's mode, and
// never puts a secret's value in a message.
package secrets

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hubgen/hubgen/internal/fsync"
	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/schema"
)

// Kind is what a secret file holds.
type Kind int

const (
	// Token is 32 random bytes as 64 hex digits and a newline: JupyterHub reads the cookie secret
	// file as hex, and the proxy token is sent as the file's text.
	Token Kind = iota
	// DHParams is a PEM "DH PARAMETERS" block for nginx's ssl_dhparam.
	DHParams
)

// tokenBytes is the size of a new cookie secret or proxy token: JupyterHub's own cookie secret is
// 32 bytes, and more adds nothing to an HMAC-SHA256 key.
const tokenBytes = 32

// Mode is the mode of a secret file. JupyterHub refuses a cookie secret that group or others can
// read, and nothing but the root-run hub and nginx needs any of them.
const Mode fs.FileMode = 0o600

// dirMode is the mode of a directory made to hold secret files.
const dirMode fs.FileMode = 0o700

// File is one secret file a site names.
type File struct {
	Key  string // the site key that names it, "hub.cookie_secret_file"
	Path string // as the site gives it, absolute
	Kind Kind
}

// Files returns the secret files of site: the cookie secret and the proxy token always, the DH
// parameters when tls.dhparam is set.
func Files(site *schema.Site) []File {
	files := []File{
		{Key: "hub.cookie_secret_file", Path: site.Hub.CookieSecretFile, Kind: Token},
		{Key: "hub.proxy_auth_token_file", Path: site.Hub.ProxyAuthTokenFile, Kind: Token},
	}
	if site.TLS.DHParam != "" {
		files = append(files, File{Key: "tls.dhparam", Path: site.TLS.DHParam, Kind: DHParams})
	}
	return files
}

// Reason is why an existing or expected secret file is not usable.
type Reason int

const (
	Missing    Reason = iota + 1 // no file
	Unreadable                   // it exists but cannot be inspected or read
	WrongMode                    // group or others have some access
	Malformed                    // not a regular file, or the contents are not of its kind
)

// Error is a problem with one secret file. Its message names the file and never its contents.
type Error struct {
	Path   string
	Reason Reason
	Msg    string
	Err    error // the cause, for Unreadable: a permission error means "run as root"
}

func (e *Error) Error() string { return e.Path + ": " + e.Msg }

func (e *Error) Unwrap() error { return e.Err }

// Check inspects the secret file at path (on disk, any root already joined) and returns a short
// description of a good file, such as "64 hex digits, mode 0600", or an *Error.
func Check(path string, kind Kind) (string, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, lerr := os.Lstat(path); lerr == nil {
			return "", &Error{Path: path, Reason: Malformed, Msg: "is a symlink to a file that does not exist"}
		}
		return "", &Error{Path: path, Reason: Missing, Msg: "does not exist"}
	}
	if err != nil {
		return "", &Error{Path: path, Reason: Unreadable, Msg: fmt.Sprintf("cannot inspect it: %v", errors.Unwrap(err)), Err: err}
	}
	if !info.Mode().IsRegular() {
		return "", &Error{Path: path, Reason: Malformed, Msg: "is not a regular file"}
	}
	if perm := info.Mode().Perm(); perm&forbidden(kind) != 0 {
		if kind == DHParams {
			return "", &Error{Path: path, Reason: WrongMode, Msg: fmt.Sprintf("has mode %#o, which lets group or others change it (want %#o, or 0644: DH parameters are public)", perm, Mode)}
		}
		return "", &Error{Path: path, Reason: WrongMode, Msg: fmt.Sprintf("has mode %#o, which lets group or others at it (want %#o)", perm, Mode)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", &Error{Path: path, Reason: Unreadable, Msg: fmt.Sprintf("cannot read it: %v", errors.Unwrap(err)), Err: err}
	}
	mode := fmt.Sprintf("mode %#o", info.Mode().Perm())
	switch kind {
	case DHParams:
		desc, err := parseDHParams(data)
		if err != nil {
			return "", &Error{Path: path, Reason: Malformed, Msg: err.Error()}
		}
		return desc + ", " + mode, nil
	default:
		if msg := checkToken(data); msg != "" {
			return "", &Error{Path: path, Reason: Malformed, Msg: msg}
		}
		return fmt.Sprintf("%d hex digits, %s", 2*tokenBytes, mode), nil
	}
}

// forbidden are the mode bits a secret file of kind must not have. DH parameters are public (every
// TLS client sees them), so reading is fine; only writing would let someone swap in a weak group.
func forbidden(kind Kind) fs.FileMode {
	if kind == DHParams {
		return 0o022
	}
	return 0o077
}

// checkToken says what is wrong with a token file's contents, without quoting any of them.
func checkToken(data []byte) string {
	text := strings.TrimSpace(string(data))
	if text == "" {
		return "is empty (want 64 hex digits)"
	}
	for _, c := range text {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return fmt.Sprintf("is not hex: it has a character other than 0-9 and a-f (want %d hex digits)", 2*tokenBytes)
		}
	}
	if len(text) != 2*tokenBytes {
		return fmt.Sprintf("has %d hex digits (want %d, %d random bytes)", len(text), 2*tokenBytes, tokenBytes)
	}
	return ""
}

// Result is what Ensure did with one file.
type Result struct {
	File
	Path    string // on disk: the root joined with File.Path
	Created bool
	Detail  string // for a good existing or new file, what Check says of it
	Err     error  // an *Error when the file exists but is not usable; nil otherwise
}

// Ensure creates every secret file of site that does not exist under root ("" or "/" for the
// real paths), and checks the ones that do. An existing file is never changed, even one with a
// wrong mode or contents: replacing a cookie secret logs every user out, and a file someone made
// by hand deserves a look. The error is for a file that could not be inspected or created;
// problems with existing files are in the results.
func Ensure(root string, site *schema.Site) ([]Result, error) {
	var results []Result
	for _, f := range Files(site) {
		r := Result{File: f, Path: filepath.Join(root, f.Path)}
		_, err := os.Lstat(r.Path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			err := create(r.Path, f.Kind)
			switch {
			case errors.Is(err, fs.ErrExist):
				// Made meanwhile by someone else: theirs to keep, and to check like any other.
			case err != nil:
				return results, fmt.Errorf("create %s (%s): %w", r.Path, f.Key, err)
			default:
				r.Created = true
			}
			r.Detail, r.Err = Check(r.Path, f.Kind)
		case err != nil:
			return results, fmt.Errorf("inspect %s (%s): %w", r.Path, f.Key, err)
		default:
			r.Detail, r.Err = Check(r.Path, f.Kind)
		}
		results = append(results, r)
	}
	return results, nil
}

// create writes a new secret file at path, making its directory 0700 (and missing parents 0755). The contents go
// to a temporary file first, and a hard link puts it in place: a link never replaces an existing
// file, so a file made meanwhile by someone else is kept, and no half-written secret is ever at
// path.
func create(path string, kind Kind) error {
	var data []byte
	switch kind {
	case DHParams:
		data = FFDHE2048()
	default:
		b := make([]byte, tokenBytes)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		data = []byte(hex.EncodeToString(b) + "\n")
	}
	dir := filepath.Dir(path)
	if err := mkdirAll(dir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".hubgen-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// CreateTemp's 0600 is filtered by the umask; set it exactly, before any secret is written.
	if err := tmp.Chmod(Mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return err
	}
	return fsync.Dir(dir)
}

// parentMode is the mode of a missing parent of a secret's directory: such parents are ordinary
// directories (an image's /etc or /srv), which other programs and users must still be able to
// enter.
const parentMode fs.FileMode = 0o755

// mkdirAll makes dir with mode 0700 and its missing parents with mode 0755, exactly: only the
// hub reads secrets, but a parent such as /etc is everyone's. Existing directories are left as
// they are.
func mkdirAll(dir string) error {
	return mkdirMode(dir, dirMode)
}

func mkdirMode(dir string, mode fs.FileMode) error {
	info, err := os.Stat(dir)
	if err == nil {
		if !info.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirMode(parent, parentMode); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, mode); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // made meanwhile by someone else: theirs to keep as it is
		}
		return err
	}
	// Mkdir's mode is filtered by the umask; set it exactly.
	return os.Chmod(dir, mode)
}

// ClientSecretNote says what becomes of auth.client_secret_file, which secrets does not make: the
// identity provider issues the client secret, and only the administrator can paste it. The file's
// contents are never read here, let alone printed.
func ClientSecretNote(site *schema.Site, root string) string {
	path := site.Auth.ClientSecretFile
	if root != "" {
		path = filepath.Join(root, path)
	}
	quoted := shell.Quote(path)
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("todo    %s (auth.client_secret_file): not made by hubgen, since your provider issues the client secret for client_id %s; create it empty and paste the secret into it: (umask 077 && touch %s) && editor %s",
			path, shell.Quote(site.Auth.ClientID), quoted, quoted)
	case err != nil:
		return fmt.Sprintf("todo    %s (auth.client_secret_file): %v; the hub reads the client secret from it at start", path, errors.Unwrap(err))
	case info.Mode().Perm()&0o077 != 0:
		return fmt.Sprintf("todo    %s (auth.client_secret_file): mode %#o lets others read the client secret, and the hub refuses it: chmod 600 %s", path, info.Mode().Perm(), quoted)
	}
	return fmt.Sprintf("kept    %s (auth.client_secret_file): exists, mode %#o; hubgen never makes or changes it (hubgen doctor checks it is not empty)", path, info.Mode().Perm())
}
