package schema

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// Load reads the site file at path and returns its Site. An invalid file gives an error of type
// Problems listing everything wrong with it; a file that cannot be read gives another error.
func Load(path string) (*Site, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read site file: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes, defaults and validates a site file's contents. name is the file's path, used in
// messages and to resolve relative paths (users.roster).
func Parse(name string, data []byte) (*Site, error) {
	r := &reporter{file: name}
	raw, ok := decode(r, data)
	if !ok {
		r.problems.sort()
		return nil, r.problems
	}
	values := typed(r, raw)
	site := build(name, values)
	validate(r, site, values)
	r.problems.sort()
	if errs := r.problems.Errors(); len(errs) > 0 {
		return nil, r.problems
	}
	site.Warnings = r.problems.Warnings()
	return site, nil
}

// decode checks the bytes are UTF-8 TOML and returns the document as a map, with key positions
// recorded in r.
func decode(r *reporter, data []byte) (map[string]any, bool) {
	if i := invalidUTF8(data); i >= 0 {
		r.report(point(offsetPosition(data, i)), "toml", SeverityError, messagef("byte 0x%02x is not UTF-8 (TOML files are UTF-8 text; save the file as UTF-8)", data[i]))
		return nil, false
	}
	if i := tooDeep(data); i >= 0 {
		r.report(point(offsetPosition(data, i)), "toml", SeverityError, messagef("arrays and inline tables nest more than %d deep (a site file needs 2)", maxNesting))
		return nil, false
	}
	text := string(data)
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			key := perr.LastKey
			if key == "" {
				key = "toml"
			}
			r.report(point(inText(text, Position{Line: perr.Position.Line, Col: perr.Position.Col})), key, SeverityError,
				messagef("syntax error: %s (see https://toml.io/en/v1.0.0)", printable(strings.TrimSpace(perr.Message))))
		} else {
			r.report(point(Position{Line: 1, Col: 1}), "toml", SeverityError, messagef("cannot decode: %s", printable(err.Error())))
		}
		return nil, false
	}
	r.pos = locate(text)
	return raw, true
}

// inText moves p onto text: the decoder places an error at the end of the file one column past
// the last character, and an editor cannot jump there.
func inText(text string, p Position) Position {
	lines := strings.Split(text, "\n")
	p.Line = min(max(p.Line, 1), len(lines))
	p.Col = min(max(p.Col, 1), len(lines[p.Line-1])+1)
	return p
}

