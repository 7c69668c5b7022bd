package importer

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

// A class start (README "A class start"): every render sizes the hub and nginx for everyone the
// site lists starting at once, with no site key. Import recognises those lines as hubgen's own
// when they are what render writes for the imported site's users, and drops them; a hand-written
// config that sets the same settings gets them reported, since hubgen sizes them itself.

// The sizing the config template computes in Python when the hub starts (nginx's comes from
// render.WorkerConnections); the round trip of every example fails when the two part.
const (
	classStartBootCPUSeconds   = 3
	classStartQueueHTTPTimeout = 60 // max(60, 20 * _boot_cpu_seconds)
	classStartKernelArg        = "--KernelRestarter.stable_start_time=120"
	// classStartPortsArg is passed where the loading machine's jupyter_client takes it (8 and
	// later), so a round trip sees it on some machines only.
	classStartPortsArg = "--KernelManager.cache_ports=False"
	// classStartSpawner is the class the config defines for the local spawner (its boot queue).
	classStartSpawner = "ClassStartSpawner"
	localSpawner      = "jupyterhub.spawner.LocalProcessSpawner"
)

const classStartWhy = "hubgen sizes it for the class from the users the site lists (README \"A class start\")"

// classSize is how many users render counts for the imported site: admins and allowed users.
func (im *importer) classSize() int {
	admins, _ := im.values["users.admin"].([]string)
	allowed, _ := im.values["users.allowed"].([]string)
	return len(uniq(append(slices.Clone(admins), allowed...)))
}

// isClassStartSpawner tells whether a spawner_class value is hubgen's boot queue: a class the
// config defines under that name, derived from LocalProcessSpawner.
func isClassStartSpawner(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	mro, _ := stringList(m["mro"])
	return len(mro) > 1 && strings.HasSuffix(mro[0], "."+classStartSpawner) && slices.Contains(mro, localSpawner)
}

// startTimeoutFits tells whether t is render's start_timeout for users on some machine:
// max(60, ceil(4 × users × 3 s / cores)), the cores being those of whichever machine loaded it.
func startTimeoutFits(t float64, users int) bool {
	for cores := 1; cores <= 4096; cores++ {
		if t == max(60, math.Ceil(float64(4*users*classStartBootCPUSeconds)/float64(cores))) {
			return true
		}
	}
	return false
}

// classStartNginx checks nginx's worker limits once the users are known (nginx is read first).
func (im *importer) classStartNginx() {
	users := im.classSize()
	want := render.WorkerConnections(users)
	if d := im.workerConnections; d != nil && args(d) != strconv.Itoa(want) {
		im.item(d.at(), "nginx", "events { worker_connections %s }: %s: %d users, %d", args(d), classStartWhy, users, want)
	}
	if d := im.workerRlimit; d != nil && args(d) != strconv.Itoa(2*want) {
		im.item(d.at(), "nginx", "worker_rlimit_nofile %s: %s: %d users, %d", args(d), classStartWhy, users, 2*want)
	}
}

// classStart reads the config's class-start settings: hubgen's own block is dropped, anything
// else is reported.
func (im *importer) classStart() {
	users := im.classSize()
	limit, hasLimit := im.value("JupyterHub.concurrent_spawn_limit")
	start, hasStart := im.value("Spawner.start_timeout")
	httpTimeout, hasHTTP := im.value("Spawner.http_timeout")
	if !hasLimit && !hasStart && !hasHTTP && !im.kernelRestarterArg && !im.classStartSpawner {
		return
	}
	startSecs, _ := start.(float64)
	httpSecs, _ := httpTimeout.(float64)
	hubgens := limit == float64(users) && startTimeoutFits(startSecs, users) && im.kernelRestarterArg
	if im.get("spawner.kind") == schema.SpawnerSystemd {
		hubgens = hubgens && httpSecs == startSecs && !im.classStartSpawner
	} else {
		hubgens = hubgens && httpSecs == classStartQueueHTTPTimeout && im.classStartSpawner
	}
	if hubgens {
		return
	}
	for _, s := range []struct {
		key   string
		set   bool
		table string
		v     any
	}{
		{"JupyterHub.concurrent_spawn_limit", hasLimit, "hub", limit},
		{"Spawner.start_timeout", hasStart, "spawner", start},
		{"Spawner.http_timeout", hasHTTP, "spawner", httpTimeout},
	} {
		if s.set {
			im.item(im.at(s.key), s.table, "%s = %s: %s", s.key, shortJSON(s.v), classStartWhy)
		}
	}
	if im.kernelRestarterArg {
		im.item(im.at("Spawner.args"), "spawner", "Spawner.args %s: hubgen passes it itself with the rest of its class-start settings (README \"A class start\")", classStartKernelArg)
	}
	if im.classStartSpawner {
		im.item(im.at("JupyterHub.spawner_class"), "spawner", "spawner_class %s without the rest of hubgen's class-start settings for these %d users: hubgen writes its own (README \"A class start\")", classStartSpawner, users)
	}
}
