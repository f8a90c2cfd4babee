package explain

import (
	"fmt"
	"strconv"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/cgroup"
	"github.com/porttop/porttop/sampler/users"
	"github.com/porttop/porttop/ui/safe"
)

// maxSocketsListed keeps a busy server port's pane readable.
const maxSocketsListed = 8

// lookupUser names a uid, "" when it has no name. It is cached (users.Name),
// so the explain pane asks the user database once per uid, not per frame.
// Tests replace it so output does not depend on the machine's users.
var lookupUser = func(uid int32) string {
	if n := users.Name(uid); n != strconv.Itoa(int(uid)) {
		return n
	}
	return ""
}

// socketParas says what uses the port now, or that nothing does.
func socketParas(in Input) []para {
	if !in.Live {
		return []para{text(fmt.Sprintf("Now: porttop has not looked at this machine's connections, "+
			"so it cannot say whether port %d is in use.", in.Port))}
	}
	var mine []sampler.Socket
	for _, s := range in.Sockets {
		if in.Proto == 0 || s.Proto == in.Proto {
			mine = append(mine, s)
		}
	}
	if in.Port == 0 {
		return []para{text("Now: no socket holds port 0, on this machine or any other: a socket " +
			"shows port 0 only before it has been given a port.")}
	}
	if len(mine) == 0 {
		what := "tcp or udp"
		if in.Proto != 0 {
			what = in.Proto.String()
		}
		if in.Namespaces > 1 {
			return []para{text(fmt.Sprintf("Now: port %d is free: no %s socket uses it, at either end, "+
				"in any of the %d network namespaces porttop read.", in.Port, what, in.Namespaces))}
		}
		return []para{text(fmt.Sprintf("Now: port %d is free: no %s socket on this machine uses it, "+
			"at either end.", in.Port, what))}
	}
	// A port is in use when a local socket holds it. A socket whose remote
	// port is the port only talks to it: the far side holds it (another
	// machine's, or on loopback a socket of this one that is listed on its
	// own), and binding it here works, as `ss -l sport` and bind(2) agree.
	var local, elsewhere, remote []sampler.Socket
	for _, s := range mine {
		switch {
		case s.Local.Port() != in.Port:
			remote = append(remote, s)
		case elsewhereNS(in, &s):
			elsewhere = append(elsewhere, s)
		default:
			local = append(local, s)
		}
	}
	var out []para
	if len(local) > 0 {
		out = append(out, text(fmt.Sprintf("Now: port %d is in use on this machine; %s:",
			in.Port, countWords(len(local), "socket holds it", "sockets hold it"))))
		out = append(out, socketBullets(in, local)...)
	}
	if len(elsewhere) > 0 {
		lead := fmt.Sprintf("Now: port %d is held only in other network namespaces (containers, ip netns): "+
			"each namespace has its own ports, so it is free to bind in porttop's; %s it there:",
			in.Port, countWords(len(elsewhere), "socket holds", "sockets hold"))
		if len(local) > 0 {
			lead = fmt.Sprintf("Port %d is also held in other network namespaces, each with its own ports; %s it there:",
				in.Port, countWords(len(elsewhere), "socket holds", "sockets hold"))
		}
		out = append(out, text(lead))
		out = append(out, socketBullets(in, elsewhere)...)
	}
	if len(remote) > 0 {
		lead := fmt.Sprintf("Now: no socket on this machine holds port %d as its own, so it is free "+
			"to bind here; %s it only as the remote end (the other side's port):",
			in.Port, countWords(len(remote), "socket uses", "sockets use"))
		if len(local)+len(elsewhere) > 0 {
			lead = fmt.Sprintf("Port %d is also the remote end (the other side's port) of %s:",
				in.Port, countWords(len(remote), "connection", "connections"))
		}
		out = append(out, text(lead))
		out = append(out, socketBullets(in, remote)...)
	}
	return out
}

// elsewhereNS reports whether s lives in another network namespace than
// porttop's (known only when porttop read several).
func elsewhereNS(in Input, s *sampler.Socket) bool {
	return in.OwnNetns != 0 && s.Netns != 0 && s.Netns != in.OwnNetns
}

// whereNS says which namespace (and container) a socket of another network
// namespace is in: " in network namespace blue (docker:0123456789ab)".
func whereNS(in Input, s *sampler.Socket) string {
	if !elsewhereNS(in, s) {
		return ""
	}
	names := s.Names()
	ns := names.NetnsName
	if ns == "" {
		ns = "net:[" + strconv.FormatUint(s.Netns, 10) + "]"
	}
	where := " in network namespace " + safe.Text(ns)
	if w := cgroup.Parse(names.Cgroup).String(); w != "" {
		where += " (" + safe.Text(w) + ")"
	} else if names.Container != "" {
		where += " (container " + safe.Text(names.Container) + ")"
	}
	return where
}

