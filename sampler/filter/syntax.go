package filter

// Syntax is the filter syntax in brief, one kind of term a line, as help
// screens show it (the live view's `?`); the package comment explains the
// choices behind it (what is ORed and what ANDed, local or remote side).
var Syntax = []string{
	"60716  port:60716  :60716        a port, local OR remote side",
	"49152-65535  22,80,443           a range, a list: any of these ports",
	"well-known registered dynamic    an IANA class, local port only",
	"ephemeral                        the OS ephemeral range, local port only",
	"tcp udp  proto:tcp               protocol",
	"listen time-wait state:syn-sent  socket state (any state name)",
	"pid:1234  uid:1000               process id (pid:0: owner unknown), user id",
	"proc:nginx, or just nginx        process name contains this, any case",
	"127.0.0.1  ::1  10.0.0.0/8       an address or network, local OR remote side",
	"127.0.0.1:8080  [::1]:22         an address and port on the same side",
	"ns:blue  ns:4026532238           network namespace: ip netns name or inode",
	"cgroup:nginx  container:0123ab   cgroup path contains; container id starts",
	"!term                            not: !time-wait hides TIME_WAIT sockets",
	"terms of one kind (tcp udp, nginx curl) are ORed; the rest ANDed",
}
