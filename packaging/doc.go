// Package packaging proves hubgen's release: the test here runs scripts/release.sh, checks its
// static binaries, checksums and reproducibility, runs lintian on the Debian packages, and
// installs them with dpkg on this machine (Debian 12) and in the Debian 13 root of the
// end-to-end tests, then removes them again. A second test installs hubgen with `go install
// ...@VERSION` from a module proxy on disk and checks that it knows its version without -ldflags.
//
// It lives beside the release's own tooling (./helpdoc writes the man page and the completion)
// rather than under e2e/, which tests what nginx and JupyterHub make of hubgen's output: this
// test is about what an admin installs. Run it with
//
//	sudo HUBGEN_E2E=require go test ./packaging/
//
// Without root the install steps skip (they fail under HUBGEN_E2E=require); -short skips it all.
//
// lintian's verdict, as of lintian 2.116 (Debian 12): no error, no warning, no info or pedantic
// tag. One tag is overridden in the package (usr/share/lintian/overrides/hubgen):
// statically-linked-binary, because a Go binary built with CGO_ENABLED=0 is static on purpose;
// lintian exempts Go binaries only when it sees a source package that build-depends on
// golang-go, which a package made by dpkg-deb from a Go build does not have.
package packaging
