package secrets

import (
	"errors"
	"io/fs"

	"github.com/hubgen/hubgen/internal/shell"
)

// Fix is the command that fixes the problem with a secret file, for a person to paste. rerun is
// the `hubgen secrets` command line that creates what is missing; asRoot is the command line to
// run again as root when the file could not be read for want of permission.
//
// A fix never removes or replaces what exists. For a secret that is not what hubgen writes, the
// fix is a shell comment naming how to move it aside with mv -n (which refuses to replace an
// earlier .bad file) and make a new one: pasted as it is, it does nothing. A new cookie secret logs every user out and a new proxy token needs a hub
// restart, which is why hubgen leaves the choice to a person (both beat a hub that does not
// start). Fix is empty when no command fixes it.
func (e *Error) Fix(rerun, asRoot string) string {
	switch e.Reason {
	case Missing:
		return rerun
	case WrongMode:
		return "chmod 600 " + shell.Quote(e.Path)
	case Unreadable:
		if errors.Is(e.Err, fs.ErrPermission) {
			return asRoot
		}
	case Malformed:
		// A comment: JupyterHub also reads secrets hubgen does not write (base64, other
		// lengths), and replacing one the hub uses logs everyone out. The person decides.
		return "# if the hub does not use this file, move it aside and make a new one: mv -n " +
			shell.Quote(e.Path) + " " + shell.Quote(e.Path+".bad") + " && " + rerun
	}
	return ""
}
