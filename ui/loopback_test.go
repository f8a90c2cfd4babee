package ui

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// loopbackSockets is a test server on 127.0.0.1:8765 with a client connected
// and one gone to TIME_WAIT, and an IPv6 connection with long addresses:
// endpoints whose ports must survive narrow columns.
func loopbackSockets() []sampler.Socket {
	return []sampler.Socket{
		sock(sampler.TCP, "127.0.0.1:8765", "", sampler.StateListen, 4242, "python3", t0.Add(-time.Minute)),
		sock(sampler.TCP, "127.0.0.1:8765", "127.0.0.1:38112", sampler.StateEstablished, 4242, "python3", t0.Add(-3*time.Second)),
		sock(sampler.TCP, "127.0.0.1:38112", "127.0.0.1:8765", sampler.StateEstablished, 5151, "curl", t0.Add(-3*time.Second)),
		sock(sampler.TCP, "127.0.0.1:38100", "127.0.0.1:8765", sampler.StateTimeWait, 0, "", t0.Add(-9*time.Second)),
		sock(sampler.TCP, "[2001:db8::42]:443", "[2001:db8:85a3::8a2e:370:7334]:51234", sampler.StateEstablished, 777, "nginx", t0.Add(-time.Hour)),
	}
}

// loopbackPairs is two clients of a server on [::1]:37643, both ends of
// each connection on this machine, as in a recording of a local test.
func loopbackPairs() []sampler.Socket {
	return []sampler.Socket{
		sock(sampler.TCP, "[::1]:37643", "", sampler.StateListen, 4242, "python3", t0.Add(-time.Minute)),
		sock(sampler.TCP, "[::1]:37643", "[::1]:51000", sampler.StateEstablished, 4242, "python3", t0.Add(-2*time.Second)),
		sock(sampler.TCP, "[::1]:51000", "[::1]:37643", sampler.StateEstablished, 5151, "curl", t0.Add(-2*time.Second)),
		sock(sampler.TCP, "[::1]:37643", "[::1]:51002", sampler.StateEstablished, 4242, "python3", t0.Add(-time.Second)),
		sock(sampler.TCP, "[::1]:51002", "[::1]:37643", sampler.StateEstablished, 5152, "curl", t0.Add(-time.Second)),
	}
}
