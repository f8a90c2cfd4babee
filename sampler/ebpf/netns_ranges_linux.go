//go:build linux

package ebpf

import "github.com/porttop/porttop/sampler"

var _ sampler.NetnsRanger = (*Source)(nil)

// NetnsRanges are the inner source's other namespaces' ranges (nil when it
// reads porttop's namespace alone).
func (s *Source) NetnsRanges() []sampler.NetnsRange {
	if r, ok := s.inner.(sampler.NetnsRanger); ok {
		return r.NetnsRanges()
	}
	return nil
}
