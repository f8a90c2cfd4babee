package sockettable

import "github.com/porttop/porttop/sampler/ports"

// inEphemeral reports whether p lies in the OS ephemeral range r; an
// unknown range holds nothing.
func inEphemeral(r ports.Range, p uint16) bool {
	return r.Known() && r.Contains(p)
}
