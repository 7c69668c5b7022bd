package main

import (
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/hubgen/hubgen/render"
)

const renderHelp = `Validate each site file and render its files:

	nginx/nginx.conf                    0644
	jupyterhub/jupyterhub_config.py     0644 (paths to the secrets, never a secret)
	systemd/system/jupyterhub.service   0644

under ROOT, so that -o /etc puts them in place. Every file is staged beside its target and
renamed into place only when all are staged: a failed render leaves the old files as they were.
A target that is a symlink stays one; the file it points to is replaced. Existing files keep
their mode and owner.

With several site files, each site's files go under ROOT/<site file name without .toml>/, and an
invalid site does not stop the valid ones from being written.

Without -o, the files are printed to standard output as a txtar archive ("-- path --" lines).`

func runRender(e *env, args []string) int {
	fs := newFlagSet(e, "render", "SITE... [-o ROOT]", renderHelp)
	root := fs.String("o", "", "write the files under `ROOT` (for example /etc) instead of printing them")
	paths, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	if len(paths) == 0 {
		fmt.Fprintln(e.stderr, "hubgen render: no site file (usage: hubgen render SITE... [-o ROOT])")
		return exitFailure
	}
	sites, code := loadSites(e, paths)
	if sites == nil {
		return code
	}
	several := len(sites) > 1
	archive := map[string][]byte{}
	for _, ls := range sites {
		if ls.site == nil {
			continue
		}
		files, err := render.Files(ls.site)
		if err != nil {
			// The validator admits only what the templates can write; this is a hubgen bug.
			fmt.Fprintf(e.stderr, "hubgen: %s: %v\n", ls.path, err)
			code = max(code, exitFailure)
			continue
		}
		if *root == "" {
			for p, data := range files {
				if several {
					p = path.Join(ls.name, p)
				}
				archive[p] = data
			}
			continue
		}
		dir := *root
		if several {
			dir = filepath.Join(dir, ls.name)
		}
		if err := render.Write(dir, files); err != nil {
			fmt.Fprintf(e.stderr, "hubgen: %s: %v\n", ls.path, err)
			code = max(code, exitFailure)
			continue
		}
	}
	if *root == "" {
		if _, err := e.stdout.Write(txtarOf(archive)); err != nil {
			fmt.Fprintf(e.stderr, "hubgen render: write standard output: %v\n", err)
			return exitFailure
		}
	}
	return code
}

// txtarOf is what render prints without -o: each file under a "-- path --" line, in path order.
func txtarOf(files map[string][]byte) []byte {
	a := &txtar.Archive{}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		a.Files = append(a.Files, txtar.File{Name: p, Data: files[p]})
	}
	return txtar.Format(a)
}
