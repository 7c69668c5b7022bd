package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hubgen/hubgen/internal/lazyregexp"
	"github.com/hubgen/hubgen/schema"
)

// cullerServiceName is the name of the culler's JupyterHub service and of its role; the hub's log
// names the service on every request the culler makes.
const cullerServiceName = "idle-culler"

// cullerScopes are exactly the scopes jupyterhub-idle-culler's README lists: it reads the user
// list with each user's activity and servers, and stops servers. Nothing here lets it act as an
// admin.
var cullerScopes = []string{"list:users", "read:users:activity", "read:servers", "delete:servers"}

// cullerUserScope is the one more scope the culler needs to delete users (--cull-users).
const cullerUserScope = "admin:users"

// systemdSpawnerClass is SystemdSpawner by its full class path, which imports without the entry
// points that only `pip install` registers.
const systemdSpawnerClass = "systemdspawner.SystemdSpawner"

// cullerView is what the config template needs for culling: the service and its role, and the
// arguments that make each notebook server cull its own idle kernels.
type cullerView struct {
	Service    *cullerService // nil: the culler is off
	KernelArgs []string       // empty: kernels are not culled
}

type cullerService struct {
	Name        string
	Args        []string // after sys.executable
	Scopes      []string
	Description string
	Timeout     string // as a person writes it, for the comment
}

// resourcesView is the spawner choice and the limits, decided here for the templates.
type resourcesView struct {
	SpawnerClass string // empty: JupyterHub's default, the local process spawner
	MemLimit     string // empty: none
	CPULimit     float64
	UnitLimits   []unitLimit // the hub unit's [Service] resource settings
	UnitLimitsOn []string    // comment lines: what the unit's limits hold
}

type unitLimit struct {
	Name, Value string
}

func newCullerView(s *schema.Site) cullerView {
	var v cullerView
	c := s.Culler
	if c.Enabled {
		svc := &cullerService{
			Name:        cullerServiceName,
			Description: "Stops servers idle for " + schema.FormatDuration(c.Timeout) + " (written by hubgen)",
			Timeout:     schema.FormatDuration(c.Timeout),
			Args: []string{
				"-m", "jupyterhub_idle_culler",
				"--timeout=" + seconds(c.Timeout),
				"--cull-every=" + seconds(c.Interval),
				"--concurrency=" + strconv.Itoa(c.Concurrency),
				// The culler reads idle_culler_config.py from its working directory, the hub's
				// state directory, when one is there: the site file must be the whole truth.
				"--config=",
			},
			Scopes: append([]string(nil), cullerScopes...),
		}
		if c.MaxAge > 0 {
			svc.Args = append(svc.Args, "--max-age="+seconds(c.MaxAge))
		}
		if c.Users {
			svc.Args = append(svc.Args, "--cull-users=True")
			svc.Scopes = append(svc.Scopes, cullerUserScope)
		}
		v.Service = svc
	}
	if c.KernelTimeout > 0 {
		// The notebook server's own culler looks every cull_interval (5 minutes by default); a
		// shorter timeout needs it to look more often to mean what it says.
		interval := min(5*time.Minute, max(time.Second, c.KernelTimeout/2))
		v.KernelArgs = []string{
			"--MappingKernelManager.cull_idle_timeout=" + seconds(c.KernelTimeout),
			"--MappingKernelManager.cull_interval=" + seconds(interval),
			// Students leave notebooks open in a tab for days; an open tab is not use.
			"--MappingKernelManager.cull_connected=True",
		}
	}
	return v
}

func newResourcesView(s *schema.Site) resourcesView {
	v := resourcesView{MemLimit: s.Limits.Memory, CPULimit: s.Limits.CPU}
	if s.Spawner.Kind == schema.SpawnerSystemd {
		v.SpawnerClass = systemdSpawnerClass
	}
	for _, l := range []unitLimit{
		{"MemoryHigh", s.Limits.HubMemoryHigh},
		{"MemoryMax", s.Limits.HubMemoryMax},
		{"TasksMax", s.Limits.HubTasksMax},
	} {
		if l.Value != "" {
			v.UnitLimits = append(v.UnitLimits, l)
		}
	}
	// The local spawner starts every server in the hub's own cgroup; SystemdSpawner starts each
	// in a unit of its own, outside the hub's.
	v.UnitLimitsOn = []string{
		"The cap of the hub and every server it starts, all in this unit's cgroup: the machine keeps",
		"memory for sshd and nginx however much the servers take.",
	}
	if v.SpawnerClass != "" {
		v.UnitLimitsOn = []string{
			"The cap of the hub, its proxy and the culler. SystemdSpawner runs each server in a unit of",
			"its own, outside this one, held by the per-user limits in jupyterhub_config.py.",
		}
	}
	return v
}

func seconds(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// pyFloat writes f as a Python float literal.
func pyFloat(f float64) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("%v is not a finite number", f)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s, nil
}

// systemdLimitRE is what systemdLimit lets through: systemd reads resource settings without
// specifiers or quotes, so a value is written as it is or not at all.
var systemdLimitRE = lazyregexp.New(`^[0-9]+[KMGT%]?$`)

// systemdLimit writes the value of a resource-control setting (MemoryMax=, TasksMax=). systemd
// does not expand "%" specifiers there, so systemdArg's "%%" would be wrong; only a number with an
// optional unit or percent sign passes, which the validator already requires.
func systemdLimit(s string) (string, error) {
	if !systemdLimitRE.MatchString(s) {
		return "", fmt.Errorf("%q is not a systemd resource limit", s)
	}
	return s, nil
}
