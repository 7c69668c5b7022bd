package accounts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeMachine is a machine's accounts in memory, recording each change.
type fakeMachine struct {
	accounts  map[string]*fakeAccount
	passwords map[string]string
	changes   []string
	asked     []string // whose lock state was asked: a program run per account
	failOn    string   // Create fails for this name
}

type fakeAccount struct {
	UID    int
	Locked bool
}

func newFakeMachine() *fakeMachine {
	return &fakeMachine{accounts: map[string]*fakeAccount{}, passwords: map[string]string{}}
}

func (m *fakeMachine) add(name string, uid int, locked bool) {
	m.accounts[name] = &fakeAccount{UID: uid, Locked: locked}
}

func (m *fakeMachine) Lookup(name string) (Account, bool, error) {
	a, ok := m.accounts[name]
	if !ok {
		return Account{}, false, nil
	}
	return Account{UID: a.UID}, true, nil
}

func (m *fakeMachine) Locked(name string) (bool, error) {
	m.asked = append(m.asked, name)
	return m.accounts[name].Locked, nil
}

func (m *fakeMachine) Create(name string) error {
	if name == m.failOn {
		return errors.New("useradd: cannot lock /etc/passwd")
	}
	if _, ok := m.accounts[name]; ok {
		return fmt.Errorf("useradd: user %s exists", name)
	}
	m.changes = append(m.changes, "create "+name)
	// useradd without a password: passwd -S says L.
	m.add(name, 1000+len(m.accounts), true)
	return nil
}

func (m *fakeMachine) SetPasswords(cs []Credential) error {
	for _, c := range cs {
		m.changes = append(m.changes, "password "+c.Name)
		m.passwords[c.Name] = c.Password
		m.accounts[c.Name].Locked = false
	}
	return nil
}

func (m *fakeMachine) Lock(name string) error {
	m.changes = append(m.changes, "lock "+name)
	m.accounts[name].Locked = true
	return nil
}

func (m *fakeMachine) Unlock(name string) error {
	m.changes = append(m.changes, "unlock "+name)
	m.accounts[name].Locked = false
	return nil
}

// TestPlan covers each kind of account in one site: what to create, lock, unlock, keep, refuse
// and drop, and hubgen's list afterwards.
func TestPlan(t *testing.T) {
	m := newFakeMachine()
	m.add("prof", 1000, false)  // the instructor's own account
	m.add("sam", 1001, false)   // hubgen made it, still in the site
	m.add("lee", 1002, true)    // hubgen locked it, back in the site
	m.add("old", 1003, false)   // hubgen made it, gone from the site
	m.add("gone2", 1004, true)  // hubgen locked it earlier, still gone
	m.add("daemon", 1, false)   // a system account the site names
	m.add("olduid", 500, false) // in hubgen's list, now a system uid
	m.add("root", 0, false)
	users := []string{"prof", "kendra", "sam", "lee", "daemon", "root"}
	managed := []string{"sam", "lee", "old", "gone2", "deleted", "olduid"}

	p, err := MakePlan(users, managed, m)
	if err != nil {
		t.Fatal(err)
	}
	want := &Plan{
		Create:  []string{"kendra"},
		Lock:    []string{"old"},
		Unlock:  []string{"lee"},
		Keep:    []string{"prof"},
		Refused: []Refusal{{"daemon", 1}, {"root", 0}, {"olduid", 500}},
		Gone:    []string{"deleted"},
		Managed: []string{"gone2", "kendra", "lee", "old", "sam"},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"sam", "lee", "old", "gone2"}, m.asked); diff != "" {
		t.Errorf("asked for the lock state of (-want +got), want only hubgen's accounts:\n%s", diff)
	}
}

// TestApply: the plan is carried out, the new passwords written and set, the list kept; applied
// again, nothing changes.
func TestApply(t *testing.T) {
	m := newFakeMachine()
	m.add("prof", 1000, false)
	m.add("old", 1003, false)
	state := filepath.Join(t.TempDir(), "state", "hubgen_accounts")
	if err := WriteState(state, []string{"old"}); err != nil {
		t.Fatal(err)
	}
	users := []string{"prof", "kendra", "sam"}
	p, err := MakePlan(users, []string{"old"}, m)
	if err != nil {
		t.Fatal(err)
	}
	var passwords strings.Builder
	steps, err := Apply(p, m, state, &passwords)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Step{{"created", "kendra"}, {"created", "sam"}, {"locked", "old"}}, steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"create kendra", "create sam", "password kendra", "password sam", "lock old"}, m.changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if want := "kendra," + m.passwords["kendra"] + "\nsam," + m.passwords["sam"] + "\n"; passwords.String() != want || len(m.passwords["sam"]) != passwordLength {
		t.Errorf("passwords file %q, want the passwords set: %q", passwords.String(), want)
	}
	if m.passwords["kendra"] == m.passwords["sam"] {
		t.Error("two accounts got the same password")
	}
	listed, err := ReadState(state)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"kendra", "old", "sam"}, listed); diff != "" {
		t.Errorf("hubgen's list (-want +got):\n%s", diff)
	}
	if info, err := os.Stat(state); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, mode %v; want 0600", err, info.Mode().Perm())
	}

	again, err := MakePlan(users, listed, m)
	if err != nil {
		t.Fatal(err)
	}
	if again.Changes() != 0 {
		t.Errorf("applied twice, the second plan still changes %d accounts: %+v", again.Changes(), again)
	}
}

// TestApplyCreateFails: the accounts made before a failure get their passwords and stay on the
// list, so that the next run neither loses their passwords nor forgets to lock them.
func TestApplyCreateFails(t *testing.T) {
	m := newFakeMachine()
	m.failOn = "sam"
	state := filepath.Join(t.TempDir(), "hubgen_accounts")
	p, err := MakePlan([]string{"kendra", "sam"}, nil, m)
	if err != nil {
		t.Fatal(err)
	}
	var passwords strings.Builder
	_, err = Apply(p, m, state, &passwords)
	if err == nil || !strings.Contains(err.Error(), "cannot lock /etc/passwd") {
		t.Fatalf("got %v, want useradd's error", err)
	}
	if !strings.HasPrefix(passwords.String(), "kendra,") || m.passwords["kendra"] == "" {
		t.Errorf("kendra was created but her password was not set and written: %q", passwords.String())
	}
	listed, _ := ReadState(state)
	if !cmp.Equal(listed, []string{"kendra", "sam"}) {
		t.Errorf("hubgen's list %q, want both accounts it set out to make", listed)
	}
}

// TestReadStateRefusesEditedList: a line that is no username stops hubgen, rather than have it lock
// whatever the line names.
func TestReadStateRefusesEditedList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hubgen_accounts")
	if err := os.WriteFile(path, []byte(stateHeader+"kendra\n-root\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadState(path)
	if err == nil || !strings.Contains(err.Error(), `:3: "-root" is not a username`) {
		t.Errorf("got %v, want line 3 refused", err)
	}
}

func TestNewPassword(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		p, err := NewPassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != passwordLength || strings.Trim(p, passwordAlphabet) != "" || seen[p] {
			t.Fatalf("password %q: wrong length, letter or repeated", p)
		}
		seen[p] = true
	}
}
