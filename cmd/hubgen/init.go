package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/hubgen/hubgen/schema"
)

const initHelp = `Write a site.toml for a new course with every key of site.toml in it: the required ones
set, the optional ones commented out, each under a line saying what it does and its default.

--domain fills in domain and the Let's Encrypt certificate paths; --admin (repeatable) fills in
users.admin; --course NAME serves the hub under /NAME/ and keeps its state in
/srv/jupyterhub/NAME. A required value no flag gave is left empty, so that hubgen validate
names each one to fill in.

Without -o the file is printed to standard output. -o never overwrites a file unless --force.`

// exampleDomain is the domain Fields' examples are written for; --domain replaces it.
const exampleDomain = "notebooks.example.edu"

// initOptions are what the flags of hubgen init fill in; empty means "leave a placeholder".
type initOptions struct {
	domain string
	admins []string
	course string
}

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runInit(e *env, args []string) int {
	fs := newFlagSet(e, "init", "[--domain D] [--admin U]... [--course NAME] [-o FILE [--force]]", initHelp)
	var o initOptions
	fs.StringVar(&o.domain, "domain", "", "the hub's `domain` name, like hub.college.edu")
	fs.Var((*stringList)(&o.admins), "admin", "a JupyterHub admin's `username`; give it once per admin")
	fs.StringVar(&o.course, "course", "", "the course's short `name`: the hub is served under /NAME/")
	out := fs.String("o", "", "write the site file to `FILE` instead of standard output")
	force := fs.Bool("force", false, "let -o overwrite an existing file")
	rest, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "hubgen init: unexpected argument %q (to write a file, use -o %s)\n", rest[0], rest[0])
		return exitFailure
	}

	text := siteTemplate(o)
	placeholders, bad := checkTemplate(text, o)
	if len(bad) > 0 {
		for _, msg := range bad {
			fmt.Fprintf(e.stderr, "hubgen init: %s\n", msg)
		}
		return exitFailure
	}

	name := "site.toml"
	if *out == "" {
		if _, err := fmt.Fprint(e.stdout, text); err != nil {
			fmt.Fprintf(e.stderr, "hubgen init: write: %v\n", err)
			return exitFailure
		}
	} else {
		name = *out
		if err := writeNew(*out, []byte(text), *force); err != nil {
			fmt.Fprintf(e.stderr, "hubgen init: %v\n", err)
			return exitFailure
		}
	}
	if len(placeholders) > 0 {
		fmt.Fprintf(e.stderr, "hubgen init: fill in %s in %s, then run: hubgen validate %s\n", strings.Join(placeholders, ", "), name, name)
	}
	return exitOK
}

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
func checkTemplate(text string, o initOptions) (placeholders, bad []string) {
	_, err := schema.Parse("site.toml", []byte(text))
	var problems schema.Problems
	if !errors.As(err, &problems) {
		return nil, nil
	}
	given := map[string]bool{"--domain": o.domain != "", "--admin": len(o.admins) > 0, "--course": o.course != ""}
	for _, p := range problems.Errors() {
		flag := flagOfKey(p.Key)
		if given[flag] {
			bad = append(bad, fmt.Sprintf("%s: %s: %s", flag, p.Key, p.Message))
			continue
		}
		if flag == "" {
			// Every other value comes from Fields' examples, which must be valid.
			bad = append(bad, fmt.Sprintf("bug: the template's %s is invalid: %s", p.Key, p.Message))
			continue
		}
		placeholders = append(placeholders, p.Key)
	}
	return placeholders, bad
}

// siteTemplate writes every key of schema.Fields, in order, with its documentation: keys that are
// set (required ones, or ones a flag gave) as values, the rest commented out with an example.
func siteTemplate(o initOptions) string {
	var b strings.Builder
	course := ""
	if o.course != "" {
		course = " for " + o.course
	}
	fmt.Fprintf(&b, `# site.toml%s: one course's JupyterHub behind nginx, rendered by hubgen.
# Written by "hubgen init". Every key is here: the required ones set, the optional ones commented
# out. Each comment says what the key does and its default. After editing, run
#     hubgen validate site.toml
# For an editor that underlines mistakes as you type, run "hubgen schema > site.schema.json" and
# put "#:schema ./site.schema.json" on this file's first line.
`, course)

	values := initValues(o)
	table := ""
	for _, f := range schema.Fields {
		t, name, inTable := strings.Cut(f.Key, ".")
		if !inTable {
			t, name = "", f.Key
		}
		if t != table {
			table = t
			fmt.Fprintf(&b, "\n[%s]\n", table)
		} else {
			b.WriteString("\n")
		}
		b.WriteString("# " + fieldComment(f, values) + "\n")
		if v, ok := values[f.Key]; ok {
			fmt.Fprintf(&b, "%s = %s\n", name, v)
			continue
		}
		fmt.Fprintf(&b, "# %s = %s\n", name, withDomain(f.Example, o.domain))
	}
	return b.String()
}

// fieldComment is a key's documentation line: what it does, then required or its default.
func fieldComment(f schema.Field, values map[string]string) string {
	switch {
	case f.Required && values[f.Key] == f.Example:
		// No flag sets it, so the value is the example: right for many installs, not all.
		return f.Doc + "; required (this is an example: check it)"
	case f.Required:
		return f.Doc + "; required"
	case f.Default != "":
		return f.Doc + "; default " + f.Default
	}
	return f.Doc
}

// initValues are the keys the file sets, as TOML values with a trailing comment where a
// placeholder is left to fill in.
func initValues(o initOptions) map[string]string {
	v := map[string]string{}
	for _, f := range schema.Fields {
		if f.Required {
			v[f.Key] = f.Example
		}
	}
	if o.domain != "" {
		v["domain"] = tomlString(o.domain)
		v["tls.cert"] = withDomain(v["tls.cert"], o.domain)
		v["tls.key"] = withDomain(v["tls.key"], o.domain)
	} else {
		for _, key := range []string{"domain", "tls.cert", "tls.key"} {
			f, _ := schema.FieldByKey(key)
			v[key] = `""  # fill in, like ` + f.Example
		}
	}
	if len(o.admins) > 0 {
		quoted := make([]string, len(o.admins))
		for i, a := range o.admins {
			quoted[i] = tomlString(a)
		}
		v["users.admin"] = "[" + strings.Join(quoted, ", ") + "]"
	} else {
		v["users.admin"] = `[]  # fill in your username, like ["peter"]`
	}
	if o.course != "" {
		v["hub.base_url"] = tomlString("/" + o.course + "/")
		v["hub.state_dir"] = tomlString("/srv/jupyterhub/" + o.course)
	}
	return v
}

// withDomain puts the course's domain in an example written for exampleDomain.
func withDomain(example, domain string) string {
	if domain == "" {
		return example
	}
	quoted := tomlString(domain)
	return strings.ReplaceAll(example, exampleDomain, quoted[1:len(quoted)-1])
}

// tomlString writes s as a TOML basic string. Flag values may hold anything; the validator then
// says what is wrong with them, and the file must still parse for it to.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, c)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
