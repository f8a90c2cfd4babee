package netns

import (
	"strconv"
	"strings"
)

// InitNetInode is the initial network namespace's inode (the kernel's
// PROC_NET_INIT_INO, fixed since Linux 3.8): the owner of the TCP
// established hash every namespace shares unless made with its own.
const InitNetInode = 0xEFFFFFF9

// sharesEhash reads net.ipv4.tcp_ehash_entries as a namespace shows it
// (ok false: the sysctl is missing, Linux before 6.1, where every
// namespace shares the one hash) and says whether that namespace uses
// the initial namespace's established hash: a negative value means it
// shares it, a positive one that it owns a hash, which for the initial
// namespace is that very hash.
func sharesEhash(value string, ok bool, inode uint64) bool {
	if !ok {
		return true
	}
	v, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil {
		return false // unreadable: not vouched for
	}
	return v < 0 || inode == InitNetInode
}
