package netns

import (
	"context"
	"time"
)

// Follow calls discover every interval and on with each non-empty Change,
// until ctx ends (the first call reports every namespace as added). A
// failed discovery is skipped: the namespaces known stay known. The
// multi-namespace Source does not need it (it rediscovers in Sample); it
// is for a consumer that only follows namespaces.
func Follow(ctx context.Context, every time.Duration, discover func() ([]NS, error), on func(Change)) error {
	var tr Tracker
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if list, err := discover(); err == nil {
			if c := tr.Update(list); !c.Empty() {
				on(c)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
