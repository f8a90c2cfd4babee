// Package filter reads what a user types into porttop's `/` filter or
// passes to --port, and matches sockets and events against it.
//
// Syntax: terms separated by spaces; keywords in any case.
//
//	60716  port:60716  :60716   a port, local OR remote side
//	49152-65535                 a range of ports, local OR remote side
//	22,80,443  1-1023,8080      a comma list: any of these ports or ranges
//	well-known registered       an IANA class, LOCAL port only
//	dynamic ephemeral           IANA's dynamic range; the OS ephemeral range
//	                            (the one given to Parse); LOCAL port only
//	tcp udp  proto:tcp          protocol
//	listen established          socket state: any state name, with - or _
//	time-wait  state:syn-sent   or neither (timewait); none is UDP's no-state
//	pid:1234                    process id (pid:0: owner unknown)
//	uid:1000                    owning user id
//	proc:nginx, or just nginx   process name contains this, any case
//	127.0.0.1  ::1  10.0.0.0/8  an address or network, local OR remote side
//	127.0.0.1:8080  [::1]:22    an address and port on the same side
//	!term                       not: !time-wait hides TIME_WAIT sockets
//
// Choices where a typed line is ambiguous:
//   - Protocols, states, pids, uids and process names are ORed within their
//     kind ("tcp udp", "listen established", "nginx curl"): a socket has
//     only one of each, so ANDing them could never match. Everything else
//     is ANDed, kinds with each other and port or address terms with each
//     other, so "ephemeral 443" is outgoing connections to port 443 and
//     "60716 443" is the connection between those two ports. Write
//     "22,443" for either port. Negated terms are each ANDed: "!listen
//     !time-wait" hides both.
//   - A bare number or range matches the local or the remote port, because
//     a user chasing port 443 wants both the server and its clients. Class
//     and range names match only the local port: the question there is
//     which ports this machine handed out.
//   - The remote side counts only when there is a remote end: a listening
//     or unconnected socket's remote port 0 does not match "0" or "0-1023",
//     nor does its unspecified remote address match an address term.
//   - A word that is a keyword (tcp, listen, close, ...) is the keyword; to
//     look for a process of that name write proc:close.
//   - Only digits, dashes and commas make a port term, so a mistyped port
//     (70000, 9-3) is an error rather than a search for a process so named.
//   - Likewise a term shaped like an address must be one: one starting
//     with '[', one of hex digits with two or more colons (IPv6), or one of
//     digits with at least one dot, each optionally with /BITS or :PORT
//     (see looksLikeAddress). So 300.1.1.1, 10.0.0.0/99 and 127.0.0.1:99999
//     are errors; kworker/0 and python3.11 are still process names.
//   - An event matches when its socket matches, or, for a state change,
//     when the socket in its previous state matches, so filtering on
//     "established" also shows connections leaving that state.
package filter
