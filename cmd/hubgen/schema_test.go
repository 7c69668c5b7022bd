package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSchemaCommand: `hubgen schema` prints the reviewed golden schema (schema/testdata, kept by
// the schema package's tests), as JSON an editor can load, and takes no arguments.
func TestSchemaCommand(t *testing.T) {
	code, stdout, stderr := hubgen(t, "schema")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	want, err := os.ReadFile("../../schema/testdata/site.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), stdout); diff != "" {
		t.Errorf("hubgen schema differs from the golden schema (-want +got):\n%s", diff)
	}
	var doc struct {
		Schema string `json:"$schema"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("not a draft 2020-12 JSON Schema: %q, %v", doc.Schema, err)
	}

	code, stdout, stderr = hubgen(t, "schema", "site.toml")
	if code != exitFailure || stdout != "" || !strings.HasPrefix(stderr, "hubgen schema: takes no arguments, got \"site.toml\"\nusage: hubgen schema\n") {
		t.Errorf("with an argument: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
