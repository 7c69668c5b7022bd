// Package templates carries the text templates of hubgen's outputs into the binary.
package templates

import "embed"

// FS holds every *.tmpl file. The templates hold layout only: values arrive already decided and
// pass through render's quoting helpers.
//
//go:embed *.tmpl
var FS embed.FS
