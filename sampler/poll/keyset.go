package poll

import (
	"iter"

	"github.com/porttop/porttop/sampler"
)

// keySet is a set of release keys (see releaseKey): a key with a cookie
// (almost all) as 16 bytes, not the 80-byte ID. A check marks in one the
// sockets events touch while its dump runs: at 2,000 connections a second
// and a dump of seconds on a loaded machine, tens of thousands (a map of
// IDs was 8.8 MB at 65k). reset lets a big set's memory go: a Go map
// keeps its size when cleared, and checks come every 10 s.
type keySet struct {
	cookies map[cookieKey]struct{}
	ids     map[sampler.ID]struct{}
}

// keySetKeep is the most keys a reset set keeps the memory of.
const keySetKeep = 1024

func (k *keySet) add(key sampler.ID) {
	if k.cookies == nil {
		k.cookies, k.ids = map[cookieKey]struct{}{}, map[sampler.ID]struct{}{}
	}
	if key.Cookie != 0 {
		k.cookies[cookieKey{key.Cookie, key.Proto}] = struct{}{}
		return
	}
	k.ids[key] = struct{}{}
}

func (k *keySet) has(key sampler.ID) bool {
	if key.Cookie != 0 {
		_, ok := k.cookies[cookieKey{key.Cookie, key.Proto}]
		return ok
	}
	_, ok := k.ids[key]
	return ok
}

func (k *keySet) len() int { return len(k.cookies) + len(k.ids) }

// all yields every key.
func (k *keySet) all() iter.Seq[sampler.ID] {
	return func(yield func(sampler.ID) bool) {
		for c := range k.cookies {
			if !yield(sampler.ID{Cookie: c.cookie, Proto: c.proto}) {
				return
			}
		}
		for id := range k.ids {
			if !yield(id) {
				return
			}
		}
	}
}

// reset empties the set; one that held more than keySetKeep keys lets
// its memory go.
func (k *keySet) reset() {
	if k.len() > keySetKeep {
		k.cookies, k.ids = nil, nil
		return
	}
	clear(k.cookies)
	clear(k.ids)
}
