// Package kube is the Kubernetes target: a MariaDB StatefulSet (Galera or
// GTID replication) attached through client-go by an explicitly named
// kubeconfig context, its pods reached through port-forwards (the harness
// runs outside the cluster, as on a game-day laptop), their roles probed
// over SQL exactly as on the lab, and Kubernetes-side faults (pod kills,
// zone drains) applied through the API.
package kube

import (
	"errors"
	"fmt"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"faultline.dev/faultline/targets"
)

// ChaosLabel opts a namespace in: faultline touches nothing in a namespace
// without it.
const (
	ChaosLabel = "faultline.dev/chaos"
	ChaosValue = "allowed"
)

// Config names the StatefulSet to attach to, as kubectl would.
type Config struct {
	// Kubeconfig is a kubeconfig path; "" = $KUBECONFIG, else ~/.kube/config.
	Kubeconfig string
	// Context is the kubeconfig context; required: never the current one silently.
	Context     string
	Namespace   string
	StatefulSet string // by name, or
	Selector    string // a label selector of the database pods
	// Topology is "galera" or "replication"; "" = asked of the servers.
	Topology string
	Port     int // SQL port in the pods; default 3306
	// CredentialsSecret holds the SQL user (key "user" or "username") and
	// "password"; default "<statefulSet>-credentials", else "<statefulSet>".
	CredentialsSecret string
	Logf              func(format string, a ...any)
}

func (c Config) withDefaults() Config {
	if c.Port == 0 {
		c.Port = 3306
	}
	if c.CredentialsSecret == "" && c.StatefulSet != "" {
		c.CredentialsSecret = c.StatefulSet + "-credentials"
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return c
}

var errNoContext = errors.New("no kubeconfig context named: give one (--context, or spec.target.kubernetes.context); faultline never uses the current context silently")

func (c Config) validate() error {
	var errs []error
	if c.Context == "" {
		errs = append(errs, errNoContext)
	}
	switch c.Namespace {
	case "":
		errs = append(errs, errors.New("no namespace"))
	case "kube-system", "kube-public", "kube-node-lease":
		errs = append(errs, fmt.Errorf("namespace %s is never a chaos target", c.Namespace))
	}
	if c.StatefulSet == "" && c.Selector == "" {
		errs = append(errs, errors.New("neither a StatefulSet nor a pod selector"))
	}
	if c.StatefulSet == "" && c.CredentialsSecret == "" {
		errs = append(errs, errors.New("a pod selector needs a credentials Secret"))
	}
	return errors.Join(errs...)
}

// Name is how the target is named: context/namespace/statefulset.
func (c Config) Name() string {
	what := c.StatefulSet
	if what == "" {
		what = c.Selector
	}
	return c.Context + "/" + c.Namespace + "/" + what
}

// restConfig loads the client configuration of the named context, with the
// kubectl loading rules.
func (c Config) restConfig() (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if c.Kubeconfig != "" {
		rules.ExplicitPath = c.Kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: c.Context})
	rc, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig context %q: %w", c.Context, err)
	}
	rc.QPS, rc.Burst = 50, 100
	rc.UserAgent = "faultline"
	return rc, nil
}

// Clients is a client set for c's context.
func (c Config) Clients() (*rest.Config, kubernetes.Interface, error) {
	if err := c.validate(); err != nil {
		return nil, nil, targets.Refuse(err)
	}
	return c.clients()
}

// ClusterClient is a client of a kubeconfig context alone, for what needs
// no StatefulSet: faults rebuilt from the ledger, recover --context.
func ClusterClient(kubeconfig, context string) (kubernetes.Interface, error) {
	if context == "" {
		return nil, targets.Refuse(errNoContext)
	}
	_, cs, err := Config{Kubeconfig: kubeconfig, Context: context}.clients()
	return cs, err
}

func (c Config) clients() (*rest.Config, kubernetes.Interface, error) {
	rc, err := c.restConfig()
	if err != nil {
		return nil, nil, err
	}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, nil, fmt.Errorf("client for context %q: %w", c.Context, err)
	}
	return rc, cs, nil
}
