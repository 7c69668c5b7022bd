package accounts

import (
	"fmt"
	"io"
)

// Step is one change Apply made, for the command to print; it never holds a password.
type Step struct {
	Action string // "created", "locked", "unlocked"
	Name   string
}

// Apply carries out the plan on the machine and writes "name,password" for each new account to
// passwords. The state file at statePath lists each account before it is created, so that an
// interrupted run still knows the accounts it made. It stops at the first failure, returning the
// steps done so far; the accounts it created by then get their passwords all the same.
func Apply(p *Plan, m Machine, statePath string, passwords io.Writer) ([]Step, error) {
	if len(p.Create) > 0 && passwords == nil {
		return nil, fmt.Errorf("%d accounts to create and nowhere to write their passwords", len(p.Create))
	}
	// The list first: an account created and not yet listed would never be locked by hubgen.
	listed := append(append([]string{}, p.Managed...), p.Gone...)
	if err := WriteState(statePath, listed); err != nil {
		return nil, err
	}
	steps, credentials, createErr := create(p.Create, m)
	// One chpasswd for all: hashing each password is most of the time a new account takes.
	if err := m.SetPasswords(credentials); err != nil {
		return steps, fmt.Errorf("set the new accounts' passwords (they exist, with no usable password): %w", err)
	}
	for _, c := range credentials {
		if _, err := fmt.Fprintf(passwords, "%s,%s\n", c.Name, c.Password); err != nil {
			return steps, fmt.Errorf("write the passwords: %w", err)
		}
	}
	if createErr != nil {
		return steps, createErr
	}
	for _, name := range p.Lock {
		if err := m.Lock(name); err != nil {
			return steps, err
		}
		steps = append(steps, Step{"locked", name})
	}
	for _, name := range p.Unlock {
		if err := m.Unlock(name); err != nil {
			return steps, err
		}
		steps = append(steps, Step{"unlocked", name})
	}
	return steps, WriteState(statePath, p.Managed)
}

// create makes the accounts, stopping at the first failure, and returns those it made with their
// new passwords.
func create(names []string, m Machine) ([]Step, []Credential, error) {
	var steps []Step
	var credentials []Credential
	for _, name := range names {
		password, err := NewPassword()
		if err != nil {
			return steps, credentials, fmt.Errorf("make a password: %w", err)
		}
		if err := m.Create(name); err != nil {
			return steps, credentials, err
		}
		credentials = append(credentials, Credential{Name: name, Password: password})
		steps = append(steps, Step{"created", name})
	}
	return steps, credentials, nil
}
