package cgroup

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// ErrNoCgroup2 reports that no cgroup v2 hierarchy is mounted (a cgroup v1
// only host): sockets then carry no cgroup path.
var ErrNoCgroup2 = errors.New("no cgroup2 mount in mountinfo (cgroup v1 only)")

// ParseMountinfo finds the mount point of the cgroup2 hierarchy in a
// /proc/self/mountinfo listing: "/sys/fs/cgroup" on most hosts,
// "/sys/fs/cgroup/unified" on hybrid ones, elsewhere on some. When several
// are mounted, the one mounting the hierarchy's root ("/") wins; mount
// points are unescaped (\040 is a space).
func ParseMountinfo(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	best, bestRoot := "", false
	for sc.Scan() {
		// id parent major:minor root mountpoint opts [optional...] - fstype source superopts
		f := strings.Fields(sc.Text())
		sep := -1
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(f) || f[sep+1] != "cgroup2" {
			continue
		}
		root := f[3] == "/"
		if best == "" || (root && !bestRoot) {
			best, bestRoot = unescapeMount(f[4]), root
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if best == "" {
		return "", ErrNoCgroup2
	}
	return best, nil
}

// unescapeMount undoes mountinfo's octal escapes (\040 space, \011 tab,
// \012 newline, \134 backslash).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
