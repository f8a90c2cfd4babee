package ports

import "os"

const linuxPortRangeFile = "/proc/sys/net/ipv4/ip_local_port_range"

// The kernel's default net.ipv4.ip_local_port_range.
var defaultEphemeral = Range{32768, 60999}

const defaultSource = "Linux default; ip_local_port_range could not be read"

func readEphemeral() (Range, string, error) {
	b, err := os.ReadFile(linuxPortRangeFile)
	if err != nil {
		return Range{}, linuxPortRangeFile, err
	}
	r, err := parseLinuxPortRange(string(b))
	return r, linuxPortRangeFile, err
}
