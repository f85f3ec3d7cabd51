/**
 * Host names as Istio and Kubernetes DNS resolve and compare them: wildcard matching
 * (`pkg/config/host/name.go`), how istiod completes a host written in config
 * (`pilot/pkg/model` `ResolveShortnameToFQDN`, the analyzers' `ConvertHostToFQDN`), how a client's DNS
 * search path completes a host it calls, and which Service an FQDN names. Istio 1.30.3.
 */

/** The cluster DNS suffix Istio and Kubernetes use unless configured otherwise. */
export const DEFAULT_DOMAIN_SUFFIX = 'cluster.local';

/**
 * Whether two host names overlap, as `host.Name.Matches` does: a leading `*` matches any prefix, in
 * either name; `*` alone matches everything. Case-sensitive, as Istio compares them.
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
 * A host written in Istio config as istiod resolves it (`ResolveShortnameToFQDN`; the analyzers'
 * `ConvertHostToFQDN`, pkg/config/analysis/analyzers/util/hosts.go): a name without a dot is a Service
 * in `namespace` (`<name>.<namespace>.svc.<suffix>`); a wildcard or any name with a dot is taken as
 * written, so `example.com` stays `example.com` and `svc.ns` stays `svc.ns`.
 */
export function configHostFqdn(host: string, namespace: string, domainSuffix = DEFAULT_DOMAIN_SUFFIX): string {
  if (host.startsWith('*') || host.includes('.')) return host;
  return `${host}.${namespace}.svc.${domainSuffix}`;
}

/**
 * A host a client calls, completed the way its DNS search path does (`<ns>.svc.<suffix>`,
 * `svc.<suffix>`, `<suffix>`): `svc` → `svc.<namespace>.svc.<suffix>`, `svc.ns` → `svc.ns.svc.<suffix>`,
 * `svc.ns.svc` → `svc.ns.svc.<suffix>`; a wildcard or anything longer is kept. Lower-cased (DNS is
 * case-insensitive), a trailing dot dropped. Not how istiod reads config hosts: see {@link configHostFqdn}.
 */
export function dnsHostFqdn(host: string, namespace: string, domainSuffix = DEFAULT_DOMAIN_SUFFIX): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h.startsWith('*')) return h;
  const labels = h.split('.');
  if (labels.length === 1) return `${h}.${namespace}.svc.${domainSuffix}`;
  if (labels.length === 2) return `${h}.svc.${domainSuffix}`;
  if (labels.length === 3 && labels[2] === 'svc') return `${h}.${domainSuffix}`;
  return h;
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
