package accounts

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"time"
)

// Local is this machine's accounts, changed with shadow's useradd, chpasswd and usermod, which
// keep /etc/passwd, /etc/shadow and /etc/group consistent and locked while they write.
type Local struct{}

func (Local) Lookup(name string) (Account, bool, error) {
	u, err := user.Lookup(name)
	if _, unknown := err.(user.UnknownUserError); unknown {
		return Account{}, false, nil
	}
	if err != nil {
		return Account{}, false, err
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return Account{}, false, fmt.Errorf("uid %q of %s is not a number", u.Uid, name)
	}
	return Account{UID: uid}, true, nil
}

// Locked asks passwd -S, which prints "NAME L|NP|P DATE ...": L is a locked password.
func (Local) Locked(name string) (bool, error) {
	out, err := run(nil, "passwd", "--status", "--", name)
	if err != nil {
		return false, err
	}
	fields := strings.Fields(out)
	return len(fields) > 1 && fields[1] == "L", nil
}

// Create runs useradd without a password (the account cannot log in until SetPasswords), a home
// copied from /etc/skel and bash; "--" ends the options before the name.
func (Local) Create(name string) error {
	_, err := run(nil, "useradd", "--create-home", "--shell", "/bin/bash", "--", name)
	return err
}

// SetPasswords runs chpasswd once for all, the passwords on its standard input, never in its
// arguments, where any user could read them in ps.
func (Local) SetPasswords(credentials []Credential) error {
	if len(credentials) == 0 {
		return nil
	}
	var in bytes.Buffer
	for _, c := range credentials {
		in.WriteString(c.Name + ":" + c.Password + "\n")
	}
	_, err := run(&in, "chpasswd")
	return err
}

// Lock locks the password and sets the account's expiry to 2 January 1970: expired, the account
// cannot log in with an SSH key either. Nothing is deleted.
func (Local) Lock(name string) error {
	_, err := run(nil, "usermod", "--lock", "--expiredate", "1", "--", name)
	return err
}

// Unlock undoes Lock: the password the student had works again.
func (Local) Unlock(name string) error {
	_, err := run(nil, "usermod", "--unlock", "--expiredate", "", "--", name)
	return err
}

// run runs a program of the shadow suite; its error carries the program's own message, which
// never holds a password (chpasswd's come on standard input and it does not echo them).
func run(stdin *bytes.Buffer, program string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %v: %s", program, strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}
