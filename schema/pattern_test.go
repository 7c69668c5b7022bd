package schema

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestUsernameOKMatchesPattern checks the hand-written usernameOK against UsernamePattern, which
// the JSON Schema publishes: editors and hubgen must accept exactly the same names.
func TestUsernameOKMatchesPattern(t *testing.T) {
	re := regexp.MustCompile(UsernamePattern)
	cases := []string{
		"", "a", "_", "-", ".", "0", "A", "kendra", "k.endra", "k-endra", "k_endra", "kendra9",
		"9kendra", "-kendra", ".kendra", "Kendra", "kEndra", "k endra", "kendra\n", "k\u0435ndra",
		"ké", "\u00e9", "k$", "k'", strings.Repeat("a", 31), strings.Repeat("a", 32),
		strings.Repeat("a", 33), "_" + strings.Repeat("9", 31), "_" + strings.Repeat("9", 32),
	}
	// Random strings over the characters that matter, short enough to reach both outcomes.
	const alphabet = "az_09.-A$ \u0435"
	runes := []rune(alphabet)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(36) {
			b.WriteRune(runes[rng.IntN(len(runes))])
		}
		cases = append(cases, b.String())
	}
	matched := 0
	for _, u := range cases {
		want := re.MatchString(u)
		if got := usernameOK(u); got != want {
			t.Errorf("usernameOK(%q) = %v, want %v (as %s)", u, got, want, UsernamePattern)
		}
		if want {
			matched++
		}
	}
	if matched < 100 || matched > len(cases)-100 {
		t.Fatalf("only %d of %d cases match: the test does not reach both outcomes", matched, len(cases))
	}
}
