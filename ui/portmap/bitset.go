package portmap

import "math/bits"

// portSet is one bit per port: 8 KiB, whatever the machine's load.
type portSet [65536 / 64]uint64

func (s *portSet) add(p uint16)      { s[p>>6] |= 1 << (p & 63) }
func (s *portSet) remove(p uint16)   { s[p>>6] &^= 1 << (p & 63) }
func (s *portSet) has(p uint16) bool { return s[p>>6]&(1<<(p&63)) != 0 }
func (s *portSet) clear()            { *s = portSet{} }

// count is how many ports in [lo, hi) are in the set; lo <= hi <= 65536.
func (s *portSet) count(lo, hi int) int {
	n := 0
	for lo < hi {
		w := lo >> 6
		word := s[w] >> (lo & 63)
		take := 64 - lo&63
		if hi-lo < take {
			take = hi - lo
			word &= 1<<take - 1
		}
		n += bits.OnesCount64(word)
		lo += take
	}
	return n
}
