package builder

import (
	"sort"
	"sync"
	"time"
)

// timeline records when go commands ran, so that a build can report how
// much of its wall time was pluginctl's own work (discovery, hashing,
// metadata, manifest) rather than the go commands it waited for.
type timeline struct {
	mu    sync.Mutex
	spans [][2]time.Time
}

// track runs f and records its span.
func (tl *timeline) track(f func()) {
	start := time.Now()
	f()
	tl.mu.Lock()
	tl.spans = append(tl.spans, [2]time.Time{start, time.Now()})
	tl.mu.Unlock()
}

// busy is the length of the union of the recorded spans.
func (tl *timeline) busy() time.Duration {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	s := append([][2]time.Time(nil), tl.spans...)
	sort.Slice(s, func(i, j int) bool { return s[i][0].Before(s[j][0]) })
	var total time.Duration
	var cur [2]time.Time
	for i, sp := range s {
		if i == 0 || sp[0].After(cur[1]) {
			if i > 0 {
				total += cur[1].Sub(cur[0])
			}
			cur = sp
			continue
		}
		if sp[1].After(cur[1]) {
			cur[1] = sp[1]
		}
	}
	if len(s) > 0 {
		total += cur[1].Sub(cur[0])
	}
	return total
}
