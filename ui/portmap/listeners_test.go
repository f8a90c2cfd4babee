package portmap

import (
	"testing"

	"github.com/porttop/porttop/sampler"
)

// An accepted connection shares its listener's port, so opening one hands
// out no port and must not flash the listener's cell; the client end's
// ephemeral port is handed out and flashes.
func TestAcceptedConnectionsDoNotFlash(t *testing.T) {
	listener := sock(sampler.TCP, "127.0.0.1:8080", "0.0.0.0:0", sampler.StateListen)
	client := sock(sampler.TCP, "127.0.0.1:45000", "127.0.0.1:8080", sampler.StateEstablished)
	accepted := sock(sampler.TCP, "127.0.0.1:8080", "127.0.0.1:45000", sampler.StateEstablished)
	snap := sampler.Snapshot{Time: scriptNow, Sockets: []sampler.Socket{listener, client, accepted}}
	events := []sampler.Event{opened(client, scriptNow, false), opened(accepted, scriptNow, false)}

	for _, tc := range []struct {
		name string
		m    Model
	}{
		{"own listener set", New(plainStyles(), linuxEphemeral).Observe(snap, events, scriptNow)},
		{"shared listener set", func() Model {
			var l sampler.Listeners
			l.Reset(snap.Sockets)
			return New(plainStyles(), linuxEphemeral).ObserveWithListeners(snap, events, scriptNow, &l)
		}()},
	} {
		if !tc.m.c.flashing(45000) {
			t.Errorf("%s: client end's port 45000 does not flash", tc.name)
		}
		if tc.m.c.flashing(8080) {
			t.Errorf("%s: the accepted connection flashed the listener's port 8080", tc.name)
		}
		if !tc.m.c.inUse.has(8080) {
			t.Errorf("%s: port 8080 should still be in use", tc.name)
		}
	}

	// The listener's own open is a hand-out.
	m := New(plainStyles(), linuxEphemeral).Observe(snap, []sampler.Event{opened(listener, scriptNow, false)}, scriptNow)
	if !m.c.flashing(8080) {
		t.Error("a new listener's port 8080 does not flash")
	}
}
