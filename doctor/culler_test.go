package doctor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubgen/hubgen/schema"
)

// TestHubPython: which Python doctor asks, from the jupyterhub program's "#!" line.
func TestHubPython(t *testing.T) {
	for first, want := range map[string]string{
		"#!/usr/bin/python3\n":                      "/usr/bin/python3",
		"#!/opt/conda/bin/python3.11 -I\n":          "/opt/conda/bin/python3.11",
		"#!/usr/bin/env python3\n":                  "/opt/hub/bin/python3",
		"#!/bin/sh\n'''exec' python3 \"$0\" \"$@\"": "/opt/hub/bin/python3",
		"no line at all":                            "/opt/hub/bin/python3",
	} {
		f := newFixture(t)
		f.write("/opt/hub/bin/jupyterhub", first, 0o755)
		if got := hubPython(f.sys, "/opt/hub/bin/jupyterhub"); got != want {
			t.Errorf("jupyterhub starting %q: hub Python %s, want %s", first, got, want)
		}
	}
}

// TestHubPythonSkipsWhenNothingIsImported: with the culler off and the local spawner, the config
// imports nothing beyond JupyterHub, and doctor does not run Python at all.
func TestHubPythonSkipsWhenNothingIsImported(t *testing.T) {
	f := newFixture(t)
	f.site.Culler.Enabled = false
	f.site.Spawner.Kind = schema.SpawnerLocal
	f.sys.PyImport = func(python, module string) error { return errors.New("must not be called") }
	if r := checkHubPython(f.site, f.sys, nil); r.Status != Skip {
		t.Errorf("%s: %s, want skip", r.Status, r.Detail)
	}
}

// TestImportPythonIgnoresTheShellsPythonPath: doctor imports as the hub's unit would, without the
// PYTHONPATH of the shell it runs in, so a module found only there is reported missing.
func TestImportPythonIgnoresTheShellsPythonPath(t *testing.T) {
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skip("no " + python)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hubgen_shell_only.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PYTHONPATH", dir)
	if err := importPython(python, "json"); err != nil {
		t.Errorf("import json: %v", err)
	}
	err := importPython(python, "hubgen_shell_only")
	if err == nil || !strings.Contains(err.Error(), "No module named") {
		t.Errorf("import of a module only on the shell's PYTHONPATH: %v, want No module named", err)
	}
}
