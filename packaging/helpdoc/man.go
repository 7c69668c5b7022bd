package main

import (
	"fmt"
	"strings"
)

// manPage writes hubgen(1) in man(7) macros: the usage's introduction, one subsection per command
// with its synopsis, long help and flags, the exit status, every key of site.toml, and the files
// the package installs.
func manPage(h *help, keys []siteKey, version, date string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w(`.\" Generated from "hubgen help" by packaging/helpdoc. Do not edit: change the help in cmd/hubgen.`)
	w(`.TH HUBGEN 1 %s %s "User Commands"`, quoteArg(date), quoteArg("hubgen "+version))
	// Neither hyphenate nor justify: flag names and paths broken across lines cannot be copied.
	w(".nh")
	w(".ad l")

	// whatis(1) and lintian read the NAME line as "name \- summary".
	w(".SH NAME")
	summary := strings.Join(strings.Fields(h.intro[0]), " ")
	summary = strings.TrimSuffix(strings.TrimPrefix(summary, "hubgen "), ".")
	w(`hubgen \- %s`, escape(summary))

	w(".SH SYNOPSIS")
	w(".nf")
	w(`\fBhubgen\fR \fIcommand\fR [\fIarguments\fR]`)
	for _, c := range h.commands {
		w("%s", strings.TrimSpace(`\fBhubgen `+escape(c.name)+`\fR `+escape(c.synopsis)))
	}
	w(".fi")

	w(".SH DESCRIPTION")
	paragraphs(&b, h.intro)
	var exitStatus []string
	for _, p := range h.trailer {
		if rest, ok := strings.CutPrefix(p, "Exit status:"); ok {
			exitStatus = append(exitStatus, strings.TrimSpace(rest))
			continue
		}
		paragraphs(&b, []string{p})
	}

	w(".SH COMMANDS")
	for _, c := range h.commands {
		w(".SS %s", quoteArg(strings.TrimSpace("hubgen "+c.name+" "+c.synopsis)))
		paragraphs(&b, strings.Split(c.long, "\n\n"))
		for _, f := range c.flags {
			w(".TP")
			if f.arg != "" {
				w(`\fB%s\fR \fI%s\fR`, escape(f.spelling), escape(f.arg))
			} else {
				w(`\fB%s\fR`, escape(f.spelling))
			}
			w("%s", escapeLines(strings.Join(strings.Fields(f.usage), " ")))
		}
	}

	if len(exitStatus) > 0 {
		w(".SH EXIT STATUS")
		paragraphs(&b, exitStatus)
	}

	// Every key of site.toml, from `hubgen schema`: the reference an administrator reaches for
	// on a server without a browser.
	w(".SH SITE.TOML KEYS")
	w(".PP")
	w("%s", escapeLines("A site file sets these keys (dotted: hub.port is port in the [hub] table). Unknown keys are errors. README.md.gz in /usr/share/doc/hubgen/ says what each default protects against."))
	for _, k := range keys {
		w(".TP")
		attrs := k.kind
		if k.required {
			attrs += ", required"
		}
		if k.def != "" {
			attrs += ", default " + k.def
		}
		w(`\fB%s\fR (%s)`, escape(k.path), escape(attrs))
		w("%s", escapeLines(k.description))
	}

	// Where the Debian package puts what hubgen schema prints and the examples: facts of the
	// package, not of the command line, so they are written here.
	w(".SH FILES")
	w(".TP")
	w(`.I /usr/share/hubgen/site.schema.json`)
	w(`The JSON Schema of site.toml, as \fBhubgen schema\fR prints it. Name it on the first line of a site file,`)
	w(`\fB#:schema /usr/share/hubgen/site.schema.json\fR, for completion and checking in the editor.`)
	w(".TP")
	w(`.I /usr/share/doc/hubgen/examples/`)
	w(`Example site files to start from, with made-up rosters under \fIrosters/\fR.`)
	w(".SH SEE ALSO")
	w(`.BR nginx (8),`)
	w(`.BR systemd.service (5)`)
	return b.String()
}

// paragraphs writes each paragraph as filled text, or, when its lines start with a tab (tables
// and commands in the help), as an indented block kept as it is.
func paragraphs(b *strings.Builder, paras []string) {
	for _, p := range paras {
		p = strings.Trim(p, "\n")
		if p == "" {
			continue
		}
		lines := strings.Split(p, "\n")
		b.WriteString(".PP\n")
		inBlock := false
		for _, l := range lines {
			block := strings.HasPrefix(l, "\t")
			if block != inBlock {
				if block {
					b.WriteString(".RS 4\n.nf\n")
				} else {
					b.WriteString(".fi\n.RE\n")
				}
				inBlock = block
			}
			if block {
				l = strings.TrimPrefix(l, "\t")
			}
			b.WriteString(escapeLines(l) + "\n")
		}
		if inBlock {
			b.WriteString(".fi\n.RE\n")
		}
	}
}

// escape makes text safe inside a roff line: a backslash is roff's escape character, and a dash
// that starts a word is an option's minus sign, which must not become a typographic hyphen (so
// that "-o" copied from the page still works).
func escape(s string) string {
	var b strings.Builder
	prev := ' '
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\e`)
		case r == '-' && (prev == ' ' || prev == '\t' || prev == '-' || prev == '[' || prev == '(' || prev == '"' || prev == '|'):
			b.WriteString(`\-`)
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// escapeLines escapes text and keeps a line that begins with a dot or a quote from being read as
// a request.
func escapeLines(s string) string {
	lines := strings.Split(escape(s), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}

// quoteArg makes s one argument of a macro.
func quoteArg(s string) string {
	return `"` + strings.ReplaceAll(escape(s), `"`, `\(dq`) + `"`
}
