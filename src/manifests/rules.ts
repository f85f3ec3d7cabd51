/**
 * Istio and Kubernetes naming rules the manifest index, the analyzers and the simulator share: host
 * names and their wildcards, FQDN completion, label selectors, namespace patterns, the protocol of a
 * Service port. Each is stated once here, following the Istio 1.30.3 source named on it.
 *
 * This file is a rule table in the sense of `src/rules/` (issue 15 item 3); it is kept apart so it can
 * be folded into that module.
 */
import type { LabelSelector, StringMap } from './types';

/** The cluster DNS suffix Istio and Kubernetes use unless configured otherwise. */
export const DEFAULT_DOMAIN_SUFFIX = 'cluster.local';

/**
 * Whether two host names overlap, as `host.Name.Matches` does (pkg/config/host/name.go): a leading
 * `*` matches any prefix, in either name; `*` alone matches everything.
 */
export function hostsMatch(a: string, b: string): boolean {
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/** Whether host `a` is covered by host `b` (`host.Name.SubsetOf`): the one-directional {@link hostsMatch}. */
export function hostSubsetOf(a: string, b: string): boolean {
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.length >= b.length && a.slice(1).endsWith(b.slice(1));
  if (aw) return false;
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/**
 * A host as Istio's config resolves it (`ConvertHostToFQDN`, pkg/config/analysis/analyzers/util/hosts.go;
 * pilot's `ResolveShortnameToFQDN`): a name without a dot is a Service in `namespace`
 * (`<name>.<namespace>.svc.<suffix>`); a wildcard or any name with a dot is taken as written, so
 * `example.com` stays `example.com`.
 */
export function configHostFqdn(host: string, namespace: string, domainSuffix = DEFAULT_DOMAIN_SUFFIX): string {
  if (host.startsWith('*') || host.includes('.')) return host;
  return `${host}.${namespace}.svc.${domainSuffix}`;
}

/**
 * The Service an FQDN names, `<name>.<namespace>.svc.<suffix>` (`GetFullNameFromFQDN`), or undefined.
 * Istio's regex is greedy on the name, so `a.b.c.svc.cluster.local` is Service `a.b` in namespace `c`.
 */
export function serviceOfFqdn(fqdn: string, domainSuffix = DEFAULT_DOMAIN_SUFFIX): { readonly name: string; readonly namespace: string } | undefined {
  const suffix = `.svc.${domainSuffix}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const rest = fqdn.slice(0, -suffix.length);
  const dot = rest.lastIndexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return undefined;
  return { name: rest.slice(0, dot), namespace: rest.slice(dot + 1) };
}

/**
 * Kubernetes `labels.SelectorFromSet(selector).Matches(labels)`: every selector label is present with
 * the same value. An absent or empty selector matches everything.
 */
export function labelsMatch(selector: StringMap | undefined, labels: StringMap): boolean {
  if (!selector) return true;
  for (const k of Object.keys(selector)) if (labels[k] !== selector[k]) return false;
  return true;
}

/** A selector as Kubernetes prints it (`labels.Selector.String()`): `k=v` pairs sorted by key, comma-separated. */
export function selectorString(selector: StringMap | undefined): string {
  return Object.keys(selector ?? {}).sort().map((k) => `${k}=${selector![k]}`).join(',');
}

/**
 * `metav1.LabelSelectorAsSelector(s).Matches(labels)`: `matchLabels` plus `matchExpressions` with the
 * operators In, NotIn, Exists and DoesNotExist. An absent selector matches everything; an unknown
 * operator makes the selector invalid, which matches nothing.
 */
export function labelSelectorMatches(selector: LabelSelector | undefined, labels: StringMap): boolean {
  if (!selector) return true;
  if (!labelsMatch(selector.matchLabels, labels)) return false;
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const key = String(e?.key ?? '');
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const values = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * The namespaces Istio never analyzes nor injects (`inject.IgnoredNamespaces`, pkg/kube/inject/initializer.go).
 */
export const ISTIO_IGNORED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'];

/** Kinds that are cluster-scoped: their objects have no namespace. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'GatewayClass', 'IngressClass',
  'APIService', 'CSIDriver', 'RuntimeClass',
]);
