// Package kbtf finds kernel struct members in BTF, for the BPF programs
// porttop builds at run time (sampler/ebpf, sampler/tcpwalk): their field
// offsets come from the running kernel's own type information.
package kbtf

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// ErrBitField is Offset's error for a member that is a bit field, which a
// program cannot load as a whole byte (sock.sk_protocol before Linux 5.6).
var ErrBitField = errors.New("a bit field")

// Offset is the byte offset of a dotted member path in t ("skc_net.net"),
// looking through anonymous structs and unions. A member that is a bit
// field, or that does not begin on a byte, is refused.
func Offset(t btf.Type, path string) (int, error) {
	off := btf.Bits(0)
	for _, name := range strings.Split(path, ".") {
		m, at, ok := Member(t, name)
		if !ok {
			return 0, fmt.Errorf("no member %q", name)
		}
		if m.BitfieldSize != 0 {
			return 0, fmt.Errorf("%s is %w", name, ErrBitField)
		}
		off += at
		t = m.Type
	}
	if off%8 != 0 {
		return 0, fmt.Errorf("member at bit %d", off)
	}
	return int(off / 8), nil
}

// Member finds the member called name in the struct or union t, or in an
// anonymous struct or union inside it, with its offset from t's start.
func Member(t btf.Type, name string) (btf.Member, btf.Bits, bool) {
	var members []btf.Member
	switch c := btf.UnderlyingType(t).(type) {
	case *btf.Struct:
		members = c.Members
	case *btf.Union:
		members = c.Members
	default:
		return btf.Member{}, 0, false
	}
	for _, m := range members {
		if m.Name == name {
			return m, m.Offset, true
		}
		if m.Name == "" {
			if found, at, ok := Member(m.Type, name); ok {
				return found, m.Offset + at, true
			}
		}
	}
	return btf.Member{}, 0, false
}
