package netns

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// Follow reports each change once, skips failed discoveries and quiet
// rounds, and ends with its context.
func TestFollowReportsChanges(t *testing.T) {
	a, b := NS{Inode: 1, Self: true}, NS{Inode: 2, Name: "b"}
	script := []struct {
		list []NS
		err  error
	}{
		{[]NS{a}, nil},
		{[]NS{a}, nil},
		{nil, errors.New("no /proc")},
		{[]NS{a, b}, nil},
		{[]NS{a}, nil},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	i := 0
	discover := func() ([]NS, error) {
		if i == len(script) { // a tick raced the cancel: Follow may look once more
			return script[i-1].list, script[i-1].err
		}
		s := script[i]
		if i++; i == len(script) {
			cancel()
		}
		return s.list, s.err
	}
	var got []Change
	err := Follow(ctx, time.Millisecond, discover, func(c Change) { got = append(got, c) })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow ended with %v", err)
	}
	want := []Change{{Added: []NS{a}}, {Added: []NS{b}}, {Removed: []NS{b}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("changes:\n got %+v\nwant %+v", got, want)
	}
}
