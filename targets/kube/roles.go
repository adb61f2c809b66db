package kube

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"faultline.dev/faultline/targets"
)

// LabelRoles labels every pod of a replication StatefulSet that answers
// with its role as it answers (writable: primary, read-only: replica), so
// the Services that select RoleLabel route to them; a pod that does not
// answer loses its label (an old primary cut off may still be ready, and
// must leave the primary Service). On Galera it does nothing.
func (c *Cluster) LabelRoles(ctx context.Context) error {
	if c.Topology() != "replication" {
		return nil
	}
	var errs []error
	for _, p := range targets.ProbeAll(ctx, c) {
		role := targets.RoleReplica
		switch {
		case !p.Reachable:
			role = ""
		case p.Writable:
			role = targets.RolePrimary
		}
		errs = append(errs, c.labelRole(ctx, p.Node, role))
	}
	return errors.Join(errs...)
}

// labelRole sets pod's RoleLabel to role ("" removes it) unless it already
// has it.
func (c *Cluster) labelRole(ctx context.Context, pod, role string) error {
	pods := c.cs.CoreV1().Pods(c.cfg.Namespace)
	p, err := pods.Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("label %s %s=%s: %w", pod, RoleLabel, role, err)
	}
	if have, ok := p.Labels[RoleLabel]; have == role && (ok || role == "") {
		return nil
	}
	value := strconv.Quote(role)
	if role == "" {
		value = "null"
	}
	patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%s}}}`, RoleLabel, value)
	if _, err := pods.Patch(ctx, pod, types.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "faultline"}); err != nil {
		return fmt.Errorf("label %s %s=%s: %w", pod, RoleLabel, role, err)
	}
	c.cfg.Logf("%s: pod %s labelled %s=%s", c.Name(), pod, RoleLabel, role)
	return nil
}
