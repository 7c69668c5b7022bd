package schema

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the problems one a line as compilers print them,
// FILE:LINE:COL: key: what is wrong (what would be right), with "warning: " before the key of a
// warning. Users' scripts read this form: it does not change.
func (ps Problems) WriteText(w io.Writer) error {
	for _, p := range ps {
		if _, err := fmt.Fprintln(w, p.String()); err != nil {
			return err
		}
	}
	return nil
}

// WriteGitHub writes the problems as GitHub Actions workflow commands, which the runner reads from
// standard output and shows on the pull request at each problem's place. A problem with no line
// (Start.Line 0) is about the whole file, and one with no key is written without one.
func (ps Problems) WriteGitHub(w io.Writer) error {
	for _, p := range ps {
		props := "file=" + ghProperty(p.File)
		if p.Start.Line > 0 {
			props += fmt.Sprintf(",line=%d", p.Start.Line)
			switch {
			case p.End.Line > p.Start.Line:
				// GitHub takes columns only for a range on one line.
				props += fmt.Sprintf(",endLine=%d", p.End.Line)
			case p.End.Col > p.Start.Col+1:
				// endColumn is the last column, where End is just past it.
				props += fmt.Sprintf(",col=%d,endColumn=%d", p.Start.Col, p.End.Col-1)
			default:
				props += fmt.Sprintf(",col=%d", p.Start.Col)
			}
		}
		msg := p.Message()
		if p.Key != "" {
			msg = p.Key + ": " + msg
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", p.Severity, props, ghMessage(msg)); err != nil {
			return err
		}
	}
	return nil
}

// ghMessage escapes the message of a GitHub Actions workflow command, which ends at a newline.
func ghMessage(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a property value of a workflow command, where "," separates properties and
// "::" ends them.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ",", "%2C", ":", "%3A").Replace(s)
}
