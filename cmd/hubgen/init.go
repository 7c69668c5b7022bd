package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hubgen/hubgen/doctor"
	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/schema"
)

var cmdInit = &command{
	name:     "init",
	synopsis: "[--domain D] [--admin U]... [--course NAME] [-o FILE [--force]]",
	short:    "write a commented site.toml for a new course",
	long: `Write a site.toml for a new course with every key of site.toml in it: the required ones
set, the optional ones commented out, each under a line saying what it does and its default.

--domain fills in domain and the Let's Encrypt certificate paths; --admin (repeatable) fills in
users.admin; --course NAME serves the hub under /NAME/ and keeps its state in
/srv/jupyterhub/NAME. spawner.cmd is the jupyterhub-singleuser installed on this machine
(Debian's /usr/bin/jupyterhub-singleuser, or the one on PATH), else an example to check. A required value no flag gave is left empty, so that hubgen validate
names each one to fill in.

Without -o the file is printed to standard output. -o never overwrites a file unless --force.`,
	// Any count, so that a file name given without -o gets its own hint below.
	maxArgs: -1,
	setup: func(fs *flag.FlagSet) func(*env, []string) int {
		var o schema.ScaffoldOptions
		fs.StringVar(&o.Domain, "domain", "", "the hub's `domain` name, like hub.college.edu")
		fs.Var((*stringList)(&o.Admins), "admin", "a JupyterHub admin's `username`; give it once per admin")
		fs.StringVar(&o.Course, "course", "", "the course's short `name`: the hub is served under /NAME/")
		out := fs.String("o", "", "write the site file to `FILE` instead of standard output")
		force := fs.Bool("force", false, "let -o overwrite an existing file")
		return func(e *env, args []string) int { return runInit(e, args, o, *out, *force) }
	},
}

func runInit(e *env, rest []string, o schema.ScaffoldOptions, out string, force bool) int {
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "hubgen init: unexpected argument %q (to write a file, use -o %s)\n", rest[0], shell.Quote(rest[0]))
		return exitFailure
	}

	if out != "" {
		o.FileName = filepath.Base(out)
	}
	o.SingleUser = findSingleUser()
	text := schema.Scaffold(o)
	placeholders, bad := checkTemplate(text, o)
	if len(bad) > 0 {
		for _, msg := range bad {
			fmt.Fprintf(e.stderr, "hubgen init: %s\n", msg)
		}
		return exitFailure
	}

	name := "site.toml"
	if out == "" {
		if _, err := fmt.Fprint(e.stdout, text); err != nil {
			fmt.Fprintf(e.stderr, "hubgen init: write: %v\n", err)
			return exitFailure
		}
	} else {
		name = out
		if err := writeNew(out, []byte(text), force); err != nil {
			fmt.Fprintf(e.stderr, "hubgen init: %v\n", err)
			return exitFailure
		}
	}
	if len(placeholders) > 0 {
		fmt.Fprintf(e.stderr, "hubgen init: fill in %s in %s, then run: hubgen validate %s\n", strings.Join(placeholders, ", "), name, shell.Quote(name))
	}
	return exitOK
}

// findSingleUser finds the jupyterhub-singleuser installed on this machine, which init puts in
// spawner.cmd: on Debian /usr/bin/jupyterhub-singleuser, or a conda or venv one on the PATH.
// A variable, so that the tests' golden files do not depend on the machine.
var findSingleUser = func() string { return doctor.FindProgram("jupyterhub-singleuser") }

// writeNew writes a new file, or replaces one only when force is set: a course's site file holds
// work that a second init must not silently throw away.
func writeNew(path string, data []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists (add --force to overwrite it)", path)
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// flagOfKey says which flag sets a key, for messages about a bad flag value.
func flagOfKey(key string) string {
	switch {
	case key == "domain" || strings.HasPrefix(key, "tls."):
		return "--domain"
	case strings.HasPrefix(key, "users.admin"):
		return "--admin"
	case strings.HasPrefix(key, "hub."):
		return "--course"
	}
	return ""
}

// checkTemplate validates the written file as hubgen validate will. A problem with a key a flag
// set is the flag's fault (a usage error); the others are the placeholders left to fill in.
func checkTemplate(text string, o schema.ScaffoldOptions) (placeholders, bad []string) {
	_, err := schema.Parse("site.toml", []byte(text))
	var problems schema.Problems
	if !errors.As(err, &problems) {
		return nil, nil
	}
	given := map[string]bool{"--domain": o.Domain != "", "--admin": len(o.Admins) > 0, "--course": o.Course != ""}
	for _, p := range problems.Errors() {
		flag := flagOfKey(p.Key)
		if given[flag] {
			bad = append(bad, fmt.Sprintf("%s: %s: %s", flag, p.Key, p.Message()))
			continue
		}
		if flag == "" {
			// Every other value comes from Fields' examples, which must be valid.
			bad = append(bad, fmt.Sprintf("bug: the template's %s is invalid: %s", p.Key, p.Message()))
			continue
		}
		placeholders = append(placeholders, p.Key)
	}
	return placeholders, bad
}
