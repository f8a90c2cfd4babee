package tcpwalk

import "github.com/porttop/porttop/sampler"

// Row is one socket the walk passed: its network namespace (the inode
// sampler.Place.Netns holds) and the socket as a sock_diag dump lists it,
// but for its Cookie, which is 0 while the kernel has made none for the
// socket (it makes them lazily: a sock_diag reply or bpf_get_socket_cookie
// does; a walk cannot).
type Row struct {
	Netns uint64
	// IPv6 is the socket's family (Socket's addresses are unmapped: an
	// IPv6 socket talking IPv4 shows IPv4 ones).
	IPv6   bool
	Socket sampler.Socket
}