// countWords is "1 socket holds it" or "3 sockets hold it".
func countWords(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// socketBullets lists socks, at most maxSocketsListed of them.
func socketBullets(in Input, socks []sampler.Socket) []para {
	var out []para
	for i := range socks {
		if i == maxSocketsListed {
			out = append(out, bullet(fmt.Sprintf("and %d more.", len(socks)-maxSocketsListed)))
			break
		}
		out = append(out, bullet(socketSentence(in, &socks[i])))
	}
	return out
}

func socketSentence(in Input, s *sampler.Socket) string {
	who := owner(s, in)
	hasRemote := s.Remote.IsValid() && s.Remote.Port() != 0
	var did string
	switch {
	case s.State == sampler.StateListen:
		did = fmt.Sprintf("listens on %s over tcp", s.Local)
	case s.Proto == sampler.UDP && !hasRemote:
		did = fmt.Sprintf("has a udp socket bound to %s", s.Local)
	case s.Proto == sampler.UDP:
		did = fmt.Sprintf("has a udp socket on %s talking to %s", s.Local, s.Remote)
	case s.State == sampler.StateEstablished:
		did = fmt.Sprintf("is connected from %s to %s over tcp (ESTABLISHED)", s.Local, s.Remote)
	case s.State == sampler.StateSynSent:
		did = fmt.Sprintf("is connecting from %s to %s over tcp (SYN_SENT)", s.Local, s.Remote)
	case s.State == sampler.StateTimeWait && s.PID == 0:
		who = "A tcp connection"
		did = fmt.Sprintf("from %s to %s has closed and waits in TIME_WAIT: the kernel keeps it a while, "+
			"owned by no process, so late packets are not taken for a new connection", s.Local, s.Remote) + timeWaitLeft(s, in.Now)
	case s.State == sampler.StateTimeWait:
		did = fmt.Sprintf("held a tcp connection from %s to %s that has closed; the kernel keeps it in "+
			"TIME_WAIT a while so late packets are not taken for a new connection", s.Local, s.Remote) + timeWaitLeft(s, in.Now)
	case s.Owner.Departed():
		did = fmt.Sprintf("held a tcp connection from %s to %s and has let it go; the kernel is finishing "+
			"its shutdown (%s) and no process holds it now", s.Local, s.Remote, s.State)
	default:
		did = fmt.Sprintf("has a tcp connection from %s to %s in state %s", s.Local, s.Remote, s.State)
	}
	sentence := who + " " + did + whereNS(in, s)
	if s.Local.Port() != in.Port && s.Remote.Port() == in.Port {
		sentence += fmt.Sprintf("; port %d is the remote end", in.Port)
	}
	since := s.Since.Time()
	switch {
	case since.IsZero():
	case in.OpenAtStart != nil && in.OpenAtStart(s):
		// First seen at porttop's first sample: open before it, for how
		// long before, porttop cannot know.
		at := in.FirstSample
		if at.IsZero() {
			at = since
		}
		sentence += ", open since before porttop started at " + clock(at, in.Now)
		if in.Now.After(since) {
			sentence += " (at least " + duration(in.Now.Sub(since)) + ")"
		}
	default:
		sentence += ", since " + clock(since, in.Now)
		if in.Now.After(since) {
			sentence += " (" + duration(in.Now.Sub(since)) + ")"
		}
	}
	return sentence + "."
}

// owner names the process and user, or says why they are unknown.
func owner(s *sampler.Socket, in Input) string {
	switch {
	case s.PID == 0 && in.Recorded:
		return "A process the recording does not name"
	case s.PID == 0 && in.OwnersVisible:
		return "Something porttop cannot name (no process whose files it can read holds the socket: " +
			"it may be the kernel's own, a process even root may not inspect, or one in another PID namespace, " +
			"such as a container sharing this network)"
	case s.PID == 0:
		return "A process porttop cannot name (owner unknown: seeing other users' processes needs root or administrator rights)"
	}
	name := safe.Text(s.Process)
	if name == "" {
		name = "a process"
	}
	who := fmt.Sprintf("%s (pid %d", name, s.PID)
	if s.UID >= 0 {
		if u := safe.Text(lookupUser(s.UID)); u != "" {
			who += fmt.Sprintf(", user %s, uid %d", u, s.UID)
		} else {
			who += fmt.Sprintf(", uid %d", s.UID)
		}
	}
	return who + ")"
}

// timeWaitLeft says when the kernel frees a TIME_WAIT socket, where the
// source reports its timer (ss -o's timewait): "; it frees it in 45s".
func timeWaitLeft(s *sampler.Socket, now time.Time) string {
	if s.TimeWaitEnds.IsZero() {
		return ""
	}
	ends := s.TimeWaitEnds.Time()
	left := ends.Sub(now)
	if left <= 0 {
		return "; its timer has run out, so the kernel frees it now"
	}
	return "; the kernel frees it (and its port) in " + duration(left) + ", at " + clock(ends, now)
}
