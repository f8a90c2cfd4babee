//go:build !linux

package sockdiag

import (
	"context"

	"github.com/porttop/porttop/sampler"
)

// Source exists on every OS so callers compile; New fails off Linux.
type Source struct{}

// New reports ErrUnsupported: sock_diag is Linux's.
func New() (*Source, error) { return nil, ErrUnsupported }

func (*Source) Name() string { return "netlink" }

func (*Source) Sample(context.Context) (sampler.Snapshot, error) {
	return sampler.Snapshot{}, ErrUnsupported
}
