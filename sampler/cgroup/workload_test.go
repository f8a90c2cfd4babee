package cgroup

import (
	"strings"
	"testing"
)

const (
	hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	uid   = "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"
)

func TestParseWorkload(t *testing.T) {
	uidU := strings.ReplaceAll(uid, "-", "_")
	cases := []struct {
		path string
		want Workload
		str  string
	}{
		{"/system.slice/nginx.service", Workload{Unit: "nginx.service"}, "nginx.service"},
		{"system.slice/nginx.service", Workload{Unit: "nginx.service"}, "nginx.service"},
		{"/user.slice/user-1000.slice/session-3.scope", Workload{Unit: "session-3.scope"}, "session-3.scope"},
		{"/system.slice/docker-" + hex64 + ".scope",
			Workload{Unit: "docker-" + hex64 + ".scope", Runtime: "docker", Container: "0123456789ab"}, "docker:0123456789ab"},
		{"/system.slice/containerd.service/kubepods-burstable-pod" + uidU + ".slice:cri-containerd:" + hex64, // cgroupfs-ish noise
			Workload{Unit: "containerd.service"}, "containerd.service"},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidU + ".slice/cri-containerd-" + hex64 + ".scope",
			Workload{Unit: "cri-containerd-" + hex64 + ".scope", Runtime: "containerd", Container: "0123456789ab", Pod: uid}, "containerd:0123456789ab"},
		{"/kubepods.slice/kubepods-pod" + uidU + ".slice", Workload{Pod: uid}, "pod:" + uid},
		{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidU + ".slice/crio-" + hex64 + ".scope",
			Workload{Unit: "crio-" + hex64 + ".scope", Runtime: "crio", Container: "0123456789ab", Pod: uid}, "crio:0123456789ab"},
		{"/kubepods/burstable/pod" + uid + "/" + hex64, Workload{Container: "0123456789ab", Pod: uid}, "0123456789ab"},
		{"/docker/" + hex64, Workload{Container: "0123456789ab"}, "0123456789ab"},
		{"/machine.slice/libpod-" + hex64 + ".scope/container",
			Workload{Unit: "libpod-" + hex64 + ".scope", Runtime: "podman", Container: "0123456789ab"}, "podman:0123456789ab"},
		// conmon's scope is not the container.
		{"/machine.slice/libpod-conmon-" + hex64 + ".scope", Workload{Unit: "libpod-conmon-" + hex64 + ".scope"}, "libpod-conmon-" + hex64 + ".scope"},
		// A container under systemd inside it: the container's scope still names it.
		{"/system.slice/docker-" + hex64 + ".scope/init.scope",
			Workload{Unit: "init.scope", Runtime: "docker", Container: "0123456789ab"}, "docker:0123456789ab"},
		// Not quite ids: too short, upper case, a bad uid.
		{"/system.slice/docker-0123456789ab.scope", Workload{Unit: "docker-0123456789ab.scope"}, "docker-0123456789ab.scope"},
		{"/docker/" + strings.ToUpper(hex64), Workload{}, ""},
		{"/kubepods.slice/kubepods-podnot_a_uid.slice", Workload{}, ""},
		{"/kubepods.slice/kubepods-pod0123456789abcdef0123456789abcdef.slice", Workload{Pod: "0123456789abcdef0123456789abcdef"}, "pod:0123456789abcdef0123456789abcdef"},
		{"/", Workload{}, ""},
		{"", Workload{}, ""},
	}
	for _, c := range cases {
		got := Parse(c.path)
		if got != c.want {
			t.Errorf("Parse(%q) = %+v, want %+v", c.path, got, c.want)
		}
		if got.String() != c.str {
			t.Errorf("Parse(%q).String() = %q, want %q", c.path, got.String(), c.str)
		}
	}
}