// printable escapes the runes a terminal would not show in a decoder's message, which quotes the
// file's characters as they are, control characters included.
func printable(s string) string {
	var b strings.Builder
	for _, c := range s {
		if unicode.IsPrint(c) && c != utf8.RuneError {
			b.WriteRune(c)
			continue
		}
		q := strconv.QuoteRuneToASCII(c)
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		c, size := utf8.DecodeRune(data[i:])
		if c == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

func offsetPosition(data []byte, offset int) Position {
	p := Position{Line: 1, Col: 1}
	start := 0
	if strings.HasPrefix(string(data[:min(len(data), len(byteOrderMark))]), byteOrderMark) && offset >= len(byteOrderMark) {
		start = len(byteOrderMark) // not a column: see locate
	}
	for _, c := range data[start:offset] {
		if c == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	return p
}

// typed walks the decoded document against Fields: every key must be known and of its kind.
// It returns the values by dotted key: string, []string or int64 or bool.
func typed(r *reporter, raw map[string]any) map[string]any {
	values := map[string]any{}
	for _, top := range slices.Sorted(maps.Keys(raw)) {
		v := raw[top]
		if isTable(top) {
			table, ok := v.(map[string]any)
			if !ok {
				r.atValue(top, "got %s, want a table (write [%s] on a line of its own, then its keys)", describe(v), top)
				continue
			}
			for _, k := range slices.Sorted(maps.Keys(table)) {
				typedValue(r, values, top+"."+k, table[k])
			}
			continue
		}
		typedValue(r, values, top, v)
	}
	return values
}

func typedValue(r *reporter, values map[string]any, key string, v any) {
	f, ok := FieldByKey(key)
	if !ok {
		r.atKey(key, "unknown key (%s)", suggestion(key))
		return
	}
	switch f.Kind {
	case KindString:
		if s, ok := v.(string); ok {
			values[key] = s
			return
		}
	case KindInt:
		if n, ok := v.(int64); ok {
			values[key] = n
			return
		}
	case KindBool:
		if b, ok := v.(bool); ok {
			values[key] = b
			return
		}
	case KindNumber:
		switch n := v.(type) {
		case float64:
			values[key] = n
			return
		case int64:
			values[key] = float64(n)
			return
		}
	case KindCommand:
		if s, ok := v.(string); ok {
			values[key] = []string{s}
			return
		}
		fallthrough
	case KindStrings:
		if list, ok := v.([]any); ok {
			strs := make([]string, 0, len(list))
			good := true
			for i, e := range list {
				s, ok := e.(string)
				if !ok {
					r.atValue(fmt.Sprintf("%s[%d]", key, i), "got %s, want a string (like %s)", describe(e), elementExample(f))
					good = false
					continue
				}
				strs = append(strs, s)
			}
			if good {
				values[key] = strs
			}
			return
		}
	}
	r.atValue(key, "got %s, want %s (like %s = %s)", describe(v), f.Kind, lastSegment(key), f.Example)
}

func isTable(key string) bool {
	for _, t := range Tables {
		if t == key {
			return true
		}
	}
	return false
}

func lastSegment(key string) string {
	return key[strings.LastIndex(key, ".")+1:]
}

// describe names a decoded TOML value's type the way the TOML spec does, with the value when it
// is short, for "got ..., want ..." messages.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return "a string"
	case int64:
		return fmt.Sprintf("the integer %d", v)
	case float64:
		return fmt.Sprintf("the float %v", v)
	case bool:
		return fmt.Sprintf("%v", v)
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return "a date or time"
	}
}

// suggestion returns "did you mean ...?" when a known key is close to an unknown one, or where to
// look the keys up.
func suggestion(key string) string {
	best, bestDist := "", 1<<30
	for _, f := range Fields {
		d := editDistance(key, f.Key)
		// A key put in the wrong table: same name, another table.
		if lastSegment(f.Key) == lastSegment(key) && strings.Contains(key, ".") {
			d = min(d, 1)
		}
		// A key spelt out in full or cut short: "certificate" for "cert".
		if sameTable(f.Key, key) && (strings.HasPrefix(lastSegment(key), lastSegment(f.Key)) || strings.HasPrefix(lastSegment(f.Key), lastSegment(key))) {
			d = min(d, 2)
		}
		if d < bestDist {
			best, bestDist = f.Key, d
		}
	}
	if !strings.Contains(key, ".") {
		for _, t := range Tables {
			if d := editDistance(key, t); d < bestDist {
				best, bestDist = "["+t+"]", d
			}
		}
	}
	if bestDist <= max(2, len(key)/4) {
		table, name, found := strings.Cut(best, ".")
		if found {
			return fmt.Sprintf("did you mean %s in [%s]?", name, table)
		}
		return fmt.Sprintf("did you mean %s?", best)
	}
	return "see `hubgen schema` for the keys of site.toml"
}

func sameTable(a, b string) bool {
	ta, _, okA := strings.Cut(a, ".")
	tb, _, okB := strings.Cut(b, ".")
	return okA && okB && ta == tb
}

// elementExample is one element of a list field's example, for messages about one element.
func elementExample(f Field) string {
	e := strings.TrimPrefix(f.Example, "[")
	if i := strings.IndexAny(e, ",]"); i >= 0 {
		e = e[:i]
	}
	return e
}

// editDistance is the Levenshtein distance between a and b, counted in bytes: keys are ASCII.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// build makes the Site from typed values, applying every default of Fields, so that nothing
// downstream has to know one.
func build(name string, values map[string]any) *Site {
	get := func(key string) any { return valueOrDefault(values, key) }
	str := func(key string) string { v, _ := get(key).(string); return v }
	strs := func(key string) []string {
		v, _ := get(key).([]string)
		if _, set := values[key]; !set {
			// A default is shared by every Site: each gets its own copy to change.
			return slices.Clone(v)
		}
		return v
	}
	num := func(key string) int {
		switch v := get(key).(type) {
		case int64:
			// Out-of-range values are clamped so validation can report them without overflow.
			return int(max(min(v, 1<<31-1), -1<<31))
		case int:
			return v
		}
		return 0
	}
	flag := func(key string) bool { v, _ := get(key).(bool); return v }

	s := &Site{Source: name, Dir: filepath.Dir(name)}
	s.Domain = str("domain")
	s.TLS = TLS{
		Cert:               str("tls.cert"),
		Key:                str("tls.key"),
		DHParam:            str("tls.dhparam"),
		TrustedCertificate: str("tls.trusted_certificate"),
		Resolvers:          strs("tls.resolvers"),
		Profile:            str("tls.profile"),
		HSTS:               flag("tls.hsts"),
	}
	s.Users = Users{
		AdminUsers:        strs("users.admin"),
		AllowedUsers:      strs("users.allowed"),
		Roster:            str("users.roster"),
		RosterColumn:      str("users.roster_column"),
		RosterEmailDomain: str("users.roster_email_domain"),
	}
	s.Spawner = Spawner{
		Cmd:         strs("spawner.cmd"),
		DefaultURL:  str("spawner.default_url"),
		NotebookDir: str("spawner.notebook_dir"),
	}
	s.Hub = Hub{
		Port:               num("hub.port"),
		HubPort:            num("hub.hub_port"),
		ProxyAPIPort:       num("hub.proxy_api_port"),
		BaseURL:            str("hub.base_url"),
		StateDir:           str("hub.state_dir"),
		CookieSecretFile:   str("hub.cookie_secret_file"),
		ProxyAuthTokenFile: str("hub.proxy_auth_token_file"),
		Executable:         str("hub.executable"),
		UserSubdomains:     flag("hub.user_subdomains"),
	}
	s.Nginx = Nginx{
		HTTPPort:          num("nginx.http_port"),
		HTTPSPort:         num("nginx.https_port"),
		IPv6:              flag("nginx.ipv6"),
		ClientMaxBodySize: str("nginx.client_max_body_size"),
		ACMEWebroot:       str("nginx.acme_webroot"),
		Version:           str("nginx.version"),
		User:              str("nginx.user"),
		PIDFile:           str("nginx.pid"),
	}
	s.Spawner.Kind = str("spawner.kind")
	s.Culler = Culler{
		Enabled:       flag("culler.enabled"),
		Timeout:       duration(str("culler.timeout")),
		Interval:      duration(str("culler.interval")),
		MaxAge:        duration(str("culler.max_age")),
		Users:         flag("culler.users"),
		Concurrency:   num("culler.concurrency"),
		KernelTimeout: duration(str("culler.kernel_timeout")),
	}
	s.Limits = Limits{
		Memory:        str("limits.memory"),
		CPU:           number(get("limits.cpu")),
		HubMemoryMax:  str("limits.hub_memory_max"),
		HubMemoryHigh: str("limits.hub_memory_high"),
		HubTasksMax:   str("limits.hub_tasks_max"),
	}
	s.Auth = buildAuth(s, values)
	s.Kubernetes = Kubernetes{
		TLS:                     str("kubernetes.tls"),
		TLSSecret:               str("kubernetes.tls_secret"),
		LetsEncryptContactEmail: str("kubernetes.letsencrypt_contact_email"),
		OAuthSecret:             str("kubernetes.oauth_secret"),
	}
	return s
}

// valueOrDefault is key's value in the file, else its Field's default; nil when it has neither.
func valueOrDefault(values map[string]any, key string) any {
	if v, ok := values[key]; ok {
		return v
	}
	f, ok := fieldsByKey[key]
	switch {
	case !ok:
		panic("schema: build reads " + key + ", which is not in Fields")
	case f.DefaultFrom != nil:
		return f.DefaultFrom(func(other string) any { return valueOrDefault(values, other) })
	}
	return f.Default
}

// defaultExecutable finds the jupyterhub program: installs such as conda put jupyterhub and
// jupyterhub-singleuser in one bin directory, and the unit must run the hub from the same one.
func defaultExecutable(cmd []string) string {
	if len(cmd) > 0 && filepath.IsAbs(cmd[0]) && filepath.Base(cmd[0]) == "jupyterhub-singleuser" {
		return filepath.Join(filepath.Dir(cmd[0]), "jupyterhub")
	}
	return "/usr/bin/jupyterhub"
}
