package cgroup

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMountinfo(t *testing.T) {
	cases := []struct {
		name, in, want string
		err            error
	}{
		{"unified host", `25 30 0:22 / /sys rw,nosuid - sysfs sysfs rw
35 25 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
`, "/sys/fs/cgroup", nil},
		{"hybrid host", `33 25 0:28 / /sys/fs/cgroup ro shared:9 - tmpfs tmpfs ro,mode=755
34 33 0:29 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw
35 33 0:30 / /sys/fs/cgroup/systemd rw shared:11 - cgroup cgroup rw,xattr,name=systemd
`, "/sys/fs/cgroup/unified", nil},
		{"no optional fields, escaped space", `40 30 0:37 / /mnt/my\040cgroups rw,relatime - cgroup2 none rw
`, "/mnt/my cgroups", nil},
		{"a bind of a sub-tree loses to the root", `50 30 0:37 /system.slice /srv/slice rw - cgroup2 cgroup2 rw
51 30 0:37 / /cg rw - cgroup2 cgroup2 rw
`, "/cg", nil},
		{"v1 only", `35 25 0:30 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
`, "", ErrNoCgroup2},
		{"garbage lines", "x\n\n1 2 3\n- cgroup2\n", "", ErrNoCgroup2},
	}
	for _, c := range cases {
		got, err := ParseMountinfo(strings.NewReader(c.in))
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("%s: got %q, %v; want %q, %v", c.name, got, err, c.want, c.err)
		}
	}
}
