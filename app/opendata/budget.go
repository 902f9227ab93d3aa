package opendata

import (
	"context"

	"golang.org/x/sync/semaphore"
)

// A spatial job's memory grows with its features (the index builder keeps
// about 20 bytes per feature while it sorts them; everything else streams),
// so concurrent spatial jobs share one budget of in-flight features: each
// reserves its estimated feature count before it reads, and waits while
// others hold the budget. With the default limit this bounds the builders'
// memory to what one maximal upload needs, however many jobs run at once.

// bytesPerFeatureFloor is the fewest bytes a feature can take in an upload
// (a short CSV row with two coordinates), so size/floor never undercounts.
const bytesPerFeatureFloor = 24

type featureBudget struct {
	sem *semaphore.Weighted
	max int64
}

func newFeatureBudget(maxFeatures int) *featureBudget {
	return &featureBudget{sem: semaphore.NewWeighted(int64(maxFeatures)), max: int64(maxFeatures)}
}

// reserve waits for room for a file of size bytes and returns the release.
func (b *featureBudget) reserve(ctx context.Context, size int64) (func(), error) {
	n := min(max(size/bytesPerFeatureFloor, 1), b.max)
	if err := b.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { b.sem.Release(n) }, nil
}
