package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/schema"
)

// HubSchema is what the installed JupyterHub and its database say about the database's schema,
// which JupyterHub versions with alembic.
type HubSchema struct {
	JupyterHub string // the installed JupyterHub's version, "3.0.0"
	// Revisions maps each alembic revision the installed JupyterHub knows to the ones before it.
	Revisions map[string][]string
	// Database is the revision in the database's alembic_version table; "" when it has none.
	Database string
}

// head is the installed JupyterHub's newest revision: the one no other revision follows.
func (s HubSchema) head() string {
	follows := map[string]bool{}
	for _, downs := range s.Revisions {
		for _, d := range downs {
			follows[d] = true
		}
	}
	var heads []string
	for rev := range s.Revisions {
		if !follows[rev] {
			heads = append(heads, rev)
		}
	}
	sort.Strings(heads)
	return strings.Join(heads, ",")
}

// readHubSchema is run by the hub's Python: alembic's own reading of JupyterHub's migrations, and
// the database's revision read through a read-only connection (doctor never writes the database).
const readHubSchema = `
import json, os, sqlite3, sys, urllib.parse
import jupyterhub
from alembic.script import ScriptDirectory
scripts = ScriptDirectory(os.path.join(os.path.dirname(jupyterhub.__file__), "alembic"))
revisions = {}
for s in scripts.walk_revisions():
    down = s.down_revision
    revisions[s.revision] = [] if down is None else [down] if isinstance(down, str) else list(down)
database = ""
db = sqlite3.connect("file:" + urllib.parse.quote(sys.argv[1]) + "?mode=ro", uri=True)
try:
    rows = db.execute("SELECT version_num FROM alembic_version").fetchall()
    database = ",".join(sorted(r[0] for r in rows))
except sqlite3.OperationalError as e:
    if "no such table" not in str(e):
        raise
json.dump({"JupyterHub": jupyterhub.__version__, "Revisions": revisions, "Database": database}, sys.stdout)
`

// runReadHubSchema runs readHubSchema with python on the database file.
func runReadHubSchema(python, database string) (HubSchema, error) {
	ctx, cancel := context.WithTimeout(context.Background(), pythonImportTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", readHubSchema, database)
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		return HubSchema{}, fmt.Errorf("%v: %s", err, lines[len(lines)-1])
	}
	var s HubSchema
	if err := json.Unmarshal(out, &s); err != nil {
		return HubSchema{}, fmt.Errorf("reading its output: %v", err)
	}
	return s, nil
}

// checkDatabase: a JupyterHub upgrade (Debian 12's 3.0 to Debian 13's 5.2) brings a newer schema.
// The rendered config has the hub upgrade the database at start (c.JupyterHub.upgrade_db), after
// JupyterHub copies the SQLite file beside it; a database from a newer JupyterHub than the one
// installed (a downgrade, a restored backup) stops the hub, and only a person can choose between
// the two.
func checkDatabase(site *schema.Site, sys System, _ *facts) Result {
	r := Result{Name: "database schema"}
	database := sys.path(site.Hub.DatabaseFile())
	if _, err := os.Stat(database); err != nil {
		r.Status = Skip
		if errors.Is(err, fs.ErrNotExist) {
			r.Status = Pass
		}
		r.Detail = fmt.Sprintf("%s: %v (the hub makes it at its first start)", database, describeError(err))
		return r
	}
	python := sys.path(hubPython(sys, site.Hub.Executable))
	s, err := sys.ReadHubSchema(python, database)
	if err != nil {
		r.Status = Skip
		r.Detail = fmt.Sprintf("%s could not read the schema of %s: %v", python, database, err)
		return r
	}
	head := s.head()
	switch {
	case s.Database == head:
		r.Detail = fmt.Sprintf("%s: schema %s, JupyterHub %s's own", database, s.Database, s.JupyterHub)
	case s.Database == "":
		r.Status = Warn
		r.Detail = fmt.Sprintf("%s: has no alembic_version table (is it JupyterHub's database?); JupyterHub %s expects schema %s", database, s.JupyterHub, head)
		r.Fix = note("look at the file with sqlite3 before the hub starts on it; hub.state_dir may name another service's directory")
	case s.Revisions[s.Database] != nil:
		// Known, and not the head: an older JupyterHub made it.
		r.Status = Warn
		r.Detail = fmt.Sprintf("%s: schema %s, from an older JupyterHub than %s (%s): the hub upgrades it at its next start (c.JupyterHub.upgrade_db in the rendered config), after copying it to %s.<date>-<time>",
			database, s.Database, s.JupyterHub, head, filepath.Base(database))
		r.Fix = "systemctl restart jupyterhub  # after hubgen render: a config rendered before this hubgen lacks upgrade_db, and the hub would stop with \"run jupyterhub upgrade-db\""
	default:
		r.Status = Fail
		r.Detail = fmt.Sprintf("%s: schema %s is not one JupyterHub %s knows (its newest is %s): a newer JupyterHub made it, and this one would refuse to start",
			database, s.Database, s.JupyterHub, head)
		r.Fix = "ls -l " + shell.Quote(database) + ".*  # install the JupyterHub that made it again, or stop the hub and put back the copy JupyterHub made before it upgraded"
	}
	return r
}
