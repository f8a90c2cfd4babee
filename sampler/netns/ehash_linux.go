//go:build linux

package netns

import (
	"errors"
	"io/fs"
	"os"
)

// ehashPath shows the size of the namespace's TCP established hash,
// negative when it shares the initial namespace's (Linux 6.1+).
const ehashPath = "/proc/sys/net/ipv4/tcp_ehash_entries"

// SharesEhash reports whether namespace n uses the initial namespace's
// TCP established hash, the one a tcpwalk.Walker begun in a namespace
// sharing it reads (read from inside n: /proc/sys/net shows the
// namespace of the thread that opens it).
func SharesEhash(n NS) (bool, error) {
	var b []byte
	err := Do(n, func() (err error) {
		b, err = os.ReadFile(ehashPath)
		return err
	})
	if errors.Is(err, fs.ErrNotExist) {
		return sharesEhash("", false, n.Inode), nil
	}
	if err != nil {
		return false, err
	}
	return sharesEhash(string(b), true, n.Inode), nil
}
