package kube

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"

	"faultline.dev/faultline/targets"
)

// forwards keeps one port-forward per pod, as `kubectl port-forward` would
// (a loopback listener whose connections are streams to the pod's port),
// started on the first dial and started again on the next dial after it
// died: a pod that was killed, evicted or rescheduled keeps its name.
type forwards struct {
	rest *rest.Config
	cs   kubernetes.Interface
	ns   string
	port int

	mu   sync.Mutex
	pods map[string]*forward
}

type forward struct {
	mu     sync.Mutex
	local  int
	cancel context.CancelFunc
	done   chan struct{} // closed when the forward ended
}

func newForwards(rc *rest.Config, cs kubernetes.Interface, ns string, port int) *forwards {
	return &forwards{rest: rc, cs: cs, ns: ns, port: port, pods: map[string]*forward{}}
}

// dialer is a node's Dial: every connection goes through the pod's forward.
func (fs *forwards) dialer(pod string) targets.DialFunc {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		port, err := fs.local(ctx, pod)
		if err != nil {
			return nil, err
		}
		var d net.Dialer
		return d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	}
}

func (fs *forwards) get(pod string) *forward {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.pods[pod]
	if f == nil {
		f = &forward{}
		fs.pods[pod] = f
	}
	return f
}

// local is the loopback port forwarded to pod, starting the forward when
// there is none alive.
func (fs *forwards) local(ctx context.Context, pod string) (int, error) {
	f := fs.get(pod)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done != nil {
		select {
		case <-f.done:
		default:
			return f.local, nil
		}
	}
	return f.start(ctx, fs, pod)
}

func (f *forward) start(ctx context.Context, fs *forwards, pod string) (int, error) {
	transport, upgrader, err := spdy.RoundTripperFor(fs.rest)
	if err != nil {
		return 0, fmt.Errorf("port-forward to %s: %w", pod, err)
	}
	url := fs.cs.CoreV1().RESTClient().Post().Resource("pods").Namespace(fs.ns).Name(pod).SubResource("portforward").URL()
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, url)
	fctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	pf, err := portforward.NewOnAddressesWithContext(fctx, dialer, []string{"127.0.0.1"},
		[]string{"0:" + strconv.Itoa(fs.port)}, ready, io.Discard, io.Discard)
	if err != nil {
		cancel()
		return 0, fmt.Errorf("port-forward to %s: %w", pod, err)
	}
	done := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- pf.ForwardPorts()
		close(done)
	}()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	select {
	case <-ready:
	case <-done:
		cancel()
		return 0, fmt.Errorf("port-forward to %s: %w", pod, <-errc)
	case <-ctx.Done():
		cancel()
		return 0, fmt.Errorf("port-forward to %s: %w", pod, ctx.Err())
	case <-timer.C:
		cancel()
		return 0, fmt.Errorf("port-forward to %s: not ready after 10s", pod)
	}
	ports, err := pf.GetPorts()
	if err != nil || len(ports) == 0 {
		cancel()
		return 0, fmt.Errorf("port-forward to %s: no local port: %v", pod, err)
	}
	f.local, f.cancel, f.done = int(ports[0].Local), cancel, done
	return f.local, nil
}

// drop ends the forward to pod (the next dial starts a new one): a pod
// replaced under the same name must not be reached through a dead stream.
func (fs *forwards) drop(pod string) {
	f := fs.get(pod)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cancel != nil {
		f.cancel()
		<-f.done
		f.cancel = nil
	}
}

func (fs *forwards) closeAll() {
	fs.mu.Lock()
	pods := make([]string, 0, len(fs.pods))
	for p := range fs.pods {
		pods = append(pods, p)
	}
	fs.mu.Unlock()
	for _, p := range pods {
		fs.drop(p)
	}
}
