package netns

import (
	"cmp"
	"slices"
	"strconv"
)

// NS is one network namespace as discovery found it.
type NS struct {
	// Inode identifies the namespace (net:[Inode]).
	Inode uint64
	// Name is its `ip netns` name (the first in order when it has several),
	// "" when it has none.
	Name string
	// PID is a process in it (the lowest seen), 0 when none is (a named
	// namespace nothing runs in) or none may be seen.
	PID int32
	// Self is true for porttop's own namespace.
	Self bool
}

// Label is the name, or "net:[inode]" for an unnamed namespace.
func (n NS) Label() string {
	if n.Name != "" {
		return n.Name
	}
	return "net:[" + strconv.FormatUint(n.Inode, 10) + "]"
}

// merge folds what one discovery found into a sorted, deduplicated list:
// procs maps pid -> namespace inode, names maps an `ip netns` name -> inode.
func merge(procs map[int32]uint64, names map[string]uint64, self uint64) []NS {
	by := map[uint64]*NS{}
	get := func(ino uint64) *NS {
		n := by[ino]
		if n == nil {
			n = &NS{Inode: ino, Self: ino == self}
			by[ino] = n
		}
		return n
	}
	for pid, ino := range procs {
		if n := get(ino); n.PID == 0 || pid < n.PID {
			n.PID = pid
		}
	}
	for name, ino := range names {
		if n := get(ino); n.Name == "" || name < n.Name {
			n.Name = name
		}
	}
	if self != 0 {
		get(self)
	}
	out := make([]NS, 0, len(by))
	for _, n := range by {
		out = append(out, *n)
	}
	slices.SortFunc(out, func(a, b NS) int { return cmp.Compare(a.Inode, b.Inode) })
	return out
}

// Change is what one discovery changed: namespaces that appeared, that
// disappeared, and that are the same namespace with another name or pid.
type Change struct {
	Added, Removed, Updated []NS
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool {
	return len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Updated) == 0
}

// Tracker remembers the namespaces known so far. Not safe for concurrent
// use: one goroutine (the sampler's) owns it.
type Tracker struct {
	known map[uint64]NS
}

// Update takes a discovery's list (any order, deduplicated by inode) and
// reports what changed since the last one.
func (t *Tracker) Update(cur []NS) Change {
	if t.known == nil {
		t.known = map[uint64]NS{}
	}
	var c Change
	seen := make(map[uint64]struct{}, len(cur))
	for _, n := range cur {
		seen[n.Inode] = struct{}{}
		old, ok := t.known[n.Inode]
		switch {
		case !ok:
			c.Added = append(c.Added, n)
		case old != n:
			c.Updated = append(c.Updated, n)
		}
		t.known[n.Inode] = n
	}
	for ino, n := range t.known {
		if _, ok := seen[ino]; !ok {
			c.Removed = append(c.Removed, n)
			delete(t.known, ino)
		}
	}
	byInode := func(a, b NS) int { return cmp.Compare(a.Inode, b.Inode) }
	slices.SortFunc(c.Added, byInode)
	slices.SortFunc(c.Removed, byInode)
	slices.SortFunc(c.Updated, byInode)
	return c
}

// Forget drops a namespace, so that the next Update reports it added again
// if it still exists (after a reader of it failed and was closed).
func (t *Tracker) Forget(inode uint64) { delete(t.known, inode) }

// Known is the number of namespaces known.
func (t *Tracker) Known() int { return len(t.known) }

// list is the known namespaces by inode.
func (t *Tracker) list() []NS {
	out := make([]NS, 0, len(t.known))
	for _, n := range t.known {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b NS) int { return cmp.Compare(a.Inode, b.Inode) })
	return out
}
