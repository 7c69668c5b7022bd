package schema_test

import (
	"slices"
	"testing"

	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

// TestInstalledOutputsAreRenders: the output paths the collision check guards are exactly where
// `hubgen render -o /etc` writes the server target's files, so that a file render adds or moves
// cannot be overwritten by a site's own path unnoticed.
func TestInstalledOutputsAreRenders(t *testing.T) {
	site, err := schema.Load("../examples/minimal.toml")
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Files(site)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for p := range files {
		want = append(want, "/etc/"+p)
	}
	slices.Sort(want)
	got := slices.Sorted(slices.Values(schema.InstalledOutputPaths))
	if !slices.Equal(got, want) {
		t.Errorf("schema's installed outputs %q, render writes %q", got, want)
	}
}
