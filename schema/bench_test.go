package schema

import (
	"fmt"
	"testing"

	"github.com/hubgen/hubgen/bench/sitegen"
)

// benchUsers are the course sizes the benchmarks measure: a typical course, a large lecture, and
// a whole university on one hub. bench/run.sh times the same sizes as whole processes.
var benchUsers = []int{30, 1000, 50000}

// BenchmarkDecode measures reading the TOML and finding every key's position.
func BenchmarkDecode(b *testing.B) {
	for _, n := range benchUsers {
		data := sitegen.TOML("course", n)
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				c := &checker{file: "course.toml"}
				raw, ok := decode(c, data)
				if !ok {
					b.Fatalf("decode: %v", c.problems)
				}
				if got := len(raw["users"].(map[string]any)["allowed"].([]any)); got != n {
					b.Fatalf("decoded %d allowed users, want %d", got, n)
				}
				if _, ok := c.pos.value[fmt.Sprintf("users.allowed[%d]", n-1)]; !ok {
					b.Fatalf("no position for the last allowed user")
				}
			}
		})
	}
}

// BenchmarkValidate measures what Parse does after decoding: checking types against Fields,
// applying defaults and validating every value, usernames above all.
func BenchmarkValidate(b *testing.B) {
	for _, n := range benchUsers {
		data := sitegen.TOML("course", n)
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			c := &checker{file: "course.toml"}
			raw, ok := decode(c, data)
			if !ok {
				b.Fatalf("decode: %v", c.problems)
			}
			pos := c.pos
			b.ReportAllocs()
			for b.Loop() {
				c := &checker{file: "course.toml", pos: pos}
				c.values = typed(c, raw)
				site := build("course.toml", c.values)
				c.site = site
				validate(c)
				if len(c.problems) > 0 {
					b.Fatalf("a valid site has problems:\n%v", c.problems)
				}
				if got := len(site.Users.AllowedUsers); got != n {
					b.Fatalf("%d allowed users, want %d", got, n)
				}
			}
		})
	}
}

// BenchmarkParse measures all of it through the exported entry point, as `hubgen render` does.
func BenchmarkParse(b *testing.B) {
	for _, n := range benchUsers {
		data := sitegen.TOML("course", n)
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				site, err := Parse("course.toml", data)
				if err != nil {
					b.Fatal(err)
				}
				if got := len(site.Users.AllowedUsers); got != n {
					b.Fatalf("%d allowed users, want %d", got, n)
				}
			}
		})
	}
}
