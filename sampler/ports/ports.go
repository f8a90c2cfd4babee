// Package ports knows what a port number means: its IANA class
// (well-known, registered, dynamic), what IANA assigned it to, and which
// range this machine's OS hands out as ephemeral ports. The IANA registry is
// compiled into the binary (see table_gen.go); nothing is read at run time
// except the OS's own ephemeral range.
package ports

// Class is one of IANA's three port ranges (RFC 6335).
type Class uint8

const (
	WellKnown  Class = iota + 1 // 0-1023, system ports
	Registered                  // 1024-49151, user ports
	Dynamic                     // 49152-65535, dynamic/private ports
)

// String gives the class as porttop writes it ("well-known").
func (c Class) String() string {
	switch c {
	case WellKnown:
		return "well-known"
	case Registered:
		return "registered"
	case Dynamic:
		return "dynamic"
	}
	return "unknown"
}

// Bounds is the class's range of ports; the zero Range for an invalid Class.
func (c Class) Bounds() Range {
	switch c {
	case WellKnown:
		return Range{0, 1023}
	case Registered:
		return Range{1024, 49151}
	case Dynamic:
		return Range{49152, 65535}
	}
	return Range{}
}

// ClassOf is the IANA class the port falls in.
func ClassOf(port uint16) Class {
	switch {
	case port <= 1023:
		return WellKnown
	case port <= 49151:
		return Registered
	}
	return Dynamic
}
