package doctor

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The revisions of Debian 12's JupyterHub 3.0.0 and Debian 13's 5.2.1, as readHubSchema reads
// them from their alembic directories.
var (
	jupyterHub30 = HubSchema{JupyterHub: "3.0.0", Revisions: map[string][]string{
		"651f5419b74d": {"833da8570507"}, "833da8570507": {"4dc2d5a8c53c"}, "4dc2d5a8c53c": {"896818069c98"},
		"896818069c98": {"d68c98b66cd4"}, "d68c98b66cd4": {"99a28a4418e1"}, "99a28a4418e1": {"56cc5a70207e"},
		"56cc5a70207e": {"1cebaf56856c"}, "1cebaf56856c": {"3ec6993fe20c"}, "3ec6993fe20c": {"af4cbdb2d13c"},
		"af4cbdb2d13c": {"eeb276e51423"}, "eeb276e51423": {"19c0846f6344"}, "19c0846f6344": {},
	}}
	jupyterHub52 = func() HubSchema {
		s := HubSchema{JupyterHub: "5.2.1", Revisions: map[string][]string{
			"4621fec11365": {"3c2384c5aae1"}, "3c2384c5aae1": {"0eee8c825d24"}, "0eee8c825d24": {"651f5419b74d"},
		}}
		for rev, downs := range jupyterHub30.Revisions {
			s.Revisions[rev] = downs
		}
		return s
	}()
)

// database puts a database file in the state directory, and has the fixture's Python read the
// installed JupyterHub's schema and revision as the database's.
func (f *fixture) database(installed HubSchema, revision string) {
	f.write(f.site.Hub.DatabaseFile(), "SQLite format 3\x00", 0o600)
	f.sys.ReadHubSchema = func(python, database string) (HubSchema, error) {
		if database != f.path(f.site.Hub.DatabaseFile()) {
			f.t.Errorf("ReadHubSchema(%s), want the site's database under the root", database)
		}
		s := installed
		s.Database = revision
		return s, nil
	}
}

func TestDatabaseCurrent(t *testing.T) {
	f := newFixture(t)
	f.database(jupyterHub52, "4621fec11365")
	r := f.run()["database schema"]
	if r.Status != Pass || !strings.Contains(r.Detail, "schema 4621fec11365, JupyterHub 5.2.1's own") {
		t.Errorf("database at the installed head: %s: %s", r.Status, r.Detail)
	}
}

// TestReadHubSchemaDebian reads the schema of a real database with Debian's Python and
// JupyterHub: one made by `jupyterhub upgrade-db` (which creates a new database at the head).
func TestReadHubSchemaDebian(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import jupyterhub, alembic").Run(); err != nil {
		t.Skip("Debian's python3 with jupyterhub is not installed")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "jupyterhub.sqlite")
	cmd := exec.Command("/usr/bin/jupyterhub", "upgrade-db", "--db=sqlite:///"+db)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("jupyterhub upgrade-db: %v\n%s", err, out)
	}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	s, err := runReadHubSchema(python, db)
	if err != nil {
		t.Fatal(err)
	}
	if s.JupyterHub == "" || s.Database == "" || s.Database != s.head() {
		t.Errorf("a new database: %+v, head %q; want its revision to be the head", s, s.head())
	}
	if after, _ := os.ReadFile(db); string(after) != string(before) {
		t.Error("reading the schema changed the database")
	}
}
