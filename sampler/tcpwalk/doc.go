// Package tcpwalk reads every network namespace's TCP sockets in one walk
// of the kernel's TCP established hash, which namespaces share unless
// they were made with a hash of their own (net.ipv4.tcp_child_ehash_entries):
// a BPF program (root, kernel BTF, Linux 5.17+) that walks the hash and
// writes a record per socket, tagged with its namespace. See README.md.
package tcpwalk
