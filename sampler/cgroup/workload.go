package cgroup

import "strings"

// Workload is what a cgroup path says about who runs in it. At most one of
// Container and Pod-less Unit is the headline; Pod is set with or without a
// container (a pod's own slice holds its containers).
type Workload struct {
	// Unit is the innermost systemd service or scope ("nginx.service",
	// "session-3.scope"); for a container run under systemd it is the
	// container's scope.
	Unit string
	// Runtime is the container runtime named by the path ("docker",
	// "containerd", "podman", "crio"), "" when the path names no
	// container or not its runtime (Kubernetes' cgroupfs driver).
	Runtime string
	// Container is the container id's first 12 hex characters, as
	// `docker ps` prints it; "" when the path names no container.
	Container string
	// Pod is the Kubernetes pod uid with its dashes ("kubepods-...-pod<uid>.slice"
	// spells them as underscores), "" outside a pod.
	Pod string
}

// ShortID is the length of a container id as shown.
const ShortID = 12

// runtimes maps a systemd scope's prefix to the runtime that makes it.
var runtimes = []struct{ prefix, runtime string }{
	{"docker-", "docker"},
	{"cri-containerd-", "containerd"},
	{"libpod-", "podman"},
	{"crio-", "crio"},
}

// Parse reads a workload from a cgroup v2 path, relative to the cgroup2
// mount or absolute within it ("/system.slice/docker-<64 hex>.scope").
// The innermost container wins (a container's scope may hold its own
// sub-cgroups); anything unrecognised leaves its field empty.
func Parse(path string) Workload {
	var w Workload
	for _, c := range strings.Split(path, "/") {
		if c == "" {
			continue
		}
		if uid, ok := podUID(c); ok {
			w.Pod = uid
		}
		if strings.HasSuffix(c, ".service") || strings.HasSuffix(c, ".scope") {
			w.Unit = c
		}
		if rt, id, ok := containerOf(c); ok {
			w.Runtime, w.Container = rt, id[:ShortID]
		}
	}
	return w
}

// containerOf recognises a container's cgroup: a runtime's systemd scope
// (docker-<id>.scope, cri-containerd-<id>.scope, libpod-<id>.scope,
// crio-<id>.scope), or a bare 64-hex directory (the cgroupfs drivers:
// /docker/<id>, /kubepods/.../pod<uid>/<id>), whose runtime the path
// names only for docker's.
func containerOf(c string) (runtime, id string, ok bool) {
	if isContainerID(c) {
		return "", c, true
	}
	base, ok := strings.CutSuffix(c, ".scope")
	if !ok {
		return "", "", false
	}
	for _, r := range runtimes {
		if id, ok := strings.CutPrefix(base, r.prefix); ok && isContainerID(id) {
			return r.runtime, id, true
		}
	}
	return "", "", false
}

// isContainerID reports whether s is a full container id: 64 lowercase hex
// characters (libpod-conmon-<id>.scope and the like are not containers).
func isContainerID(s string) bool {
	return len(s) == 64 && isHex(s)
}

// isHex reports whether s is all lowercase hex digits.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// podUID reads a Kubernetes pod uid from a path component: the systemd
// driver's "kubepods-burstable-pod<uid>.slice" (uid with _ for -) or the
// cgroupfs driver's "pod<uid>".
func podUID(c string) (string, bool) {
	if base, ok := strings.CutSuffix(c, ".slice"); ok && strings.HasPrefix(base, "kubepods") {
		i := strings.LastIndex(base, "-pod")
		if i < 0 {
			return "", false
		}
		uid := strings.ReplaceAll(base[i+len("-pod"):], "_", "-")
		return uid, isUID(uid)
	}
	if uid, ok := strings.CutPrefix(c, "pod"); ok && isUID(uid) {
		return uid, true
	}
	return "", false
}

// isUID reports whether s looks like a pod uid: a 36-character UUID
// (8-4-4-4-12 hex) as the API server makes them, or the 32 hex characters
// of a static pod's (a hash of its manifest).
func isUID(s string) bool {
	if len(s) == 32 {
		return isHex(s)
	}
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// String is a short label: "docker:0123456789ab", "pod:<uid>",
// "nginx.service", or "" for a path that names nothing.
func (w Workload) String() string {
	switch {
	case w.Container != "" && w.Runtime != "":
		return w.Runtime + ":" + w.Container
	case w.Container != "":
		return w.Container
	case w.Pod != "":
		return "pod:" + w.Pod
	}
	return w.Unit
}
