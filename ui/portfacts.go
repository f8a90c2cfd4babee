package ui

import (
	"fmt"
	"strings"

	"github.com/porttop/porttop/sampler/ports"
)

// ianaLine says what IANA's registry holds for a port: unassigned,
// reserved, or assigned to a named service.
func ianaLine(port uint16, proto string) string {
	a := ports.Lookup(port, proto)
	switch a.Status {
	case ports.Assigned:
		s := "assigned to " + a.Service
		if a.Description != "" && !strings.EqualFold(a.Description, a.Service) {
			s += " (" + a.Description + ")"
		}
		if len(a.Protos) > 0 {
			s += " over " + strings.Join(a.Protos, "/")
		}
		return "IANA: " + s + "."
	case ports.Reserved:
		return "IANA: reserved (nothing may claim it)."
	}
	return "IANA: unassigned."
}

// rangesLine says which ranges hold the port: its IANA class and whether
// this OS hands it out as an ephemeral port.
func rangesLine(port uint16, ephemeral ports.Range) string {
	c := ports.ClassOf(port)
	s := fmt.Sprintf("Ranges: IANA %s (%s)", c, c.Bounds())
	if port == 0 {
		return s + "; port 0 itself is never handed out: a program that asks for port 0 " +
			"is asking the OS for any free port."
	}
	if ephemeral.Contains(port) {
		return s + "; inside this OS's ephemeral range " + ephemeral.String() +
			", so the OS may hand it to any outgoing connection."
	}
	return s + "; outside this OS's ephemeral range " + ephemeral.String() +
		", so only a program asking for it by number gets it."
}
