package kbtf

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// A struct shaped like the kernel's: a member inside an anonymous union
// inside a named struct, and a bit field.
func TestOffsetLooksThroughAnonymousMembers(t *testing.T) {
	u32 := &btf.Int{Name: "u32", Size: 4}
	ptr := &btf.Pointer{Target: u32}
	possible := &btf.Struct{Name: "possible_net_t", Size: 8, Members: []btf.Member{{Name: "net", Type: ptr, Offset: 0}}}
	anon := &btf.Union{Size: 8, Members: []btf.Member{
		{Name: "skc_addrpair", Type: &btf.Int{Name: "u64", Size: 8}},
		{Name: "skc_daddr", Type: u32, Offset: 0},
	}}
	common := &btf.Struct{Name: "sock_common", Size: 32, Members: []btf.Member{
		{Name: "", Type: anon, Offset: 0},
		{Name: "skc_family", Type: u32, Offset: 64},
		{Name: "skc_net", Type: possible, Offset: 128},
		{Name: "sk_protocol", Type: u32, Offset: 192, BitfieldSize: 8},
	}}
	for path, want := range map[string]int{"skc_daddr": 0, "skc_family": 8, "skc_net.net": 16} {
		got, err := Offset(common, path)
		if err != nil || got != want {
			t.Errorf("Offset(%s) = %d, %v; want %d", path, got, err, want)
		}
	}
	if _, err := Offset(common, "sk_protocol"); !errors.Is(err, ErrBitField) {
		t.Errorf("a bit field: %v, want ErrBitField", err)
	}
	if _, err := Offset(common, "skc_net.nope"); err == nil {
		t.Error("a missing member found")
	}
	if _, err := Offset(u32, "x"); err == nil {
		t.Error("a member of an int found")
	}
}
