package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

var cmdRender = &command{
	name:     "render",
	synopsis: "SITE... [--target server|z2jh] [-o ROOT] [-q]",
	short:    "validate sites and write (or print) their nginx, JupyterHub and systemd files, or (--target z2jh) a values.yaml for Kubernetes",
	long: `Validate each site file and render its files:

	nginx/nginx.conf                    0644
	jupyterhub/jupyterhub_config.py     0644 (paths to the secrets, never a secret)
	systemd/system/jupyterhub.service   0644

under ROOT, so that -o /etc puts them in place, and print one "wrote PATH" line per file on
standard output. Every file is staged beside its target and renamed into place only when all are
staged: a failed render leaves the old files as they were. A target that is a symlink stays one;
the file it points to is replaced. Existing files keep their mode and owner.

With several site files, each site's files go under ROOT/<site file name without .toml>/: one
directory per server, as a configuration repository keeps them. Sites that share a domain are
refused, since one domain name reaches one server. An invalid site does not stop the valid ones
from being written.

Without -o, the files are printed to standard output as a txtar archive ("-- path --" lines).
A site file given as "-" is read from standard input.

With --target z2jh, render writes z2jh/values.yaml instead: the values of the Zero to JupyterHub
Helm chart 4.x for the same users, sign-in, base URL, culling and limits, with the OAuth client
secret taken from a Kubernetes Secret (kubernetes.oauth_secret), never written. A PAM site is
refused, and every key the site sets that has no meaning on Kubernetes is named in a warning.`,
	minArgs: 1,
	maxArgs: -1,
	setup: func(fs *flag.FlagSet) func(*env, []string) int {
		root := fs.String("o", "", "write the files under `ROOT` (for example /etc) instead of printing them")
		quiet := fs.Bool("q", false, "do not list the files written")
		target := fs.String("target", schema.TargetServer, "render for `TARGET`: server (nginx, JupyterHub and systemd files) or z2jh (z2jh/values.yaml for the Zero to JupyterHub chart)")
		return func(e *env, paths []string) int { return runRender(e, paths, *root, *quiet, *target) }
	},
}

func runRender(e *env, paths []string, root string, quiet bool, target string) int {
	if !slices.Contains(schema.Targets, target) {
		return usageErrorIn(e, "render", "--target %q is not a target (server or z2jh)", target)
	}
	if root != "" && target == schema.TargetServer {
		warnRootInsideOutput(e, root)
	}
	sites, code := loadSitesFor(e, paths, target)
	if sites == nil {
		return code
	}
	archive := map[string][]byte{}
	for _, ls := range sites {
		if ls.site == nil {
			continue
		}
		files, err := render.Files(ls.site, render.WithVersion(hubgenVersion), render.WithTarget(target))
		if err != nil {
			// The validator admits only what the templates can write; this is a hubgen bug.
			fmt.Fprintf(e.stderr, "hubgen: %s: %v\n", ls.path, err)
			code = max(code, exitFailure)
			continue
		}
		if root == "" {
			for p, data := range files {
				archive[path.Join(ls.dir, p)] = data
			}
			continue
		}
		dir := filepath.Join(root, filepath.FromSlash(ls.dir))
		if err := render.Write(dir, files); err != nil {
			fmt.Fprintf(e.stderr, "hubgen: %s: %v%s\n", ls.path, err, sudoHint(err, os.Geteuid(), paths, root, target))
			code = max(code, exitFailure)
			continue
		}
		if !quiet {
			for _, p := range slices.Sorted(maps.Keys(files)) {
				fmt.Fprintf(e.stdout, "wrote %s\n", outputPath(root, ls, p))
			}
		}
	}
	if root == "" {
		return max(code, writeOut(e, "render", txtarOf(archive)))
	}
	return code
}

// warnRootInsideOutput catches `render site.toml -o /etc/nginx`, which would write
// /etc/nginx/nginx/nginx.conf: ROOT is the directory above nginx/, jupyterhub/ and systemd/.
func warnRootInsideOutput(e *env, root string) {
	clean := filepath.Clean(root)
	base := filepath.Base(clean)
	if base == "system" && filepath.Base(filepath.Dir(clean)) == "systemd" {
		base, clean = "systemd/system", filepath.Dir(clean)
	}
	switch base {
	case "nginx", "jupyterhub", "systemd", "systemd/system":
		fmt.Fprintf(e.stderr, "hubgen render: warning: -o %s ends in %s, so the files go to %s; to put them in place, use -o %s\n",
			root, base, filepath.Join(root, render.NginxConf), shell.Quote(filepath.Dir(clean)))
	}
}

// sudoHint suggests running as root when a render by another user fails for lack of permission,
// as it does at keeping a root-owned file's owner. The suggested command is the same render.
func sudoHint(err error, euid int, paths []string, root, target string) string {
	if euid == 0 || !errors.Is(err, fs.ErrPermission) {
		return ""
	}
	words := "sudo hubgen render"
	if target != schema.TargetServer {
		words += " --target " + shell.Quote(target)
	}
	for _, p := range paths {
		words += " " + shell.Quote(p)
	}
	return " (the files under " + root + " are not yours to write: run it as root, " + words + " -o " + shell.Quote(root) + ")"
}

// txtarOf is what render prints without -o: each file under a "-- path --" line, in path order.
func txtarOf(files map[string][]byte) []byte {
	a := &txtar.Archive{}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		a.Files = append(a.Files, txtar.File{Name: p, Data: files[p]})
	}
	return txtar.Format(a)
}
