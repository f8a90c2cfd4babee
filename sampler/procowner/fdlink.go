package procowner

// socketInode reads the inode from an /proc/<pid>/fd link target of the form
// "socket:[12345]"; ok is false for anything else.
func socketInode(link []byte) (inode uint64, ok bool) {
	const prefix = "socket:["
	if len(link) < len(prefix)+2 || string(link[:len(prefix)]) != prefix || link[len(link)-1] != ']' {
		return 0, false
	}
	digits := link[len(prefix) : len(link)-1]
	if len(digits) > 20 {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		next := inode*10 + uint64(c-'0')
		if next < inode {
			return 0, false
		}
		inode = next
	}
	return inode, true
}
