/**
 * Where objects live: the kinds Kubernetes keeps without a namespace, and the namespaces Istio never
 * analyzes nor injects.
 */

/**
 * The namespaces Istio never analyzes nor injects (`inject.IgnoredNamespaces`, pkg/kube/inject/initializer.go
 * at 1.30.3).
 */
export const ISTIO_IGNORED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'];

/**
 * Kinds that are cluster-scoped: their objects have no namespace (Kubernetes' built-in ones, Gateway API's
 * GatewayClass, cert-manager's ClusterIssuer).
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'GatewayClass', 'IngressClass',
  'APIService', 'CSIDriver', 'RuntimeClass', 'ClusterIssuer',
]);
