package render

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/hubgen/hubgen/bench/sitegen"
	"github.com/hubgen/hubgen/schema"
)

// BenchmarkRender measures render.Files for a typical course, a large lecture and a whole
// university on one hub. bench/run.sh times the same sizes as whole processes.
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{30, 1000, 50000} {
		site, err := schema.Parse("course.toml", sitegen.TOML("course", n))
		if err != nil {
			b.Fatalf("generated site with %d users: %v", n, err)
		}
		last := []byte("'" + sitegen.Username(n) + "'")
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				files, err := Files(site)
				if err != nil {
					b.Fatal(err)
				}
				if !bytes.Contains(files[JupyterHubConf], last) {
					b.Fatalf("%s does not allow the last user %s", JupyterHubConf, last)
				}
			}
		})
	}
}

// BenchmarkUsernamePattern measures the trie that admits exactly a site's users: it must stay
// linear in the number of users (sorting aside), as a roster of 50,000 is rendered on every change.
func BenchmarkUsernamePattern(b *testing.B) {
	for _, n := range []int{1000, 50000} {
		names := make([]string, n)
		for i := range names {
			names[i] = sitegen.Username(i + 1)
		}
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if p := usernamePattern(names); len(p) == 0 {
					b.Fatal("empty pattern")
				}
			}
		})
	}
}
