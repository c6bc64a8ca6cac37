package reconcile

import (
	"runtime"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// earlyBuild builds partitions while a streamed load is still decoding the
// next ones (schema.LoadOptions.OnPartition), on every core, and then
// drops each partition's decoded settings except those a ConfigChecker
// reads across partitions. A one-shot plan of 10,000 partitions thus never
// holds every decoded partition next to every built profile: the decoded
// form of a partition is about twice its profile.
//
// buildParts takes the results and does the rest as for any partition
// (the configuration's file inputs, acknowledged warnings, configuration
// checks), so the outcome is the same as building after the load.
type earlyBuild struct {
	provs   []providers.Provider
	keep    map[string]bool
	files   *providers.FileCache
	work    chan *schema.Partition
	wg      sync.WaitGroup
	started bool

	mu   sync.Mutex
	done map[*schema.Partition]earlyResult
}

type earlyResult struct {
	d     *Desired
	diags hcl.Diagnostics
}

func newEarlyBuild() *earlyBuild {
	b := &earlyBuild{provs: providers.All(), keep: map[string]bool{}, files: providers.NewFileCache(),
		done: map[*schema.Partition]earlyResult{}}
	for _, pr := range b.provs {
		if _, ok := pr.(providers.ConfigChecker); ok {
			b.keep[pr.Family()] = true
		}
	}
	return b
}

// streamed returns opts set to stream with b building each partition.
func (b *earlyBuild) streamed(opts schema.LoadOptions) schema.LoadOptions {
	opts.Stream = true
	opts.OnPartition = b.add
	return opts
}

// add is the OnPartition hook: it queues p for the workers, waiting when
// they are behind so that decoded partitions do not pile up.
func (b *earlyBuild) add(cfg *schema.Config, p *schema.Partition) {
	if !b.started {
		b.started = true
		workers := runtime.GOMAXPROCS(0)
		b.work = make(chan *schema.Partition, 16*workers)
		for range workers {
			b.wg.Add(1)
			go func() {
				defer b.wg.Done()
				for p := range b.work {
					d, ds := buildOne(providers.NewContext(cfg).WithCache(b.files), b.provs, p)
					p.ReleaseFamilies(b.keep)
					b.mu.Lock()
					b.done[p] = earlyResult{d, ds}
					b.mu.Unlock()
				}
			}()
		}
	}
	b.work <- p
}

// wait returns when every queued partition is built.
func (b *earlyBuild) wait() {
	if b != nil && b.started {
		close(b.work)
		b.wg.Wait()
		b.started = false
	}
}

// take returns p's early result, if it has one (nil receiver: none).
func (b *earlyBuild) take(p *schema.Partition) (earlyResult, bool) {
	if b == nil {
		return earlyResult{}, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.done[p]
	delete(b.done, p)
	return r, ok
}

// cache is the file cache of the build: the early one when there is one,
// so that every partition sees one read of each referenced file.
func (b *earlyBuild) cache() *providers.FileCache {
	if b == nil {
		return providers.NewFileCache()
	}
	return b.files
}

// LoadAndBuild loads a configuration, streaming it, and builds every
// partition's profile while it loads (what validate does). The
// partitions' decoded settings are released once built.
func LoadAndBuild(opts schema.LoadOptions) (*schema.Config, map[string]*Desired, hcl.Diagnostics) {
	b := newEarlyBuild()
	cfg, diags := schema.Load(b.streamed(opts))
	b.wait()
	if diags.HasErrors() {
		return cfg, nil, diags
	}
	results, bd, _ := buildParts(cfg, cfg.Partitions, b, true)
	out := make(map[string]*Desired, len(results))
	for _, d := range results {
		if d != nil {
			out[d.Name] = d
		}
	}
	return cfg, out, append(diags, bd...)
}
