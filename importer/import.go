// Package importer reads a hand-written (or hubgen-rendered) deployment, an nginx.conf with its
// includes, a jupyterhub_config.py and a systemd unit, and states its intent as a site.toml,
// with a report of everything the site file cannot express.
package importer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hubgen/hubgen/render"
)

// Options name the deployment's files and how to load the Python config.
type Options struct {
	Nginx      string // the main nginx.conf
	Config     string // jupyterhub_config.py
	Unit       string // the systemd unit; empty: none given
	ConfigJSON string // instead of loading Config: what the loader (LoaderScript) or `jupyterhub --show-config-json` printed elsewhere
	JupyterHub string // the jupyterhub program whose Python loads Config; default "jupyterhub"
	Timeout    time.Duration
}

// Item is something of the old files the site file does not carry over, or carries differently.
type Item struct {
	At    string // FILE:LINE, or FILE
	Table string // the site.toml table it belongs to ("" for the top)
	What  string
}

// Secret is a secret written inline in the old files: the file it should move to and how.
type Secret struct {
	At      string
	What    string // "the OAuth client secret", ...
	File    string // where the site file now expects it
	Command string // safe to paste: it moves the value without printing it
}

// Mistake is one of README's "What hubgen fixes" that the old files made.
type Mistake struct {
	Number int
	At     string
	What   string
}

// Result is what Import found.
type Result struct {
	Site     []byte    // the site.toml text
	Items    []Item    // not carried over
	Secrets  []Secret  // inline secrets to move
	Mistakes []Mistake // from the mistakes list, in number order
	// Read maps each output hubgen renders (render.NginxConf, ...) to the old file it replaces.
	Read map[string]string
	// JupyterHubVersion is the version of the JupyterHub whose loader ran the config; empty with
	// Options.ConfigJSON.
	JupyterHubVersion string
}

// Import reads the deployment o names and states it as a site file.
func Import(o Options) (*Result, error) {
	if o.JupyterHub == "" {
		o.JupyterHub = "jupyterhub"
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	tree, _, err := readNginx(o.Nginx)
	if err != nil {
		return nil, err
	}
	var hub *hubConfig
	if o.ConfigJSON != "" {
		hub, err = readConfigJSON(o.ConfigJSON)
	} else {
		hub, err = loadHubConfig(o.Config, o.JupyterHub, o.Timeout)
	}
	if err != nil {
		if errors.Is(err, ErrNoJupyterHub) {
			return nil, fmt.Errorf("%w, and import evaluates %s only with JupyterHub's own loader, never by reading its Python text; "+
				"on the machine with JupyterHub run `python3 loader.py %s > config.json` with JupyterHub's Python "+
				"(loader.py from `hubgen import --print-loader`; it only loads the config) and give that file with --config-json, "+
				"or install jupyterhub here", err, o.Config, o.Config)
		}
		return nil, err
	}
	im := &importer{o: o, values: map[string]any{}, where: map[string]string{}, hub: hub, res: &Result{Read: map[string]string{}}}
	im.res.JupyterHubVersion = hub.JupyterHub
	im.res.Read[render.NginxConf] = o.Nginx
	if o.Config != "" {
		im.res.Read[render.JupyterHubConf] = o.Config
	}
	im.nginx(tree)
	im.python()
	im.classStartNginx()
	if o.Unit != "" {
		if err := im.unit(); err != nil {
			return nil, err
		}
		im.res.Read[render.SystemdUnit] = o.Unit
	}
	im.fileModes()
	if err := im.finish(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(im.res.Mistakes, func(a, b Mistake) int { return a.Number - b.Number })
	return im.res, nil
}

type importer struct {
	o      Options
	hub    *hubConfig
	values map[string]any    // site key -> string, []string, int, bool or float64
	where  map[string]string // site key -> FILE:LINE its value came from
	res    *Result
	used   map[string]bool // config keys understood
	// wildcardAt is where nginx's server_name named *.DOMAIN (users' hosts), if it did.
	wildcardAt string
	// nginx's worker limits and the config's class-start lines, checked against the class size
	// once the users are known (classstart.go).
	workerConnections, workerRlimit       *directive
	kernelRestarterArg, classStartSpawner bool
}

func (im *importer) item(at, table, format string, args ...any) {
	im.res.Items = append(im.res.Items, Item{At: at, Table: table, What: fmt.Sprintf(format, args...)})
}

func (im *importer) mistake(n int, at, format string, args ...any) {
	for _, m := range im.res.Mistakes {
		if m.Number == n && m.At == at {
			return
		}
	}
	im.res.Mistakes = append(im.res.Mistakes, Mistake{Number: n, At: at, What: fmt.Sprintf(format, args...)})
}

// set records a site key's value, the first source winning; a later different value is reported.
func (im *importer) set(key string, v any, at string) {
	if old, ok := im.values[key]; ok {
		if fmt.Sprint(old) != fmt.Sprint(v) {
			table, _, _ := strings.Cut(key, ".")
			if !strings.Contains(key, ".") {
				table = ""
			}
			im.item(at, table, "%s would be %s here, but is %s from %s: kept that", key, tomlValue(v), tomlValue(old), im.where[key])
		}
		return
	}
	im.values[key] = v
	im.where[key] = at
}
