// Package accounts keeps the system accounts of a PAM site in step with its site file: it plans
// which accounts to create for new users and which of the accounts it made earlier to lock for
// users the site no longer lists, and applies the plan with the system's own tools. It never
// touches an account it did not make, and never a system account.
package accounts

import (
	"fmt"
	"sort"

	"github.com/hubgen/hubgen/schema"
)

// FirstUserUID is the lowest uid Debian gives people (login.defs UID_MIN): below it, and root,
// are system accounts that hubgen refuses to act on.
const FirstUserUID = 1000

// Account is what the plan needs to know of an existing account.
type Account struct {
	UID int
}

// Machine is the system's accounts. Local is this machine's; tests use a fake one.
type Machine interface {
	// Lookup returns the account called name; ok is false when there is none.
	Lookup(name string) (a Account, ok bool, err error)
	// Locked tells whether the account's password is locked. The plan asks only about the
	// accounts hubgen made: it is a program run per account.
	Locked(name string) (bool, error)
	// Create makes the account with a home copied from /etc/skel and no usable password.
	Create(name string) error
	// SetPasswords sets each account's password.
	SetPasswords(credentials []Credential) error
	// Lock locks the account's password and expires it, so neither a password nor a key logs in.
	Lock(name string) error
	// Unlock undoes Lock.
	Unlock(name string) error
}

// Credential is a new account's name and initial password.
type Credential struct {
	Name, Password string
}

// Refusal is a system account the site or hubgen's list names, which hubgen leaves alone.
type Refusal struct {
	Name string
	UID  int
}

// Plan is what Apply would change, and what it leaves alone.
type Plan struct {
	Create  []string  // in the site, with no account
	Lock    []string  // made by hubgen, no longer in the site, not locked yet
	Unlock  []string  // made by hubgen, locked when they left the site, back in it now
	Keep    []string  // in the site with an account hubgen did not make: PAM logs them in as they are
	Refused []Refusal // system accounts: never created, locked or unlocked
	Gone    []string  // in hubgen's list, but someone has deleted the account: dropped from the list
	// Managed is hubgen's list of the accounts it made, after the plan is applied.
	Managed []string
}

// Changes is how many accounts the plan changes.
func (p *Plan) Changes() int { return len(p.Create) + len(p.Lock) + len(p.Unlock) }

// Users are the site's people who need accounts: the admins and the allowed users (the roster's
// among them), each once.
func Users(site *schema.Site) []string {
	seen := map[string]bool{}
	var users []string
	for _, list := range [][]string{site.Users.AdminUsers, site.Users.AllowedUsers} {
		for _, name := range list {
			if !seen[name] {
				seen[name] = true
				users = append(users, name)
			}
		}
	}
	return users
}

// MakePlan compares the site's users and hubgen's list of the accounts it made (managed) with the
// machine's accounts.
func MakePlan(users, managed []string, m Machine) (*Plan, error) {
	p := &Plan{}
	inSite := map[string]bool{}
	for _, name := range users {
		inSite[name] = true
	}
	isManaged := map[string]bool{}
	for _, name := range managed {
		isManaged[name] = true
	}
	lookup := func(name string) (Account, bool, error) {
		a, ok, err := m.Lookup(name)
		if err != nil {
			return a, ok, fmt.Errorf("look up account %s: %w", name, err)
		}
		return a, ok, nil
	}
	system := func(name string, a Account) bool {
		if name == "root" || a.UID < FirstUserUID {
			p.Refused = append(p.Refused, Refusal{Name: name, UID: a.UID})
			return true
		}
		return false
	}

	for _, name := range users {
		a, ok, err := lookup(name)
		switch {
		case err != nil:
			return nil, err
		case !ok:
			p.Create = append(p.Create, name)
			p.Managed = append(p.Managed, name)
		case system(name, a):
		case !isManaged[name]:
			p.Keep = append(p.Keep, name)
		default:
			locked, err := m.Locked(name)
			if err != nil {
				return nil, err
			}
			if locked {
				p.Unlock = append(p.Unlock, name)
			}
			p.Managed = append(p.Managed, name)
		}
	}
	for _, name := range managed {
		if inSite[name] {
			continue
		}
		a, ok, err := lookup(name)
		switch {
		case err != nil:
			return nil, err
		case !ok:
			p.Gone = append(p.Gone, name)
		case system(name, a):
			// Not hubgen's to keep either: an account made since with a system uid.
		default:
			locked, err := m.Locked(name)
			if err != nil {
				return nil, err
			}
			if !locked {
				p.Lock = append(p.Lock, name)
			}
			p.Managed = append(p.Managed, name)
		}
	}
	sort.Strings(p.Managed)
	return p, nil
}
