package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strings"
)

// siteKey is one key of site.toml for the man page's reference, read from `hubgen schema`: the
// schema is generated from the same table (schema.Fields) as validation and init's scaffold, so
// the page cannot drift from the binary.
type siteKey struct {
	path        string // "hub.port"
	kind        string // "string", "integer", "boolean", "list of strings", "string or list of strings", ...
	required    bool
	def         string // the default in TOML, "" for none
	description string
}

// jsonSchema is the part of a JSON Schema the reference reads.
type jsonSchema struct {
	Description string                `json:"description"`
	Type        any                   `json:"type"`
	Required    []string              `json:"required"`
	Properties  map[string]jsonSchema `json:"properties"`
	Default     any                   `json:"default"`
	Items       *jsonSchema           `json:"items"`
	AnyOf       []jsonSchema          `json:"anyOf"`
	Enum        []any                 `json:"enum"`
}

// readKeys runs `hubgen schema` and lists every key: top-level values first, then each table's,
// tables and keys in name order (the schema's order).
func readKeys(hubgen string) ([]siteKey, error) {
	out, err := exec.Command(hubgen, "schema").Output()
	if err != nil {
		return nil, fmt.Errorf("hubgen schema: %w", err)
	}
	return parseKeys(out)
}

func parseKeys(data []byte) ([]siteKey, error) {
	var root jsonSchema
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("hubgen schema: %w", err)
	}
	var keys, tables []siteKey
	for _, name := range sortedNames(root.Properties) {
		p := root.Properties[name]
		if p.Type != "object" {
			keys = append(keys, newSiteKey(name, p, contains(root.Required, name)))
			continue
		}
		for _, sub := range sortedNames(p.Properties) {
			tables = append(tables, newSiteKey(name+"."+sub, p.Properties[sub], contains(p.Required, sub)))
		}
	}
	keys = append(keys, tables...)
	if len(keys) < 10 {
		return nil, errors.New("hubgen schema: fewer than 10 keys: not the schema of site.toml")
	}
	for _, k := range keys {
		if k.description == "" {
			return nil, fmt.Errorf("hubgen schema: %s has no description", k.path)
		}
	}
	return keys, nil
}

func newSiteKey(path string, s jsonSchema, required bool) siteKey {
	k := siteKey{path: path, kind: kindOf(s), required: required, description: strings.Join(strings.Fields(s.Description), " ")}
	if s.Default != nil {
		d, _ := json.Marshal(s.Default)
		k.def = strings.ReplaceAll(string(d), `","`, `", "`)
	}
	return k
}

// kindOf names a value's type as the page says it.
func kindOf(s jsonSchema) string {
	if len(s.AnyOf) > 0 {
		var kinds []string
		for _, a := range s.AnyOf {
			kinds = append(kinds, kindOf(a))
		}
		return strings.Join(kinds, " or ")
	}
	switch t := s.Type.(type) {
	case string:
		if t == "array" && s.Items != nil {
			return "list of " + kindOf(*s.Items) + "s"
		}
		if t == "number" {
			return "number"
		}
		return t
	case []any:
		var kinds []string
		for _, k := range t {
			kinds = append(kinds, fmt.Sprint(k))
		}
		return strings.Join(kinds, " or ")
	}
	if len(s.Enum) > 0 {
		return "string"
	}
	return "value"
}

func sortedNames(m map[string]jsonSchema) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}
