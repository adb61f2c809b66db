package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"faultline.dev/faultline/history"
	"faultline.dev/faultline/injectors"
	"faultline.dev/faultline/providers"
	"faultline.dev/faultline/scenarios"
	"faultline.dev/faultline/targets"
)

// watch is a fake kind shaped like diskBurst: while injected it samples its
// target into the history, and its Verify waits for an effect that never
// comes until the runner ends its window (or watchPatience passes).
const kindWatch = "watch"

const watchPatience = 20 * time.Second

type watchSpec struct{}

type watchFault struct {
	record func(injectors.Sample)
	window chan struct{}
	end    sync.Once
	stop   chan struct{}
	done   chan struct{}
}

var (
	_ injectors.Sampler     = (*watchFault)(nil)
	_ injectors.WindowEnder = (*watchFault)(nil)
	_ injectors.Verifier    = (*watchFault)(nil)
)

func newWatch() *watchFault {
	return &watchFault{window: make(chan struct{}), stop: make(chan struct{})}
}

func (*watchFault) Kind() string                             { return kindWatch }
func (*watchFault) Params() json.RawMessage                  { return json.RawMessage(`{}`) }
func (f *watchFault) SampleTo(record func(injectors.Sample)) { f.record = record }
func (f *watchFault) EndWindow()                             { f.end.Do(func() { close(f.window) }) }

func (f *watchFault) Inject(context.Context) error {
	f.done = make(chan struct{})
	go func() {
		defer close(f.done)
		for i := 0; ; i++ {
			select {
			case <-f.stop:
				return
			case <-time.After(20 * time.Millisecond):
				if f.record == nil {
					continue // never handed a recorder
				}
				f.record(injectors.Sample{Series: kindWatch, Node: "n1", Value: json.RawMessage(fmt.Sprint(i))})
			}
		}
	}()
	return nil
}

func (f *watchFault) Recover(context.Context) error {
	if f.done != nil {
		close(f.stop)
		<-f.done
		f.done = nil
	}
	return nil
}

func (f *watchFault) Verify(context.Context) (injectors.Evidence, error) {
	select {
	case <-f.window:
		return injectors.Evidence{Held: true, Summary: "window ended"}, nil
	case <-time.After(watchPatience):
		return injectors.Evidence{Summary: "still waiting"}, nil
	}
}

// watchProvider is the fake provider with the watch kind registered whole.
type watchProvider struct{ fakeProvider }

func (p watchProvider) Faults(stateDir string) *targets.Registry {
	r := p.fakeProvider.Faults(stateDir)
	r.Register(targets.Kind{
		Spelling: scenarios.Spell[watchSpec](scenarios.KindSpec{Name: kindWatch, Selects: true}, nil),
		Life:     injectors.Lifecycle{Proof: "the window ended"},
		Build: func(context.Context, targets.Session, targets.Step) (injectors.Fault, error) {
			return newWatch(), nil
		},
		Rebuild: func(json.RawMessage) (injectors.Fault, error) { return newWatch(), nil },
	})
	return r
}

// A fault that samples its target gets its samples into the history while
// it is injected, and a Verify waiting for its effect neither holds up the
// timeline nor the heal: the runner ends its window when the heal is due.
func TestSamplingFaultAndWaitingVerify(t *testing.T) {
	src := lifecycleSource("galera", "3s", "", "- {at: 500ms, for: 1s, watch: {}, select: {nodes: [n1]}}")
	s, err := scenarios.LoadWith("watch.yaml", []byte(src), watchProvider{}.Faults("").Spellings())
	if err != nil {
		t.Fatal(err)
	}
	c := newFakeCluster(fmt.Sprintf("fake-watch-%d", time.Now().UnixNano()), 3)
	start := time.Now()
	res, err := Run(context.Background(), Options{
		Scenario: s, Source: []byte(src), OutDir: t.TempDir(), StateDir: t.TempDir(), Quiet: true,
		Providers: providers.New(watchProvider{fakeProvider{cluster: c}}), Load: newFakeLoad(c),
		ProbeInterval: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > watchPatience/2 {
		t.Fatalf("run took %v: the waiting Verify held it up", took)
	}
	events, err := history.ReadAll(filepath.Join(res.Dir, history.FileHistory))
	if err != nil {
		t.Fatal(err)
	}
	at := map[history.FaultPhase]int64{}
	var samples []int64
	for _, e := range events {
		switch {
		case e.Type == history.Fault && e.Fault != nil:
			at[e.Fault.Phase] = e.Time
		case e.Type == history.Sample && e.F == kindWatch && e.Node == "n1":
			samples = append(samples, e.Time)
		}
	}
	start0, effect, healed := at[history.FaultStart], at[history.FaultEffect], at[history.FaultHealed]
	if effect == 0 || healed == 0 {
		t.Fatalf("fault events %v: want an effect (the window ended) and a heal", at)
	}
	if d := time.Duration(healed - start0); d < 900*time.Millisecond || d > 2*time.Second {
		t.Errorf("healed %v after the start; want about the step's 1s", d)
	}
	if len(samples) < 20 || samples[0] < start0 || samples[len(samples)-1] > healed {
		t.Errorf("%d samples from %v to %v; want ≥ 20 within the fault's window %v..%v",
			len(samples), time.Duration(samples[0]), time.Duration(samples[len(samples)-1]), time.Duration(start0), time.Duration(healed))
	}
}
