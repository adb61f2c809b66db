package e2e

import "k8s.io/client-go/kubernetes"

type kubeClient = kubernetes.Interface
