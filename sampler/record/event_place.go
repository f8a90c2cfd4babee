package record

import (
	"fmt"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/cgroup"
)

// placeLine is where an event's socket lives: its network namespace and
// cgroup (sampler.Place), written by the multi-namespace source and left
// out otherwise. Embedded in eventLine, so the fields sit beside the
// others in each line. Documented in FORMAT.md (checked by
// TestFormatDocDocumentsEveryField, which descends into this struct).
type placeLine struct {
	Netns     uint64 `json:"netns,omitempty"`
	NetnsName string `json:"netns_name,omitempty"`
	Cgroup    string `json:"cgroup,omitempty"`
	Container string `json:"container,omitempty"`
}

func placeLineOf(p sampler.Place) placeLine {
	names := p.Names()
	return placeLine{Netns: p.Netns, NetnsName: names.NetnsName, Cgroup: names.Cgroup, Container: names.Container}
}

// place reads the fields back; a container must be 12 hex characters.
func (l *placeLine) place() (sampler.Place, error) {
	if l.Container != "" && !isShortID(l.Container) {
		return sampler.Place{}, fmt.Errorf("container %q is not a 12-character container id", l.Container)
	}
	if l.NetnsName != "" && l.Netns == 0 {
		return sampler.Place{}, fmt.Errorf("netns_name %q without netns", l.NetnsName)
	}
	return sampler.Place{Netns: l.Netns}.WithNames(sampler.PlaceNames{NetnsName: l.NetnsName, Cgroup: l.Cgroup, Container: l.Container}), nil
}

func isShortID(s string) bool {
	if len(s) != cgroup.ShortID {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
