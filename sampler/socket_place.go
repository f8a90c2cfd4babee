package sampler

// Place is where a socket lives: its network namespace and its cgroup.
// Socket embeds it. A source that reads one namespace may leave Netns 0;
// the multi-namespace source (sampler/netns) fills every field it can.
type Place struct {
	// Netns is the inode of the socket's network namespace (what
	// `readlink /proc/PID/ns/net` prints in net:[...]), 0 when unknown.
	Netns uint64
	// NetnsName is the namespace's `ip netns` name, "" when it has none.
	NetnsName string
	// CgroupID is the cgroup v2 id of the socket (the inode of its cgroup
	// directory; sock_diag's INET_DIAG_CGROUP_ID), 0 when unknown: TIME_WAIT
	// and half-open sockets carry none, nor do non-Linux sources.
	CgroupID uint64
	// Cgroup is the cgroup's path under the cgroup2 mount
	// ("/system.slice/nginx.service"), "" when unknown.
	Cgroup string
	// Container is the 12-character id of the container the cgroup names,
	// "" when it names none.
	Container string
}
