package main

import "runtime/debug"

// version is the release's version, set when it is built:
//
//	go build -ldflags "-X main.version=v0.2.0" ./cmd/hubgen
var version string

// fallbackVersion is the version of a build that carries none: `go build` in a clone without
// -ldflags, and the tests, whose golden files name it in every rendered file's header.
const fallbackVersion = "0.1.0"

// hubgenVersion is the version `hubgen version` prints and every rendered file's header names.
var hubgenVersion = resolveVersion(version, debug.ReadBuildInfo)

// resolveVersion picks the version: the one set at release, else the module version the Go
// command recorded (so `go install github.com/hubgen/hubgen/cmd/hubgen@v0.2.0` says v0.2.0),
// else the fallback. "(devel)" is what the Go command records for a build from a work tree.
func resolveVersion(linked string, buildInfo func() (*debug.BuildInfo, bool)) string {
	if linked != "" {
		return linked
	}
	if info, ok := buildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return fallbackVersion
}
