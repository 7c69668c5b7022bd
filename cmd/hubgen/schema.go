package main

import (
	"fmt"

	"github.com/hubgen/hubgen/schema"
)

const schemaHelp = `Print the JSON Schema (draft 2020-12) of site.toml. Save it beside your site files and
name it on a site file's first line, and an editor that speaks JSON Schema for TOML (VS Code's
Even Better TOML, or any taplo-based one) underlines unknown keys and bad values as you type:

	hubgen schema > site.schema.json
	#:schema ./site.schema.json

The schema comes from the same table of keys and the same patterns as hubgen validate. A few
rules it cannot express (every port different, the roster file's contents) only validate checks.`

func runSchema(e *env, args []string) int {
	fs := newFlagSet(e, "schema", "", schemaHelp)
	rest, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintln(e.stderr, "hubgen schema: takes no arguments (usage: hubgen schema > site.schema.json)")
		return exitFailure
	}
	if _, err := e.stdout.Write(schema.JSONSchema()); err != nil {
		fmt.Fprintf(e.stderr, "hubgen schema: write: %v\n", err)
		return exitFailure
	}
	return exitOK
}
