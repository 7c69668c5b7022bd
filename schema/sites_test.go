package schema

import (
	"strings"
	"testing"
)

// TestSharedDomains: the problem is at the later site's domain value, names the first's, and
// both sites are dropped; positions come from the parse, so a quoted key or a table before the
// domain (which a line scanner would miss) is placed right.
func TestSharedDomains(t *testing.T) {
	const rest = "\n[tls]\ncert = \"/c.pem\"\nkey = \"/k.pem\"\n[users]\nadmin = [\"prof\"]\n[spawner]\ncmd = \"/bin/x\"\n"
	parse := func(name, text string) *Site {
		t.Helper()
		s, err := Parse(name, []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := parse("a.toml", "domain = \"hub.example.edu\""+rest)
	b := parse("b.toml", "# b\n\"domain\" =   \"hub.example.edu\""+rest)
	c := parse("c.toml", "domain = \"other.example.edu\""+rest)
	clash, problems := SharedDomains([]*Site{a, nil, c, b})
	if len(clash) != 2 || clash[0] != 0 || clash[1] != 3 {
		t.Errorf("clash %v, want [0 3]", clash)
	}
	want := `b.toml:2:14: domain: "hub.example.edu" is also the domain of a.toml:1:10 (one domain name reaches one server: give each course its own domain, or render the two sites in separate runs)`
	if got := strings.TrimSpace(problems.Error()); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
