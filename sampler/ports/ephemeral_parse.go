package ports

import (
	"fmt"
	"strconv"
	"strings"
)

// Parsers for each OS's way of telling its ephemeral range. They live apart
// from the readers so that every OS's format is tested on any OS.

// parseLinuxPortRange reads /proc/sys/net/ipv4/ip_local_port_range:
// two numbers separated by white space ("32768\t60999\n").
func parseLinuxPortRange(text string) (Range, error) {
	f := strings.Fields(text)
	if len(f) != 2 {
		return Range{}, fmt.Errorf("want two port numbers, got %q", strings.TrimSpace(text))
	}
	return boundsToRange(f[0], f[1])
}

// rangeFromFirstLast checks the two BSD sysctl values
// net.inet.ip.portrange.first and .last.
func rangeFromFirstLast(first, last uint32) (Range, error) {
	return boundsToRange(strconv.FormatUint(uint64(first), 10), strconv.FormatUint(uint64(last), 10))
}

// parseNetshDynamicPort reads `netsh int ipv4 show dynamicport tcp`:
//
//	Protocol tcp Dynamic Port Range
//	---------------------------------
//	Start Port      : 49152
//	Number of Ports : 16384
//
// On a Windows in another language the labels are translated, so when they
// are not recognised the first two "label : number" lines are taken in that
// order, which netsh keeps.
func parseNetshDynamicPort(text string) (Range, error) {
	var start, count string
	var numbers []string
	for _, line := range strings.Split(text, "\n") {
		label, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		if _, err := strconv.ParseUint(value, 10, 32); err != nil {
			continue
		}
		numbers = append(numbers, value)
		switch l := strings.ToLower(label); {
		case strings.Contains(l, "start"):
			start = value
		case strings.Contains(l, "number"):
			count = value
		}
	}
	if start == "" || count == "" {
		if len(numbers) < 2 {
			return Range{}, fmt.Errorf("no start port and number of ports in netsh output %q", strings.TrimSpace(text))
		}
		start, count = numbers[0], numbers[1]
	}
	s, err := ParsePort(start)
	if err != nil {
		return Range{}, fmt.Errorf("netsh start port: %w", err)
	}
	n, _ := strconv.ParseUint(count, 10, 32)
	if n == 0 || uint64(s)+n-1 > 65535 {
		return Range{}, fmt.Errorf("netsh says %s ports from %d, which does not fit in 0-65535", count, s)
	}
	return Range{s, uint16(uint64(s) + n - 1)}, nil
}

func boundsToRange(lo, hi string) (Range, error) {
	l, err := ParsePort(lo)
	if err != nil {
		return Range{}, err
	}
	h, err := ParsePort(hi)
	if err != nil {
		return Range{}, err
	}
	if l > h {
		return Range{}, fmt.Errorf("first port %d is above last port %d", l, h)
	}
	return Range{l, h}, nil
}
