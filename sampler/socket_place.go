package sampler

import "unique"

// Place is where a socket lives: its network namespace and its cgroup.
// Socket embeds it. A source that reads one namespace may leave Netns 0;
// the multi-namespace source (sampler/netns) fills every field it can.
//
// The names (PlaceNames) are the same for every socket of a namespace and
// cgroup, so a Place holds them interned, behind one pointer: 24 bytes
// where three strings took 48 more. Read them with NetnsName, Cgroup,
// Container or Names; set them with WithNames. Places compare with ==.
type Place struct {
	// Netns is the inode of the socket's network namespace (what
	// `readlink /proc/PID/ns/net` prints in net:[...]), 0 when unknown.
	Netns uint64
	// CgroupID is the cgroup v2 id of the socket (the inode of its cgroup
	// directory; sock_diag's INET_DIAG_CGROUP_ID), 0 when unknown: TIME_WAIT
	// and half-open sockets carry none, nor do non-Linux sources.
	CgroupID uint64
	// names is the zero handle when every name is "" (so that a Place
	// given empty names equals one never given any).
	names unique.Handle[PlaceNames]
}

// PlaceNames are a Place's names, each "" when unknown.
type PlaceNames struct {
	// NetnsName is the namespace's `ip netns` name, "" when it has none.
	NetnsName string
	// Cgroup is the cgroup's path under the cgroup2 mount
	// ("/system.slice/nginx.service").
	Cgroup string
	// Container is the 12-character id of the container the cgroup names,
	// "" when it names none.
	Container string
}

// WithNames is p named n. It interns n (a lookup in a process-wide table
// that forgets names no Place holds any more): a source naming many
// sockets alike makes the Place once and copies it.
func (p Place) WithNames(n PlaceNames) Place {
	if n == (PlaceNames{}) {
		p.names = unique.Handle[PlaceNames]{}
	} else {
		p.names = unique.Make(n)
	}
	return p
}

// Names are p's names.
func (p Place) Names() PlaceNames {
	if p.names == (unique.Handle[PlaceNames]{}) {
		return PlaceNames{}
	}
	return p.names.Value()
}

// NetnsName is the namespace's `ip netns` name, "" when it has none.
func (p Place) NetnsName() string { return p.Names().NetnsName }

// Cgroup is the cgroup's path under the cgroup2 mount
// ("/system.slice/nginx.service"), "" when unknown.
func (p Place) Cgroup() string { return p.Names().Cgroup }

// Container is the 12-character id of the container the cgroup names, ""
// when it names none.
func (p Place) Container() string { return p.Names().Container }
