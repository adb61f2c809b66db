package kube

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"faultline.dev/faultline/targets"
)

// LabelRoles labels every pod of a replication StatefulSet that answers
// with its role as it answers (writable: primary, read-only: replica), so
// the Services that select RoleLabel route to them. A pod that does not
// answer keeps its label; on Galera it does nothing.
func (c *Cluster) LabelRoles(ctx context.Context) error {
	if c.topology != "replication" {
		return nil
	}
	var errs []error
	for _, p := range targets.ProbeAll(ctx, c) {
		if !p.Reachable {
			continue
		}
		role := targets.RoleReplica
		if p.Writable {
			role = targets.RolePrimary
		}
		errs = append(errs, c.labelRole(ctx, p.Node, role))
	}
	return errors.Join(errs...)
}

// labelRole sets pod's RoleLabel to role unless it already has it.
func (c *Cluster) labelRole(ctx context.Context, pod, role string) error {
	pods := c.cs.CoreV1().Pods(c.cfg.Namespace)
	p, err := pods.Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("label %s %s=%s: %w", pod, RoleLabel, role, err)
	}
	if p.Labels[RoleLabel] == role {
		return nil
	}
	patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, RoleLabel, role)
	if _, err := pods.Patch(ctx, pod, types.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "faultline"}); err != nil {
		return fmt.Errorf("label %s %s=%s: %w", pod, RoleLabel, role, err)
	}
	c.cfg.Logf("%s: pod %s labelled %s=%s", c.Name(), pod, RoleLabel, role)
	return nil
}
