package sockdiag

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/porttop/porttop/sampler"
)

// ParseSNMP reads the Tcp ActiveOpens and PassiveOpens counters from the text
// of /proc/net/snmp, whose sections come as a header line of names followed
// by a line of values, both starting with "Tcp:".
func ParseSNMP(r io.Reader) (sampler.KernelCounters, error) {
	sc := bufio.NewScanner(r)
	var header []string
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "Tcp:") {
			continue
		}
		fields := strings.Fields(line)[1:]
		if header == nil {
			header = fields
			continue
		}
		if len(fields) != len(header) {
			return sampler.KernelCounters{}, fmt.Errorf("snmp: Tcp has %d names but %d values", len(header), len(fields))
		}
		var kc sampler.KernelCounters
		var found int
		for i, name := range header {
			var dst *uint64
			switch name {
			case "ActiveOpens":
				dst = &kc.ActiveOpens
			case "PassiveOpens":
				dst = &kc.PassiveOpens
			default:
				continue
			}
			v, err := strconv.ParseUint(fields[i], 10, 64)
			if err != nil {
				return sampler.KernelCounters{}, fmt.Errorf("snmp: Tcp %s: %w", name, err)
			}
			*dst = v
			found++
		}
		if found != 2 {
			return sampler.KernelCounters{}, fmt.Errorf("snmp: Tcp lacks ActiveOpens or PassiveOpens")
		}
		return kc, nil
	}
	if err := sc.Err(); err != nil {
		return sampler.KernelCounters{}, fmt.Errorf("snmp: %w", err)
	}
	return sampler.KernelCounters{}, fmt.Errorf("snmp: no Tcp section")
}
