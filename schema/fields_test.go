package schema

import (
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// required are the required keys, as TOML values.
var required = map[string]string{
	"domain":      `"hub.example.edu"`,
	"tls.cert":    `"/c.pem"`,
	"tls.key":     `"/k.pem"`,
	"users.admin": `["prof"]`,
	"spawner.cmd": `"/opt/conda/bin/jupyterhub-singleuser"`,
}

// siteText writes a site file setting keys (dotted key to TOML value).
func siteText(keys map[string]string) string {
	var b strings.Builder
	for _, table := range append([]Table{{}}, Tables...) {
		t := table.Name
		if t != "" {
			b.WriteString("[" + t + "]\n")
		}
		for _, f := range Fields {
			table, name, ok := strings.Cut(f.Key, ".")
			if !ok {
				table, name = "", f.Key
			}
			if v, set := keys[f.Key]; set && table == t {
				b.WriteString(name + " = " + v + "\n")
			}
		}
	}
	return b.String()
}

// TestFieldDefaults checks that each default is written as a value of its key's kind, so that
// build, init and the JSON Schema can all read it. A default written the old way, as TOML text
// (`"1.22"`, "8000"), fails here.
func TestFieldDefaults(t *testing.T) {
	want := map[Kind]reflect.Type{
		KindString:  reflect.TypeFor[string](),
		KindStrings: reflect.TypeFor[[]string](),
		KindCommand: reflect.TypeFor[[]string](),
		KindInt:     reflect.TypeFor[int](),
		KindBool:    reflect.TypeFor[bool](),
	}
	for _, f := range Fields {
		switch {
		case f.Default != nil && reflect.TypeOf(f.Default) != want[f.Kind]:
			t.Errorf("%s: Default is a %T, want a %v for %s", f.Key, f.Default, want[f.Kind], f.Kind)
		case f.Default != nil && (f.DefaultFrom != nil || f.DefaultDoc != ""):
			t.Errorf("%s: a Default value and a DefaultFrom or DefaultDoc: keep one", f.Key)
		case f.DefaultFrom != nil && f.DefaultDoc == "":
			t.Errorf("%s: DefaultFrom without a DefaultDoc saying it in words", f.Key)
		case f.Required && (f.Default != nil || f.DefaultFrom != nil):
			t.Errorf("%s: required, yet has a default", f.Key)
		}
		if s, ok := f.Default.(string); ok && (strings.HasPrefix(s, `"`) || strings.HasPrefix(s, "[")) {
			t.Errorf("%s: Default %s is TOML text; write the value itself", f.Key, s)
		}
	}
}

// TestDefaultsApplied checks that leaving a key out is the same as writing its default: build
// applies every Default of Fields, and every default passes validation.
func TestDefaultsApplied(t *testing.T) {
	omitted, err := Parse("site.toml", []byte(siteText(required)))
	if err != nil {
		t.Fatal(err)
	}
	keys := maps.Clone(required)
	for _, f := range Fields {
		if f.Default != nil {
			keys[f.Key] = tomlValueText(f.Default)
		}
	}
	text := siteText(keys)
	written, err := Parse("site.toml", []byte(text))
	if err != nil {
		t.Fatalf("a site with every default written out is invalid:\n%v\n%s", err, text)
	}
	if diff := cmp.Diff(written, omitted, cmpopts.IgnoreUnexported(Site{})); diff != "" {
		t.Errorf("leaving keys out differs from writing their defaults (-written +omitted):\n%s\n%s", diff, text)
	}
}
