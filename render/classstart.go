package render

import "github.com/hubgen/hubgen/schema"

// A class start is a course's worst minute: every student logs in and starts a server at once.
// Its size is known when hubgen renders (every user the site lists may come); what the machine
// can do is known only when the hub starts, so the hub's config computes the rest in Python from
// os.sched_getaffinity (see jupyterhub_config.py.tmpl).

// classStartView sizes the rendered files for the whole class starting at once.
type classStartView struct {
	// Users is everyone the site lets in: admins, allowed users and the roster.
	Users int
	// BootQueue: the hub lets only a few servers boot at a time and queues the rest on their
	// spawn-pending pages, so that the hub itself keeps a share of the CPU. Only for the local
	// spawner, whose servers share the hub's CPU without any weighting.
	BootQueue bool
	// WorkerConnections and WorkerRlimitNofile are nginx's per-worker limits.
	WorkerConnections  int
	WorkerRlimitNofile int
}

const (
	// connectionsPerUser is what nginx holds for one student at the busiest: a kernel websocket
	// for each of a few open notebooks, the spawn-pending page's event stream and the requests in
	// flight, about four streams, each counted twice (the browser's connection and nginx's own
	// to the hub's proxy).
	connectionsPerUser = 8
	// minWorkerConnections is nginx's own default: a small course keeps it.
	minWorkerConnections = 1024
	// maxWorkerConnections caps a large roster's: 8,192 students working at the same moment is
	// more than one hub on one machine serves, and nginx allocates each worker's connection table
	// (a few hundred bytes a slot) at start.
	maxWorkerConnections = 65536
	// spareConnections is headroom for the admins, the culler and whatever else comes.
	spareConnections = 512
)

// WorkerConnections is nginx's worker_connections for a class of users (worker_rlimit_nofile is
// twice it). Each worker is sized for the whole class: the kernel spreads new connections over the
// workers unevenly, and one worker may end up holding most of them. hubgen import reads the
// rendered value back with it.
func WorkerConnections(users int) int {
	return min(maxWorkerConnections, max(minWorkerConnections, users*connectionsPerUser+spareConnections))
}

func newClassStartView(s *schema.Site, allowed []string) classStartView {
	v := classStartView{Users: len(allowed), BootQueue: s.Spawner.Kind != schema.SpawnerSystemd}
	v.WorkerConnections = WorkerConnections(v.Users)
	// A proxied connection takes one descriptor; the rest are for log files and the listening
	// sockets, with room to spare.
	v.WorkerRlimitNofile = 2 * v.WorkerConnections
	return v
}
