package explain

import (
	"fmt"
	"strings"

	"github.com/porttop/porttop/sampler/ports"
)

// ianaParas says what IANA's registry holds for the port and which IANA
// class it falls in.
func ianaParas(in Input) []para {
	var out []para
	out = append(out, text(assignmentSentence(in)))
	if in.Port == 0 {
		out = append(out, text("Port 0 has a special meaning too: a program that asks to bind "+
			"port 0 is asking the OS to pick a free ephemeral port for it."))
	}
	c := ports.ClassOf(in.Port)
	b := c.Bounds()
	var what string
	switch c {
	case ports.WellKnown:
		what = "the ports for long-established services such as ssh (22) and https (443)"
	case ports.Registered:
		what = "ports that services can register with IANA"
	case ports.Dynamic:
		what = "also called private or ephemeral ports"
	}
	out = append(out, text(fmt.Sprintf("Class: %s. Port %d is in IANA's %s range %s, %s.",
		c, in.Port, c, b, what)))
	return out
}

// assignmentSentence groups tcp and udp when IANA says the same of both.
func assignmentSentence(in Input) string {
	protos := []string{"tcp", "udp"}
	if in.Proto != 0 {
		protos = []string{in.Proto.String()}
	}
	type group struct {
		a      ports.Assignment
		protos []string
	}
	var groups []group
	for _, p := range protos {
		a := ports.Lookup(in.Port, p)
		placed := false
		for i := range groups {
			g := &groups[i]
			if g.a.Status == a.Status && g.a.Service == a.Service && g.a.Description == a.Description {
				g.protos = append(g.protos, p)
				placed = true
			}
		}
		if !placed {
			groups = append(groups, group{a, []string{p}})
		}
	}
	var s []string
	for _, g := range groups {
		over := ""
		if len(groups) > 1 || in.Proto != 0 {
			over = " for " + joinAnd(g.protos)
		}
		s = append(s, statusSentence(in.Port, g.a, over))
	}
	return "IANA: " + strings.Join(s, " ")
}

func statusSentence(port uint16, a ports.Assignment, over string) string {
	switch a.Status {
	case ports.Assigned:
		s := fmt.Sprintf("port %d is assigned to %s", port, a.Service)
		if a.Service == "" {
			s = fmt.Sprintf("port %d is assigned", port)
		}
		if a.Description != "" && !strings.EqualFold(a.Description, a.Service) {
			s += fmt.Sprintf(", %q", a.Description)
		}
		return s + over + "."
	case ports.Reserved:
		return fmt.Sprintf("port %d is reserved%s: no service may be assigned to it.", port, over)
	}
	if ports.ClassOf(port) == ports.Dynamic {
		return fmt.Sprintf("port %d is unassigned%s, like every port in the dynamic range %s: IANA "+
			"assigns nothing there by design, leaving those ports free for temporary use.", port, over, ports.Dynamic.Bounds())
	}
	return fmt.Sprintf("port %d is unassigned%s: no service is registered for it.", port, over)
}
