//go:build darwin || freebsd

package ports

import "golang.org/x/sys/unix"

const sysctlSource = "sysctl net.inet.ip.portrange.first/last"

func readEphemeral() (Range, string, error) {
	first, err := unix.SysctlUint32("net.inet.ip.portrange.first")
	if err != nil {
		return Range{}, sysctlSource, err
	}
	last, err := unix.SysctlUint32("net.inet.ip.portrange.last")
	if err != nil {
		return Range{}, sysctlSource, err
	}
	r, err := rangeFromFirstLast(first, last)
	return r, sysctlSource, err
}
