//go:build linux

package netns

import (
	"os"
	"strconv"
	"testing"

	"github.com/porttop/porttop/sampler/nstest"
)

// Do never leaves porttop's own namespace changed: the runtime wedges
// rather than ends a locked main thread, and /proc/self shows the main
// thread's namespace, so a Do that landed there would move "self" (it did,
// once: discovery then called the test's namespace porttop's own). Many
// calls give the scheduler many chances to put one on the main thread.
func TestDoLeavesOwnNamespace(t *testing.T) {
	nstest.RequireRoot(t)
	n := inNamespace(t, nstest.Netns(t, "do", 0, 0))
	self, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	want := "net:[" + strconv.FormatUint(n.Inode, 10) + "]"
	for i := range 300 {
		var inside string
		if err := Do(n, func() (err error) {
			inside, err = os.Readlink("/proc/thread-self/ns/net")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if inside != want {
			t.Fatalf("call %d ran in %s, want %s", i, inside, want)
		}
		if now, _ := os.Readlink("/proc/self/ns/net"); now != self {
			t.Fatalf("after call %d the process's namespace is %s, was %s", i, now, self)
		}
	}
}
