package sockettable

import (
	"net/netip"
	"strings"
)

// addrFloor is the width each address column keeps before PID and SERVICE
// are given room: "127.0.0.1:8765" whole.
const addrFloor = 15

// fitAddr writes an endpoint in at most w cells without ever cutting its
// port: a host too long loses its middle ("127.…0.1:8765", "[2001…:1]:443"),
// since the port is what the screen is about.
func fitAddr(ap netip.AddrPort, w int) string {
	return shortenAddr(FormatAddr(ap), w)
}

// shortenAddr is fitAddr on a formatted endpoint ("host:port", "[v6]:port",
// "*:53", "*").
func shortenAddr(s string, w int) string {
	r := []rune(s)
	if len(r) <= w {
		return s
	}
	colon := strings.LastIndexByte(s, ':')
	if colon < 0 {
		return string(r[:max(w-1, 0)]) + "…"
	}
	host, port := []rune(s[:colon]), s[colon:]
	lb, rb := "", ""
	if len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']' {
		host, lb, rb = host[1:len(host)-1], "[", "]"
	}
	budget := w - len(port) - len(lb) - len(rb)
	if budget < 2 && lb != "" { // no room for the brackets: the host goes first
		budget += 2
		lb, rb = "", ""
	}
	if budget < 1 {
		return port[1:] // the port alone; the column is never this narrow
	}
	if budget == 1 {
		return "…" + port
	}
	tail := budget / 2 // the end of the host tells hosts apart: it keeps the odd cell
	head := budget - 1 - tail
	return lb + string(host[:head]) + "…" + string(host[len(host)-tail:]) + rb + port
}
