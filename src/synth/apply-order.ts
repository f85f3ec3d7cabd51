/**
 * The order objects are written in, so that `kubectl apply -f` on a fresh cluster creates each object
 * after what it needs, and no workload ever starts before the mesh policy that protects it:
 *
 * 1. Namespaces, then CustomResourceDefinitions;
 * 2. mesh policy: PeerAuthentication, RequestAuthentication, AuthorizationPolicy (the default deny
 *    and the allows), NetworkPolicy, Sidecar, DestinationRule, EnvoyFilter, ProxyConfig, Telemetry,
 *    WasmPlugin;
 * 3. identities and configuration: ServiceAccount, Secret, ConfigMap, RBAC, quotas, claims;
 * 4. services: Service, ServiceEntry, WorkloadEntry, WorkloadGroup;
 * 5. gateways (an ambient waypoint is a Gateway): GatewayClass, Gateway, ReferenceGrant;
 * 6. workloads: PodDisruptionBudget (in place before the pods it protects exist, as Helm's install
 *    order has it, so no eviction finds them unprotected), Deployment, StatefulSet, DaemonSet,
 *    ReplicaSet, Pod, Job, CronJob, then HorizontalPodAutoscaler (after the Deployment it scales);
 * 7. routes: VirtualService, HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute, Ingress;
 * 8. progressive delivery (Flagger): MetricTemplate, AlertProvider, Canary;
 * 9. any other kind, last.
 *
 * The sort key is the kind's rank in this list, then the object's original position (construct
 * order), so the order is stable and independent of the order constructs were created in. A
 * dependency declared with `addDependency` always wins: a dependent object is never written before
 * what it depends on.
 */

/** `group/Kind` in apply order (the core group is empty). */
export const APPLY_ORDER: readonly string[] = [
  '/Namespace',
  'apiextensions.k8s.io/CustomResourceDefinition',
  // mesh policy, in place before any workload starts
  'security.istio.io/PeerAuthentication',
  'security.istio.io/RequestAuthentication',
  'security.istio.io/AuthorizationPolicy',
  'networking.k8s.io/NetworkPolicy',
  'networking.istio.io/Sidecar',
  'networking.istio.io/DestinationRule',
  'networking.istio.io/EnvoyFilter',
  'networking.istio.io/ProxyConfig',
  'telemetry.istio.io/Telemetry',
  'extensions.istio.io/WasmPlugin',
  // identities and configuration the pods read
  '/ServiceAccount',
  '/Secret',
  '/ConfigMap',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'rbac.authorization.k8s.io/RoleBinding',
  '/LimitRange',
  '/ResourceQuota',
  '/PersistentVolumeClaim',
  // services
  '/Service',
  'networking.istio.io/ServiceEntry',
  'networking.istio.io/WorkloadEntry',
  'networking.istio.io/WorkloadGroup',
  // gateways (an ambient waypoint is a Gateway)
  'gateway.networking.k8s.io/GatewayClass',
  'gateway.networking.k8s.io/Gateway',
  'networking.istio.io/Gateway',
  'gateway.networking.k8s.io/ReferenceGrant',
  // workloads, their disruption budgets first
  'policy/PodDisruptionBudget',
  'apps/Deployment',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'apps/ReplicaSet',
  '/Pod',
  'batch/Job',
  'batch/CronJob',
  'autoscaling/HorizontalPodAutoscaler',
  // routes
  'networking.istio.io/VirtualService',
  'gateway.networking.k8s.io/HTTPRoute',
  'gateway.networking.k8s.io/GRPCRoute',
  'gateway.networking.k8s.io/TLSRoute',
  'gateway.networking.k8s.io/TCPRoute',
  'gateway.networking.k8s.io/UDPRoute',
  'networking.k8s.io/Ingress',
  // progressive delivery
  'flagger.app/MetricTemplate',
  'flagger.app/AlertProvider',
  'flagger.app/Canary',
];

const RANK = new Map(APPLY_ORDER.map((k, i) => [k, i]));

/** The rank of a manifest's kind in {@link APPLY_ORDER}; kinds not listed rank last. */
export function applyRank(manifest: { readonly apiVersion?: unknown; readonly kind?: unknown }): number {
  const apiVersion = typeof manifest.apiVersion === 'string' ? manifest.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return RANK.get(`${group}/${String(manifest.kind)}`) ?? APPLY_ORDER.length;
}

/**
 * Orders items for apply: by kind rank, then original position; `dependsOn(i)` (indexes into `items`)
 * are always placed before item `i`. Returns the new order as indexes into `items`.
 */
export function applyOrder<T>(items: readonly T[], rankOf: (item: T) => number, dependsOn?: (index: number) => readonly number[]): number[] {
  const ranks = items.map(rankOf);
  const before = (a: number, b: number) => ranks[a] - ranks[b] || a - b;
  const order = items.map((_, i) => i);
  if (!dependsOn) return order.sort(before);
  // Kahn's algorithm, always taking the ready item that sorts first
  const waiting = new Array<number>(items.length).fill(0);
  const dependents: number[][] = items.map(() => []);
  for (let i = 0; i < items.length; i++) {
    for (const d of new Set(dependsOn(i))) {
      if (d === i) continue;
      waiting[i]++;
      dependents[d].push(i);
    }
  }
  const ready = new MinHeap(before);
  for (let i = 0; i < items.length; i++) if (waiting[i] === 0) ready.push(i);
  const out: number[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    out.push(i);
    for (const j of dependents[i]) if (--waiting[j] === 0) ready.push(j);
  }
  if (out.length !== items.length) throw new Error('dependency cycle between API objects');
  return out;
}

/** A binary min-heap of numbers under a comparison. */
class MinHeap {
  private readonly a: number[] = [];
  constructor(private readonly cmp: (x: number, y: number) => number) {}
  get size(): number {
    return this.a.length;
  }
  push(x: number): void {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.cmp(a[i], a[p]) >= 0) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.cmp(a[l], a[m]) < 0) m = l;
        if (r < a.length && this.cmp(a[r], a[m]) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
