package schema

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

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

// TestEverySiteFieldHasARow: each value of Site that a site file sets is some row's Into, and
// each row's Into is a field of Site no other row fills, so a field added to Site without a row
// (or two rows filling one field) fails here rather than staying zero in every rendered file.
func TestEverySiteFieldHasARow(t *testing.T) {
	s := &Site{}
	rows := map[uintptr]string{}
	for _, f := range Fields {
		if f.Into == nil {
			t.Errorf("%s: no Into (where build puts the value in a Site)", f.Key)
			continue
		}
		p := reflect.ValueOf(f.Into(s))
		if p.Kind() != reflect.Pointer {
			t.Errorf("%s: Into returns a %s, want a pointer into the Site", f.Key, p.Type())
			continue
		}
		if other, dup := rows[p.Pointer()]; dup {
			t.Errorf("%s and %s both fill the same field of Site", other, f.Key)
		}
		rows[p.Pointer()] = f.Key
	}
	// Not from the site file's keys: where it is, what the checks found, and positions.
	notKeys := map[string]bool{"Source": true, "Dir": true, "Warnings": true, "pos": true}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := range v.NumField() {
			field, sf := v.Field(i), v.Type().Field(i)
			name := path + sf.Name
			switch {
			case path == "" && notKeys[sf.Name]:
			case sf.Type.Kind() == reflect.Struct && sf.Type != reflect.TypeFor[time.Duration]():
				walk(field, name+".")
			default:
				if _, ok := rows[field.Addr().Pointer()]; !ok {
					t.Errorf("Site.%s has no row in Fields whose Into points at it (add one, with its key's type, default, doc and Z2JH)", name)
				}
			}
		}
	}
	walk(reflect.ValueOf(s).Elem(), "")
}

// TestDefaultSlicesNotShared: two sites that both take a list's default each get their own copy:
// a change to one site's list (validation normalizes, render sorts) cannot reach the other site
// or the default itself.
func TestDefaultSlicesNotShared(t *testing.T) {
	text := siteText(required)
	lists := 0
	for _, f := range Fields {
		def, ok := f.Default.([]string)
		if !ok || len(def) == 0 {
			continue
		}
		lists++
		want := slices.Clone(def)
		a, errA := Parse("a.toml", []byte(text))
		b, errB := Parse("b.toml", []byte(text))
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		(*f.Into(a).(*[]string))[0] = "changed"
		if got := *f.Into(b).(*[]string); !slices.Equal(got, want) {
			t.Errorf("%s: changing one site's list changed another's to %q", f.Key, got)
		}
		if !slices.Equal(f.Default.([]string), want) {
			t.Errorf("%s: changing one site's list changed the default to %q", f.Key, f.Default)
		}
	}
	if lists == 0 {
		t.Fatal("no row has a non-empty list default: the test checks nothing")
	}
}
