package render

import (
	"sort"
	"strings"
)

// The site file is the whole truth for who gets in and who is admin, whatever
// JupyterHub's database remembers from earlier terms. Two of JupyterHub's own settings would
// otherwise undo that at every start:
//
//   - before 5.0, init_users hands every user in the database to Authenticator.add_user, which
//     puts them back into allowed_users; 5.x does the same while allow_existing_users is true;
//   - Authenticator.admin_users only ever grants admin, it never takes it away.
//
// So the config admits exactly the site's users through Authenticator.username_pattern, which
// every authenticator checks at login (get_authenticated_user) and init_users checks for every
// remembered user (add_user), with delete_invalid_users removing the users that fail it, their
// cookies and tokens with them; and it lists the admins in the admin role, whose membership
// JupyterHub sets to exactly that list at start, clearing the admin flag of everyone else.

// usernamePattern is a Python regular expression that re.match accepts for exactly the given
// names and nothing else (not a prefix, not an extension). It is a trie, not one alternative per
// name: JupyterHub matches every allowed and every remembered user against it at start, and with
// 50,000 plain alternatives that would be quadratic; in a trie the alternatives at each step
// begin with different characters, so a match costs about the length of the name.
//
// The names are schema-valid usernames, which are ASCII, so a byte is a character.
func usernamePattern(names []string) string {
	sorted := make([]string, len(names))
	copy(sorted, names)
	sort.Strings(sorted)
	// Distinct: a name listed twice would otherwise look like a prefix of itself.
	distinct := sorted[:0]
	for i, n := range sorted {
		if i == 0 || n != sorted[i-1] {
			distinct = append(distinct, n)
		}
	}
	var b strings.Builder
	b.Grow(len(distinct) * 12)
	if len(distinct) == 0 {
		// Matches nothing: an empty site admits nobody (schema never allows it).
		b.WriteString(`(?!)`)
		return b.String()
	}
	writeTrie(&b, distinct, 0)
	b.WriteString(`\Z`)
	return b.String()
}

// writeTrie writes the alternatives for names, which are sorted, distinct and share their first
// depth bytes. Sorted, a name that ends at depth comes first, since it is a prefix of the others.
func writeTrie(b *strings.Builder, names []string, depth int) {
	if len(names) == 1 {
		writeRegexpLiteral(b, names[0][depth:])
		return
	}
	ends := len(names[0]) == depth
	rest := names
	if ends {
		rest = names[1:]
	}
	// One branch and nothing ends here: a common prefix, no group needed.
	if !ends && rest[0][depth] == rest[len(rest)-1][depth] {
		writeRegexpLiteral(b, rest[0][depth:depth+1])
		writeTrie(b, rest, depth+1)
		return
	}
	b.WriteString("(?:")
	for start := 0; start < len(rest); {
		end := start + 1
		for end < len(rest) && rest[end][depth] == rest[start][depth] {
			end++
		}
		if start > 0 {
			b.WriteByte('|')
		}
		writeRegexpLiteral(b, rest[start][depth:depth+1])
		writeTrie(b, rest[start:end], depth+1)
		start = end
	}
	if ends {
		// The empty alternative last: the name that ends here, once the longer ones failed.
		b.WriteByte('|')
	}
	b.WriteByte(')')
}

// writeRegexpLiteral writes s so that Python's re reads it literally: a backslash before any ASCII
// character that is not a letter, digit or underscore is always a literal in Python's re.
func writeRegexpLiteral(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}
