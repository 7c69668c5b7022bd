package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Accounts that parallel tests share: the examples' users, which JupyterHub 3.0 makes when it
// loads an OAuth or LTI example's config (create_system_users, even for --show-config-json), and
// the examples' admins, which addExampleAdmins makes. Whether such an account exists when a test
// starts says nothing about who made it: a test that removed "its" accounts when it ended left
// behind the ones another test's hub made again after that. So no test removes them. Each stack's
// accounts are listed before the first test, and every shared name a test declared that was not
// among them is removed after the last.
var sharedAccounts struct {
	sync.Mutex
	before   map[*stack]map[string]bool // each stack's accounts when the run began
	declared map[*stack]map[string]bool
}

// listAccountsBefore records the accounts of every stack that can run; run calls it before the
// tests.
func listAccountsBefore() error {
	sharedAccounts.before = map[*stack]map[string]bool{}
	sharedAccounts.declared = map[*stack]map[string]bool{}
	for _, st := range allStacks {
		if st.missing != "" {
			continue
		}
		data, err := os.ReadFile(st.hostPath("/etc/passwd"))
		if err != nil {
			return err
		}
		names := map[string]bool{}
		for _, line := range strings.Split(string(data), "\n") {
			if name, _, ok := strings.Cut(line, ":"); ok {
				names[name] = true
			}
		}
		sharedAccounts.before[st] = names
	}
	return nil
}

// removeAtEnd declares name a shared account of st: it is removed after the last test, unless
// it was there when the run began.
func removeAtEnd(st *stack, name string) {
	sharedAccounts.Lock()
	defer sharedAccounts.Unlock()
	removeAtEndLocked(st, name)
}

// removeAtEndLocked is removeAtEnd for a caller that holds sharedAccounts' lock.
func removeAtEndLocked(st *stack, name string) {
	if sharedAccounts.declared[st] == nil {
		sharedAccounts.declared[st] = map[string]bool{}
	}
	sharedAccounts.declared[st][name] = true
}

// removeSharedAccounts removes the shared accounts this run made; run calls it after the tests.
func removeSharedAccounts() error {
	var errs []error
	for st, names := range sharedAccounts.declared {
		for _, name := range sortedSet(keys(names)) {
			if sharedAccounts.before[st][name] || !st.hasAccount(name) {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, err := st.command(ctx, "/", nil, "/usr/sbin/userdel", "-r", name).CombinedOutput()
			cancel()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: userdel -r %s: %v: %s", st.Name, name, err, out))
			}
		}
	}
	return errors.Join(errs...)
}
