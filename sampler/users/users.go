// Package users names uids, caching every answer: a lookup may read
// /etc/passwd or ask a directory service, far too slow for every row of
// every frame, and the UI must not make it more than once per uid.
package users

import (
	"os/user"
	"strconv"
	"sync"
)

// userNames caches uid -> user name: a lookup may read /etc/passwd or ask a
// directory service, far too slow for every row of every frame.
var userNames sync.Map // int32 -> string

// Name returns the name of uid, or the number as text when it has none
// ("" for -1, unknown). Results, including misses, are cached for the life
// of the process.
func Name(uid int32) string {
	if uid < 0 {
		return ""
	}
	if v, ok := userNames.Load(uid); ok {
		return v.(string)
	}
	name := strconv.Itoa(int(uid))
	if u, err := user.LookupId(name); err == nil && u.Username != "" {
		name = u.Username
	}
	userNames.Store(uid, name)
	return name
}
