package main

import (
	"flag"

	"github.com/hubgen/hubgen/schema"
)

var cmdSchema = &command{
	name:  "schema",
	short: "print the JSON Schema of site.toml, for editors",
	long: `Print the JSON Schema (draft 2020-12) of site.toml. Save it beside your site files and
name it on a site file's first line, and an editor that speaks JSON Schema for TOML (VS Code's
Even Better TOML, or any taplo-based one) underlines unknown keys and bad values as you type:

	hubgen schema > site.schema.json
	#:schema ./site.schema.json

The schema comes from the same table of keys and the same patterns as hubgen validate. A few
rules it cannot express (every port different, the roster file's contents) only validate checks.`,
	setup: func(*flag.FlagSet) func(*env, []string) int {
		return func(e *env, _ []string) int {
			return writeOut(e, "schema", schema.JSONSchema())
		}
	},
}
