package schema

import (
	"fmt"
	"path"
	"strings"
)

// ScaffoldOptions are what `hubgen init` fills in; an empty one leaves a placeholder.
type ScaffoldOptions struct {
	Domain string
	Admins []string
	Course string // serves the hub under /Course/ and keeps its state in /srv/jupyterhub/Course
	// FileName is the site file's name, for the header's commands; "" for site.toml.
	FileName string
	// SingleUser is the jupyterhub-singleuser installed on this machine (Debian's
	// /usr/bin/jupyterhub-singleuser), for spawner.cmd; "" to leave the example.
	SingleUser string
}

// exampleDomain is the domain Fields' examples are written for; ScaffoldOptions.Domain replaces it.
const exampleDomain = "notebooks.example.edu"

// Scaffold writes a new site file with every key of Fields, in order, each under its
// documentation: keys that are set (required ones, or ones o gives) as values, the rest commented
// out with an example. A required value o does not give is left empty with a comment, so that
// validation names each one to fill in.
func Scaffold(o ScaffoldOptions) string {
	var b strings.Builder
	course := ""
	if o.Course != "" {
		course = " for " + o.Course
	}
	name := "site.toml"
	if o.FileName != "" {
		name = commentSafe(o.FileName)
	}
	fmt.Fprintf(&b, `# %s%s: one course's JupyterHub behind nginx, rendered by hubgen.
# Written by "hubgen init". Every key is here: the required ones set, the optional ones commented
# out. Each comment says what the key does and its default. After editing, run
#     hubgen validate %s
# For an editor that underlines mistakes as you type, run "hubgen schema > site.schema.json" and
# put "#:schema ./site.schema.json" on this file's first line.
`, name, course, name)
	if o.Course != "" {
		// A sub-path changes the hub's address: say so where it cannot be missed.
		domain := o.Domain
		if domain == "" {
			domain = "DOMAIN"
		}
		fmt.Fprintf(&b, `#
# --course %s chose a sub-path: the hub is served at https://%s/%s/
# (hub.base_url below) and keeps its database and secrets in %s (hub.state_dir).
# To serve it at the domain's root instead, set base_url = "/".
`, commentSafe(o.Course), commentSafe(domain), commentSafe(o.Course), commentSafe(o.courseStateDir()))
	}

	values := scaffoldValues(o)
	table := ""
	for _, f := range Fields {
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
		b.WriteString("# " + fieldComment(f, values, o) + "\n")
		if v, ok := values[f.Key]; ok {
			fmt.Fprintf(&b, "%s = %s\n", name, v)
			continue
		}
		fmt.Fprintf(&b, "# %s = %s\n", name, o.example(f))
	}
	return b.String()
}

// fieldComment is a key's documentation line: what it does, then required or its default, and
// which flag set it.
func fieldComment(f Field, values map[string]string, o ScaffoldOptions) string {
	switch {
	case f.Key == "hub.user_subdomains":
		// init turns it on, so the comment says what that needs, and why when it could not.
		domain := "DOMAIN"
		if o.Domain != "" {
			domain = commentSafe(o.Domain)
		}
		second := "on in a new site (README: Security): make the DNS record and the certificate for *." + domain + " first, or set false"
		if name := o.adminWithoutHostLabel(); name != "" {
			second = "off: the admin " + commentSafe(name) + " cannot be a host name (lowercase letters, digits and \"-\"); see README: Security"
		}
		return f.Doc + "\n# " + second
	case o.setByCourse(f.Key):
		return f.Doc + "; set by --course " + commentSafe(o.Course) + " (default " + tomlValueText(f.Default) + ")"
	case o.Course != "" && inCourseStateDir(f.Key):
		file := path.Base(unquoted(f.Example))
		return f.Doc + "; default state_dir + /" + file + ", here " + commentSafe(o.courseStateDir()+"/"+file)
	case f.Key == "spawner.cmd" && o.SingleUser != "":
		return f.Doc + "; required (found on the machine that ran hubgen init: check it is the server's)"
	case f.Required && values[f.Key] == f.Example:
		// No flag sets it, so the value is the example: right for many installs, not all.
		return f.Doc + "; required (this is an example: check it)"
	case f.Required:
		return f.Doc + "; required"
	case f.Default != nil:
		return f.Doc + "; default " + tomlValueText(f.Default)
	case f.DefaultDoc != "":
		return f.Doc + "; default " + f.DefaultDoc
	}
	return f.Doc
}

