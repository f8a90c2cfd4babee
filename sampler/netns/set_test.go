package netns

import (
	"reflect"
	"testing"
)

func TestMergeDeduplicatesByInode(t *testing.T) {
	got := merge(
		map[int32]uint64{1: 100, 50: 100, 7: 200, 900: 300},
		map[string]uint64{"blue": 200, "alpha": 200, "empty": 400},
		100,
	)
	want := []NS{
		{Inode: 100, PID: 1, Self: true},
		{Inode: 200, Name: "alpha", PID: 7},
		{Inode: 300, PID: 900},
		{Inode: 400, Name: "empty"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("merge:\n got %+v\nwant %+v", got, want)
	}
	// Porttop's own namespace is listed even when /proc showed nothing.
	if got := merge(nil, nil, 100); len(got) != 1 || !got[0].Self {
		t.Fatalf("self alone: %+v", got)
	}
	if l := (NS{Inode: 300}).Label(); l != "net:[300]" {
		t.Fatalf("label %q", l)
	}
	if l := (NS{Inode: 200, Name: "alpha"}).Label(); l != "alpha" {
		t.Fatalf("label %q", l)
	}
}

// A script of discoveries: namespaces come, get a name, lose their
// process, go; a failed reader is forgotten and comes back as added.
func TestTrackerScript(t *testing.T) {
	host := NS{Inode: 1, PID: 1, Self: true}
	a := NS{Inode: 10, PID: 40}
	aNamed := NS{Inode: 10, PID: 40, Name: "a"}
	b := NS{Inode: 20, Name: "b"}
	steps := []struct {
		name string
		cur  []NS
		want Change
	}{
		{"first sight", []NS{host, a}, Change{Added: []NS{host, a}}},
		{"nothing new", []NS{a, host}, Change{}},
		{"a named, b made", []NS{host, aNamed, b}, Change{Added: []NS{b}, Updated: []NS{aNamed}}},
		{"a gone", []NS{host, b}, Change{Removed: []NS{aNamed}}},
		{"b gone too", []NS{host}, Change{Removed: []NS{b}}},
	}
	var tr Tracker
	for _, s := range steps {
		got := tr.Update(s.cur)
		if !reflect.DeepEqual(got, s.want) {
			t.Fatalf("%s:\n got %+v\nwant %+v", s.name, got, s.want)
		}
		if got.Empty() != s.want.Empty() {
			t.Fatalf("%s: Empty %v", s.name, got.Empty())
		}
	}
	tr.Forget(1)
	if got := tr.Update([]NS{host}); !reflect.DeepEqual(got, Change{Added: []NS{host}}) {
		t.Fatalf("forgotten: %+v", got)
	}
	if tr.Known() != 1 {
		t.Fatalf("known %d", tr.Known())
	}
}
