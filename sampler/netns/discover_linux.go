//go:build linux

package netns

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Places discovery reads; tests may point them elsewhere.
const (
	ProcDir  = "/proc"
	NamesDir = "/run/netns" // where `ip netns add` bind-mounts namespaces
)

// Discover lists every network namespace this process may see: those of
// every process (a readlink of /proc/PID/ns/net each, which needs root or
// CAP_SYS_PTRACE for other users' processes) and every `ip netns` name.
// Porttop's own namespace is always in the list.
func Discover() ([]NS, error) {
	return DiscoverIn(ProcDir, NamesDir)
}

// DiscoverIn is Discover with other /proc and /run/netns directories.
func DiscoverIn(procDir, namesDir string) ([]NS, error) {
	self, err := inodeOfLink(procDir + "/self/ns/net")
	if err != nil {
		return nil, err
	}
	d, err := os.Open(procDir)
	if err != nil {
		return nil, err
	}
	ents, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, err
	}
	procs := make(map[int32]uint64, len(ents))
	for _, e := range ents {
		pid, err := strconv.ParseInt(e, 10, 32)
		if err != nil || pid <= 0 {
			continue
		}
		if ino, err := inodeOfLink(procDir + "/" + e + "/ns/net"); err == nil {
			procs[int32(pid)] = ino
		}
	}
	names := map[string]uint64{}
	if ents, err := os.ReadDir(namesDir); err == nil {
		for _, e := range ents {
			var st unix.Stat_t
			// A name whose bind mount is gone (a crashed `ip netns del`)
			// stats as the empty file beneath: not an nsfs inode.
			if unix.Stat(namesDir+"/"+e.Name(), &st) == nil && isNsfs(namesDir+"/"+e.Name()) {
				names[e.Name()] = st.Ino
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return merge(procs, names, self), nil
}

// inodeOfLink reads a namespace link ("net:[4026531840]") for its inode.
func inodeOfLink(path string) (uint64, error) {
	s, err := os.Readlink(path)
	if err != nil {
		return 0, err
	}
	return parseLink(s)
}

// parseLink reads the inode from a namespace link's text.
func parseLink(s string) (uint64, error) {
	v, ok := strings.CutPrefix(s, "net:[")
	if !ok || !strings.HasSuffix(v, "]") {
		return 0, errors.New("not a network namespace link: " + strconv.Quote(s))
	}
	return strconv.ParseUint(v[:len(v)-1], 10, 64)
}

// isNsfs reports whether path is on the namespace filesystem.
func isNsfs(path string) bool {
	var st unix.Statfs_t
	return unix.Statfs(path, &st) == nil && st.Type == unix.NSFS_MAGIC
}
