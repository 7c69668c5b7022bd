package accounts

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hubgen/hubgen/internal/lazyregexp"
	"github.com/hubgen/hubgen/schema"
)

// StateFile is where hubgen keeps the list of accounts it made, so that it locks only those.
func StateFile(site *schema.Site) string {
	return filepath.Join(site.Hub.StateDir, "hubgen_accounts")
}

const stateHeader = "# Accounts `hubgen accounts --apply` made for this hub, one a line. hubgen locks only these.\n"

// ReadState returns the names in the state file; a missing file is an empty list.
func ReadState(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the list of accounts hubgen made: %w", err)
	}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// The file is hubgen's, 0600 in the state directory: a name that is not one means it
		// was edited, and acting on it could touch someone else's account.
		if !validUsername(line) {
			return nil, fmt.Errorf("%s:%d: %q is not a username (the file lists the accounts hubgen made; fix or remove the line)", path, n, line)
		}
		names = append(names, line)
	}
	return names, sc.Err()
}

// usernameRE is the site file's rule for usernames: the state file holds only names from sites.
var usernameRE = lazyregexp.New(schema.UsernamePattern)

func validUsername(name string) bool { return usernameRE.MatchString(name) }

// WriteState replaces the state file with names, 0600, through a temporary file and a rename, so
// that a crash leaves the old list or the new one.
func WriteState(path string, names []string) error {
	var b strings.Builder
	b.WriteString(stateHeader)
	for _, name := range names {
		b.WriteString(name + "\n")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write the list of accounts hubgen made: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".hubgen_accounts-*")
	if err != nil {
		return fmt.Errorf("write the list of accounts hubgen made: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
