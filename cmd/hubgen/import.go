package main

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/hubgen/hubgen/importer"
	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

var cmdImport = &command{
	name:     "import",
	synopsis: "--nginx FILE --config FILE [--unit FILE] [--config-json FILE] [-o SITE] [--force]",
	short:    "bring a hand-written server under hubgen: write a site.toml from its files, with a report",
	long: `Read an existing deployment, its nginx.conf (with every file it includes), its
jupyterhub_config.py and, if given, its systemd unit, and write a site file that states the same
intent: domain, TLS files, ports, base_url, state files, admins and allowed users, spawner, sign-in,
culler and limits.

The Python config is run, not read: JupyterHub's own config loader (from the Python of the
jupyterhub program on PATH, or --jupyterhub) loads it in an empty scratch directory, stopped after
--timeout, and only the loading runs (never the hub's start). Where JupyterHub is not installed,
"hubgen import --print-loader > loader.py" prints that loader: run "python3 loader.py FILE >
config.json" with JupyterHub's Python where it is installed, and give --config-json config.json.
--config-json also reads what "jupyterhub -f FILE --show-config-json" prints (without positions;
and that command starts the hub's initialisation, a database and on JupyterHub 3 system accounts,
so never run it on the live server).

A secret written inline (an OAuth client secret, a proxy token, a cookie secret) is never copied:
the site file names the file it belongs in (0600), and the report gives the command that moves it
there without printing it.

Printed on standard output, in order: the report (everything the site file does not carry over,
each with its FILE:LINE and why; the site file carries the same lines as comments), the inline
secrets, the mistakes of README's "What hubgen fixes" the old files made, and the diff from the
old files to what "hubgen render" would write (as "hubgen check" prints it).

Without -o the site file is printed after the report; -o writes it, all-or-nothing, and never
over an existing file without --force.

Exit status: 0 imported (read the report); 1 the old files cannot be imported (an nginx syntax
error, an include cycle, a file too large, a config that fails or does not finish loading) or the
site file made from them is invalid, and nothing is written; 2 a usage error, a file that cannot
be read or written, or no JupyterHub to load the config with.`,
	setup: func(fs *flag.FlagSet) func(*env, []string) int {
		var o importer.Options
		fs.StringVar(&o.Nginx, "nginx", "", "the deployment's main nginx.conf `FILE` (required)")
		fs.StringVar(&o.Config, "config", "", "its jupyterhub_config.py `FILE` (required unless --config-json)")
		fs.StringVar(&o.Unit, "unit", "", "its systemd unit `FILE`, for the executable, working directory and limits")
		fs.StringVar(&o.ConfigJSON, "config-json", "", "the JSON `FILE` the loader (or jupyterhub --show-config-json) printed elsewhere, instead of loading --config here")
		fs.StringVar(&o.JupyterHub, "jupyterhub", "jupyterhub", "the jupyterhub `PROGRAM` whose Python loads the config")
		fs.DurationVar(&o.Timeout, "timeout", 30*time.Second, "stop loading the config after this `DURATION`")
		out := fs.String("o", "", "write the site file to `SITE` (default: print it)")
		force := fs.Bool("force", false, "overwrite SITE if it exists")
		printLoader := fs.Bool("print-loader", false, "print the Python loader, to run where JupyterHub is installed, and exit")
		return func(e *env, _ []string) int {
			if *printLoader {
				return writeOut(e, "import", importer.LoaderScript())
			}
			return runImport(e, o, *out, *force)
		}
	},
}

func runImport(e *env, o importer.Options, out string, force bool) int {
	switch {
	case o.Nginx == "":
		return usageErrorIn(e, "import", "no --nginx FILE")
	case o.Config == "" && o.ConfigJSON == "":
		return usageErrorIn(e, "import", "no --config FILE (or --config-json FILE)")
	}
	if out != "" && !force {
		if _, err := os.Lstat(out); err == nil {
			fmt.Fprintf(e.stderr, "hubgen import: %s exists; give --force to overwrite it, or another -o\n", out)
			return exitFailure
		}
	}
	res, err := importer.Import(o)
	if err != nil {
		fmt.Fprintf(e.stderr, "hubgen import: %v\n", err)
		if errors.Is(err, importer.ErrNoJupyterHub) || errors.Is(err, os.ErrNotExist) || strings.HasPrefix(err.Error(), "read ") {
			return exitFailure
		}
		return exitInvalid
	}
	name := "site.toml"
	if out != "" {
		name = filepath.Base(out)
	}
	code := exitOK
	site, err := schema.Parse(name, res.Site)
	if err != nil {
		fmt.Fprintf(e.stderr, "hubgen import: the site file made from these files is invalid; fix the old files or write it by hand from the report:\n%v\n", err)
		code = exitInvalid
	}
	var b strings.Builder
	writeImportReport(&b, res)
	if site != nil {
		files, err := render.Files(site)
		if err != nil {
			fmt.Fprintf(e.stderr, "hubgen import: %v\n", err)
			return exitFailure
		}
		b.WriteString("\nWhat `hubgen render` would change (old file -> rendered):\n")
		for _, p := range slices.Sorted(maps.Keys(files)) {
			old, ok := res.Read[p]
			if !ok {
				fmt.Fprintf(&b, "  %s: new (no old file given)\n", p)
				continue
			}
			data, err := os.ReadFile(old)
			if err != nil {
				fmt.Fprintf(e.stderr, "hubgen import: %v\n", err)
				return exitFailure
			}
			b.Write(diff.Diff(old, res.HideSecrets(data, old), "b/"+p, files[p]))
		}
	}
	if out == "" {
		b.WriteString("\n-- " + name + " --\n")
		b.Write(res.Site)
	}
	if code == exitInvalid {
		writeOut(e, "import", []byte(b.String()))
		return code
	}
	if out != "" {
		if err := writeSiteFile(out, res.Site, force); err != nil {
			fmt.Fprintf(e.stderr, "hubgen import: %v\n", err)
			return exitFailure
		}
	}
	if c := writeOut(e, "import", []byte(b.String())); c != exitOK {
		return c
	}
	return code
}

func writeImportReport(b *strings.Builder, res *importer.Result) {
	if res.JupyterHubVersion != "" {
		fmt.Fprintf(b, "Loaded the Python config with JupyterHub %s's loader.\n", res.JupyterHubVersion)
	}
	fmt.Fprintf(b, "\nNot carried over (%d; each is a comment in the site file too):\n", len(res.Items))
	for _, it := range res.Items {
		fmt.Fprintf(b, "  %s: %s\n", it.At, it.What)
	}
	if len(res.Secrets) > 0 {
		fmt.Fprintf(b, "\nSecrets written inline (%d): move each into its file, check it, then delete the line:\n", len(res.Secrets))
		for _, s := range res.Secrets {
			fmt.Fprintf(b, "  %s: %s belongs in %s (0600):\n    %s\n", s.At, s.What, s.File, s.Command)
		}
	}
	fmt.Fprintf(b, "\nMistakes of README's \"What hubgen fixes\" in these files (%d):\n", len(res.Mistakes))
	for _, m := range res.Mistakes {
		fmt.Fprintf(b, "  %d. %s: %s\n", m.Number, m.At, m.What)
	}
}

// writeSiteFile writes the imported site file all-or-nothing: staged beside it, then linked into
// place (which fails if one appeared meanwhile) or, with force, renamed over the old one.
func writeSiteFile(path string, data []byte, force bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hubgen-import-*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if force {
		err = os.Rename(tmp.Name(), path)
	} else {
		err = os.Link(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
