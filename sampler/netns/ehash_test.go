package netns

import "testing"

func TestSharesEhash(t *testing.T) {
	for _, c := range []struct {
		value string
		ok    bool
		inode uint64
		want  bool
	}{
		{"-262144\n", true, 4026532200, true},  // a namespace sharing it
		{"4096\n", true, 4026532200, false},    // one with its own
		{"262144\n", true, InitNetInode, true}, // the initial namespace owns it
		{"", false, 4026532200, true},          // Linux before 6.1: one hash
		{"x", true, 4026532200, false},
	} {
		if got := sharesEhash(c.value, c.ok, c.inode); got != c.want {
			t.Errorf("%q ok=%v inode %d: %v, want %v", c.value, c.ok, c.inode, got, c.want)
		}
	}
}