// scaffoldValues are the keys the file sets, as TOML values with a trailing comment where a
// placeholder is left to fill in.
func scaffoldValues(o ScaffoldOptions) map[string]string {
	v := map[string]string{}
	for _, f := range Fields {
		if f.Required {
			v[f.Key] = f.Example
		}
	}
	if o.Domain != "" {
		v["domain"] = tomlString(o.Domain)
		v["tls.cert"] = withDomain(v["tls.cert"], o.Domain)
		v["tls.key"] = withDomain(v["tls.key"], o.Domain)
	} else {
		for _, key := range []string{"domain", "tls.cert", "tls.key"} {
			f, _ := FieldByKey(key)
			v[key] = `""  # fill in, like ` + f.Example
		}
	}
	if len(o.Admins) > 0 {
		v["users.admin"] = tomlValueText(o.Admins)
	} else {
		v["users.admin"] = `[]  # fill in your username, like ["peter"]`
	}
	if o.SingleUser != "" {
		v["spawner.cmd"] = tomlValueText([]string{o.SingleUser})
	}
	v["hub.user_subdomains"] = "true"
	if o.adminWithoutHostLabel() != "" {
		v["hub.user_subdomains"] = "false"
	}
	if o.Course != "" {
		v["hub.base_url"] = tomlString("/" + o.Course + "/")
		v["hub.state_dir"] = tomlString(o.courseStateDir())
	}
	return v
}

// adminWithoutHostLabel is the first admin o gives whose name cannot be the host name of their
// server, which user subdomains need; "" when there is none.
func (o ScaffoldOptions) adminWithoutHostLabel() string {
	for _, a := range o.Admins {
		if usernameProblem(a).summary == "" && hostLabelProblem(a, true).summary != "" {
			return a
		}
	}
	return ""
}

// setByCourse tells whether --course set key.
func (o ScaffoldOptions) setByCourse(key string) bool {
	return o.Course != "" && (key == "hub.base_url" || key == "hub.state_dir")
}

func (o ScaffoldOptions) courseStateDir() string { return "/srv/jupyterhub/" + o.Course }

// inCourseStateDir tells whether key's default is a file in hub.state_dir, which --course moves.
func inCourseStateDir(key string) bool {
	return key == "hub.cookie_secret_file" || key == "hub.proxy_auth_token_file"
}

// example is the commented-out value shown for f: its example, with the course's domain, and for
// a file in hub.state_dir, the path it has by default in the course's state directory.
func (o ScaffoldOptions) example(f Field) string {
	if o.Course != "" && inCourseStateDir(f.Key) {
		return tomlString(o.courseStateDir() + "/" + path.Base(unquoted(f.Example)))
	}
	return withDomain(f.Example, o.Domain)
}

// unquoted is a TOML basic string example without its quotes.
func unquoted(example string) string { return strings.Trim(example, `"`) }

// commentSafe keeps a flag's value on its comment line: a line break would end the comment.
func commentSafe(s string) string {
	q := tomlString(s)
	return q[1 : len(q)-1]
}

// withDomain puts the course's domain in an example written for exampleDomain.
func withDomain(example, domain string) string {
	if domain == "" {
		return example
	}
	quoted := tomlString(domain)
	return strings.ReplaceAll(example, exampleDomain, quoted[1:len(quoted)-1])
}

// tomlValueText writes a Field's Default in TOML syntax.
func tomlValueText(v any) string {
	switch v := v.(type) {
	case string:
		return tomlString(v)
	case []string:
		quoted := make([]string, len(v))
		for i, s := range v {
			quoted[i] = tomlString(s)
		}
		return "[" + strings.Join(quoted, ", ") + "]"
	}
	return fmt.Sprint(v) // an int or a bool, which TOML writes as Go does
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
