package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/targets"
	"faultline.dev/faultline/workloads"
)

// setupWorkload makes the run's load and creates its schema through a
// writable node.
func (r *run) setupWorkload(ctx context.Context) error {
	r.router = workloads.NewRouter()
	r.rec = &workloads.WriterRecorder{W: r.hist}
	newLoad := r.o.Load
	if newLoad == nil {
		newLoad = SQLLoad
	}
	l, err := newLoad(LoadEnv{
		Workload: r.scn.Spec.Workload, Seed: r.seed, Nodes: r.target.Nodes(), Router: r.router,
		Recorder: r.metrics.Recorder(r.rec), Clock: r.clock.Now, Target: r.target, Logf: r.progress.Logf,
	})
	if err != nil {
		return err
	}
	r.load = l
	r.probeOnce(ctx)
	node, err := r.writableNode()
	if err != nil {
		return err
	}
	return l.Setup(ctx, node, r.target.Nodes())
}

// writableNode is the replication primary, or the first Galera node that is
// Primary and Synced.
func (r *run) writableNode() (targets.Node, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.probes {
		if p.Writable {
			if n, ok := targets.NodeByName(r.target, p.Node); ok {
				return n, nil
			}
		}
	}
	return targets.Node{}, fmt.Errorf("no writable node among %d probed", len(r.probes))
}

// probeOnce samples every node, records the samples and feeds the router.
func (r *run) probeOnce(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	ps := targets.ProbeAll(pctx, r.target)
	now := r.clock.Now()
	for i := range ps {
		p := ps[i]
		r.record(&history.Event{Time: now, Process: history.ProcessProbe, Type: history.Probe, Node: p.Node, Probe: &p})
	}
	r.metrics.Probes(now, ps)
	r.router.ObserveAll(ps)
	r.mu.Lock()
	r.probes = ps
	r.mu.Unlock()
}

// recordCluster records what the target's control plane reported.
func (r *run) recordCluster(ev history.ClusterEvent) {
	node, _ := strings.CutPrefix(ev.Object, "pod/")
	if node == ev.Object {
		node = ""
	}
	r.record(&history.Event{Process: history.ProcessCluster, Type: history.Cluster, Node: node, Cluster: &ev})
}

// probeLoop probes every interval until ctx ends.
func (r *run) probeLoop(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	t := time.NewTicker(r.o.ProbeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.probeOnce(ctx)
		}
	}
}

// runTimeline runs the workload with probes, fires the fault timeline and
// watches the abort condition. It returns when the workload is over.
func (r *run) runTimeline(ctx context.Context) error {
	duration := r.plan.Duration

	var probes sync.WaitGroup
	pctx, stopProbes := context.WithCancel(context.WithoutCancel(ctx))
	r.stopProbes = func() { stopProbes(); probes.Wait() }
	probes.Add(1)
	go r.probeLoop(pctx, &probes)
	if w, ok := r.target.(targets.Watcher); ok {
		probes.Add(1)
		go func() {
			defer probes.Done()
			w.Watch(pctx, r.recordCluster)
		}()
	}

	wctx, stopWorkload := context.WithCancelCause(ctx)
	defer stopWorkload(nil)
	poolDone := make(chan error, 1)
	r.workStart = r.clock.Now()
	r.mark("workload-start", "")
	go func() { poolDone <- r.load.Run(wctx, duration) }()

	stopBackups := r.startBackups(ctx)
	err := r.timeline(ctx, stopWorkload, poolDone)
	r.endWindows()
	stopBackups()
	r.faults.Wait() // injections and heals in flight
	r.mark("workload-end", r.partial)
	if rerr := r.rec.Err(); rerr != nil && err == nil {
		err = fmt.Errorf("record history: %w", rerr)
	}
	return err
}

// sinceWorkload is the time since the workload started: the plan's steps
// are at offsets from it, not from the run's start (the target's setup
// before it can take seconds).
func (r *run) sinceWorkload() time.Duration { return time.Duration(r.clock.Now() - r.workStart) }

// timeline fires actions on schedule until the end, an abort or ctx's end.
func (r *run) timeline(ctx context.Context, stop context.CancelCauseFunc, poolDone <-chan error) error {
	acts := Schedule(r.stepTimings(), r.plan.Duration)
	det := r.abortDetector()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var fed int64 = -1
	for _, a := range acts {
		for wait := true; wait; {
			left := a.At - r.sinceWorkload()
			if left <= 0 {
				break
			}
			timer := time.NewTimer(left)
			select {
			case <-ctx.Done():
				timer.Stop()
				stop(context.Cause(ctx))
				<-poolDone
				return nil
			case err := <-poolDone:
				timer.Stop()
				if err != nil && !errors.Is(err, context.Canceled) {
					return fmt.Errorf("workload: %w", err)
				}
				if a.Kind == ActEnd {
					return nil
				}
				poolDone = nil // finished early; keep the timeline
			case <-tick.C:
				timer.Stop()
				if why := r.observe(det, &fed); why != "" {
					r.partial = "aborted: " + why
					r.progress.Logf("abort: %s — healing everything", why)
					stop(errors.New(why))
					if poolDone != nil {
						<-poolDone
					}
					return nil
				}
			case <-timer.C:
				wait = false
			}
		}
		r.fire(ctx, a)
		if a.Kind == ActEnd {
			break
		}
	}
	if poolDone != nil {
		if err := <-poolDone; err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("workload: %w", err)
		}
	}
	r.progress.Done()
	return nil
}

// observe updates progress and feeds closed windows to the abort detector.
func (r *run) observe(det *AbortDetector, fed *int64) string {
	st := r.load.Stats()
	var last workloads.Window
	why := ""
	for i, w := range st.Windows {
		if i == len(st.Windows)-1 { // still open
			break
		}
		last = w
		if w.Start <= *fed {
			continue
		}
		*fed = w.Start
		if abort, reason := det.Observe(Window{OK: int(w.OK), Fail: int(w.Fail), Info: int(w.Info)}); abort && why == "" {
			why = reason
		}
	}
	r.progress.Update(Snapshot{
		Elapsed: r.sinceWorkload(), Total: r.plan.Duration,
		Window: Window{OK: int(last.OK), Fail: int(last.Fail), Info: int(last.Info)},
		P99:    last.P99, Faults: r.activeFaults(), Roles: r.roles(),
	})
	return why
}

func (r *run) abortDetector() *AbortDetector {
	a := r.scn.Spec.Abort
	if a == nil {
		return nil
	}
	return &AbortDetector{Rate: a.ErrorRate, For: a.For.D()}
}

func (r *run) roles() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := make(map[string]string, len(r.probes))
	for _, p := range r.probes {
		m[p.Node] = p.Role
	}
	return m
}
