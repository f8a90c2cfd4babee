package procowner

import "testing"

func TestSocketInode(t *testing.T) {
	for _, tc := range []struct {
		in string
		n  uint64
		ok bool
	}{
		{"socket:[12345]", 12345, true},
		{"socket:[0]", 0, true},
		{"socket:[18446744073709551615]", 18446744073709551615, true},
		{"socket:[18446744073709551616]", 0, false},
		{"socket:[]", 0, false},
		{"socket:[12a]", 0, false},
		{"socket:[12", 0, false},
		{"pipe:[12]", 0, false},
		{"/dev/null", 0, false},
		{"anon_inode:[eventpoll]", 0, false},
		{"", 0, false},
	} {
		n, ok := socketInode([]byte(tc.in))
		if n != tc.n || ok != tc.ok {
			t.Errorf("%q: %d %v, want %d %v", tc.in, n, ok, tc.n, tc.ok)
		}
	}
}

func FuzzSocketInode(f *testing.F) {
	f.Add([]byte("socket:[123]"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = socketInode(b) })
}
