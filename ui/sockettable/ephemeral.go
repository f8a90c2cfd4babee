package sockettable

import "github.com/porttop/porttop/sampler/ports"

// inEphemeral reports whether p lies in the OS ephemeral range r. An
// unknown range arrives as the zero Range, port 0 alone: it holds nothing.
func inEphemeral(r ports.Range, p uint16) bool {
	return r != (ports.Range{}) && r.Contains(p)
}
