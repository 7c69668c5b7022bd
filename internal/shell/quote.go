// Package shell quotes words for a POSIX shell, so that the commands hubgen suggests (fix lines,
// "run hubgen render ...") can be pasted as they are printed.
package shell

import "strings"

// Quote returns s as one shell word: unchanged when it holds only characters no shell treats
// specially, else in single quotes, each single quote in it closing the quotes, escaped, and
// opening them again.
func Quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_./:=@%+,-", c))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
