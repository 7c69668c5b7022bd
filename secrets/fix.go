package secrets

import "github.com/hubgen/hubgen/internal/shell"

// Fix is the command that fixes the problem with a secret file, for a person to run; rerun is
// the `hubgen secrets` command line that creates what is missing. hubgen never replaces an
// existing secret itself: a new cookie secret logs every user out, and a new proxy token needs a
// hub restart, which a person should choose (both beat a hub that does not start). Fix is empty
// when no command fixes it, such as an unreadable file.
func (e *Error) Fix(rerun string) string {
	switch e.Reason {
	case Missing:
		return rerun
	case WrongMode:
		return "chmod 600 " + shell.Quote(e.Path)
	case Malformed:
		return "rm " + shell.Quote(e.Path) + " && " + rerun
	}
	return ""
}
