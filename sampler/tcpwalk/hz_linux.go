//go:build linux

package tcpwalk

import (
	"compress/gzip"
	"os"

	"golang.org/x/sys/unix"
)

// configHZ is the running kernel's CONFIG_HZ, from /proc/config.gz or
// /boot/config-RELEASE; 0 when neither is readable.
func configHZ() uint64 {
	if f, err := os.Open("/proc/config.gz"); err == nil {
		defer f.Close()
		if z, err := gzip.NewReader(f); err == nil {
			if hz := parseConfigHZ(z); hz != 0 {
				return hz
			}
		}
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return 0
	}
	f, err := os.Open("/boot/config-" + unix.ByteSliceToString(u.Release[:]))
	if err != nil {
		return 0
	}
	defer f.Close()
	return parseConfigHZ(f)
}
