package importer

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hubgen/hubgen/schema"
)

// finish writes the site file: every key whose value differs from what the site would get
// without it, in schema.Fields' order, each table headed by the report's items that belong to it.
func (im *importer) finish() error {
	if _, ok := im.values["users.admin"]; !ok {
		im.item(im.configName(), "users", "no admin found (neither the admin role nor admin_users): hubgen needs at least one; add users.admin")
	}
	if _, ok := im.values["spawner.cmd"]; !ok {
		im.values["spawner.cmd"] = []string{"jupyterhub-singleuser"}
		im.item(im.configName(), "spawner", "no Spawner.cmd: JupyterHub's default, jupyterhub-singleuser from PATH, written out")
	}
	for _, key := range []string{"domain", "tls.cert", "tls.key"} {
		if _, ok := im.values[key]; !ok {
			im.item(im.o.Nginx, tableOf(key), "no %s found in the https server", key)
		}
	}
	// A domain spelled two ways (mistake 4): the certificate's Let's Encrypt name is the better guess.
	if domain, ok := im.values["domain"].(string); ok {
		if cert, ok := im.values["tls.cert"].(string); ok {
			if _, rest, found := strings.Cut(cert, "/live/"); found {
				if name, _, _ := strings.Cut(rest, "/"); name != domain && name != "" {
					im.item(im.where["domain"], "", "domain %s is not the name of the certificate %s (%s): is one of them misspelled?", domain, cert, name)
				}
			}
		}
	}
	// OCSP stapling: the resolver only matters with a trusted certificate.
	if _, ok := im.values["tls.trusted_certificate"]; !ok {
		delete(im.values, "tls.resolvers")
	}
	im.res.Site = im.siteText()
	return nil
}

func tableOf(key string) string {
	if t, _, ok := strings.Cut(key, "."); ok {
		return t
	}
	return ""
}

// get is a key's value as written, else its default (computed from the other keys' values).
func (im *importer) get(key string) any {
	if v, ok := im.values[key]; ok {
		return v
	}
	f, ok := schema.FieldByKey(key)
	if !ok {
		return nil
	}
	if f.DefaultFrom != nil {
		return f.DefaultFrom(im.get)
	}
	return f.Default
}

// isDefault tells whether leaving key out gives the same value.
func (im *importer) isDefault(key string, v any) bool {
	f, _ := schema.FieldByKey(key)
	if f.Required {
		return false
	}
	var def any
	if f.DefaultFrom != nil {
		def = f.DefaultFrom(im.get)
	} else {
		def = f.Default
	}
	if def == nil {
		return false
	}
	return tomlValue(def) == tomlValue(v)
}

func (im *importer) siteText() []byte {
	var b strings.Builder
	b.WriteString("# Imported by `hubgen import` from:\n")
	for _, out := range sortedKeys(im.res.Read) {
		fmt.Fprintf(&b, "#   %s\n", im.res.Read[out])
	}
	b.WriteString("# Read the report it printed, then `hubgen check` and `hubgen render` before installing.\n")
	comments := func(table string) {
		for _, it := range im.res.Items {
			if it.Table == table {
				fmt.Fprintf(&b, "# not carried over: %s: %s\n", it.At, commentText(it.What))
			}
		}
		for _, s := range im.res.Secrets {
			if table == tableOf(secretKey(s)) {
				fmt.Fprintf(&b, "# secret: %s: %s was inline; move it to %s (0600) with the command in the report\n", s.At, s.What, s.File)
			}
		}
	}
	comments("")
	for _, f := range schema.Fields {
		if tableOf(f.Key) == "" {
			if v, ok := im.values[f.Key]; ok {
				fmt.Fprintf(&b, "%s = %s\n", f.Key, tomlValue(v))
			}
		}
	}
	for _, t := range schema.Tables {
		table := t.Name
		var lines []string
		for _, f := range schema.Fields {
			if tableOf(f.Key) != table {
				continue
			}
			v, ok := im.values[f.Key]
			if !ok || im.isDefault(f.Key, v) {
				continue
			}
			lines = append(lines, fmt.Sprintf("%s = %s", strings.TrimPrefix(f.Key, table+"."), tomlValue(v)))
		}
		hasItems := slices.ContainsFunc(im.res.Items, func(it Item) bool { return it.Table == table }) ||
			slices.ContainsFunc(im.res.Secrets, func(s Secret) bool { return tableOf(secretKey(s)) == table })
		if len(lines) == 0 && !hasItems {
			continue
		}
		fmt.Fprintf(&b, "\n[%s]\n", table)
		comments(table)
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
	}
	return []byte(b.String())
}

func secretKey(s Secret) string {
	switch {
	case strings.Contains(s.What, "client secret"):
		return "auth.client_secret_file"
	}
	return "hub.cookie_secret_file"
}

func commentText(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}

// tomlValue writes v in TOML syntax.
func tomlValue(v any) string {
	switch v := v.(type) {
	case string:
		return tomlString(v)
	case []string:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = tomlString(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case int:
		return strconv.Itoa(v)
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	case bool:
		return strconv.FormatBool(v)
	}
	return tomlString(fmt.Sprint(v))
}

func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var secretName = regexp.MustCompile(`(?i)secret|token|password|passwd|api_key|private`)

// jsonMarshal prints a config value for the report with every secret-looking field hidden: the
// report is printed and kept, and a secret must never be in it.
func jsonMarshal(v any) ([]byte, error) {
	return json.Marshal(redact(v))
}

func redact(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if secretName.MatchString(k) {
				out[k] = "<hidden>"
			} else {
				out[k] = redact(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = redact(x)
		}
		return out
	}
	return v
}

var secretAssignment = regexp.MustCompile(`(?i)(\w*(?:secret|token|password|passwd|api_key|private)\w*)['"]?\s*[:=]`)

// SecretLine tells whether a line of an old file may hold a secret: it sets a setting or a dict
// key whose name says secret, token, password or key. The diff hides such lines, since it prints
// the old file's lines and an unknown setting's secret is not among the Secrets import found.
// A name ending in _file, _path or _dir holds where a secret is, not the secret.
func SecretLine(line string) bool {
	for _, m := range secretAssignment.FindAllStringSubmatch(line, -1) {
		name := strings.ToLower(m[1])
		if !strings.HasSuffix(name, "_file") && !strings.HasSuffix(name, "_path") && !strings.HasSuffix(name, "_dir") {
			return true
		}
	}
	return false
}

// HideSecrets replaces the lines of an old file that hold an inline secret, so that the diff
// (which prints the old lines) never shows one.
func (res *Result) HideSecrets(data []byte, file string) []byte {
	lines := strings.SplitAfter(string(data), "\n")
	for _, s := range res.Secrets {
		i := strings.LastIndexByte(s.At, ':')
		if i < 0 || s.At[:i] != file {
			continue
		}
		n, err := strconv.Atoi(s.At[i+1:])
		if err != nil || n < 1 || n > len(lines) {
			continue
		}
		lines[n-1] = "# (this line holds " + s.What + ", hidden by hubgen import)\n"
	}
	for i, l := range lines {
		if SecretLine(l) {
			lines[i] = "# (this line may hold a secret, hidden by hubgen import)\n"
		}
	}
	return []byte(strings.Join(lines, ""))
}
