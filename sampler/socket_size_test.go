package sampler

import (
	"testing"
	"unsafe"
)

// maxSocketSize is what a Socket may take at most: a table holds 100k of
// them and several tables are alive at once (MEMORY.md). A field that makes
// it grow must make room elsewhere, or raise this on purpose.
const maxSocketSize = 168

func TestSocketSize(t *testing.T) {
	if got := unsafe.Sizeof(Socket{}); got > maxSocketSize {
		t.Errorf("sampler.Socket is %d bytes, more than %d (ID %d, Owner %d, Place %d): see MEMORY.md",
			got, maxSocketSize, unsafe.Sizeof(ID{}), unsafe.Sizeof(Owner{}), unsafe.Sizeof(Place{}))
	}
}

// A Place keeps its names interned: read back as given, equal (==) to
// another Place given the same names, and a Place given empty names equal
// to one never given any.
func TestPlaceNames(t *testing.T) {
	n := PlaceNames{NetnsName: "blue", Cgroup: "/system.slice/docker-0123456789ab.scope", Container: "0123456789ab"}
	a := Place{Netns: 7, CgroupID: 9}.WithNames(n)
	b := Place{Netns: 7, CgroupID: 9}.WithNames(PlaceNames{NetnsName: "blue", Cgroup: n.Cgroup, Container: "0123456789ab"})
	if a.Names() != n || a.NetnsName() != n.NetnsName || a.Cgroup() != n.Cgroup || a.Container() != n.Container {
		t.Errorf("names read back as %+v, want %+v", a.Names(), n)
	}
	if a != b {
		t.Errorf("two places named alike differ")
	}
	if c := (Place{Netns: 7, CgroupID: 9}.WithNames(PlaceNames{NetnsName: "red"})); c == a || c.NetnsName() != "red" || c.Cgroup() != "" {
		t.Errorf("another name: %+v", c.Names())
	}
	if z := a.WithNames(PlaceNames{}); z != (Place{Netns: 7, CgroupID: 9}) || z.Names() != (PlaceNames{}) {
		t.Errorf("emptied names: %+v", z.Names())
	}
	if (Place{}).NetnsName() != "" {
		t.Errorf("the zero Place has a name")
	}
}
