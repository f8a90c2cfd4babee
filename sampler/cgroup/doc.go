// Package cgroup names the workload behind a socket from its cgroup v2 id:
// sock_diag reports every full socket's cgroup id (INET_DIAG_CGROUP_ID),
// which is the inode number of the cgroup's directory under the cgroup2
// mount. The Resolver maps ids to paths such as
// "system.slice/nginx.service" with a bounded cache, and Workload reads a
// systemd unit, a container id and its runtime, or a Kubernetes pod uid
// from a path. The parsers are pure and tested on every OS; finding paths
// is Linux only.
package cgroup
