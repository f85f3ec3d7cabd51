import { configHostFqdn, DEFAULT_DOMAIN_SUFFIX, dnsHostFqdn, hostSubsetOf, serviceOfFqdn } from '../rules/hosts';
import { CLUSTER_SCOPED_KINDS } from '../rules/kinds';
import { labelsMatch } from '../rules/labels';
import { DEFAULT_ROOT_NAMESPACE, DEFAULT_TRUST_DOMAIN } from '../rules/mesh-config';
import type {
  AuthorizationPolicySpec, CustomResourceDefinitionSpec, DestinationRuleSpec, EnvoyFilterSpec, GatewaySpec, ManifestObject,
  ObjectMeta, PodSpec, PolicyTargeting, WorkloadControllerSpec, ServiceEntrySpec, ServiceSpec, SidecarSpec, StringMap, TelemetrySpec, VirtualServiceSpec,
} from './types';

/** Options of a {@link ManifestIndex}. */
export interface ManifestIndexOptions {
  /**
   * The mesh root namespace: its PeerAuthentications, AuthorizationPolicies and Telemetry apply mesh-wide.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The cluster DNS suffix that short hosts are completed with.
   * @default 'cluster.local'
   */
  readonly domainSuffix?: string;
  /**
   * The mesh trust domain, for principals derived from ServiceAccounts.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * The namespace of objects whose manifest names none (like `kubectl apply -n` or `istioctl analyze -n`).
   * Cluster-scoped kinds never get one.
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * Count the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs as pods, as a
   * cluster would create them. Off, only `Pod` objects are pods, as Istio's file-based analysis reads them.
   * @default true
   */
  readonly podTemplates?: boolean;
  /**
   * Namespaces whose objects are left out of the index entirely (Istio's analyzers skip `kube-system`
   * and friends, see `ISTIO_IGNORED_NAMESPACES`).
   * @default - none
   */
  readonly ignoredNamespaces?: readonly string[];
}

/** An indexed object: its manifest plus where it lives. */
export interface IndexedObject<S = any> {
  /** `kind` of the manifest. */
  readonly kind: string;
  /** The API group (`''` for core/v1). */
  readonly group: string;
  readonly name: string;
  /** The namespace (the default namespace when the manifest names none; `''` for cluster-scoped kinds). */
  readonly namespace: string;
  /** The manifest as read. */
  readonly manifest: ManifestObject;
  /** `metadata`, `{}` when absent. */
  readonly metadata: ObjectMeta;
  /** The spec, `{}` when absent. */
  readonly spec: S;
}

/** A pod, or a controller's pod template counted as its pods. */
export interface Workload extends IndexedObject {
  /** The pod labels (the pod template's for controllers). */
  readonly labels: StringMap;
  /** The pod annotations (the pod template's for controllers). */
  readonly podAnnotations: StringMap;
  /** The pod spec. */
  readonly podSpec: PodSpec;
  /** The pod's ServiceAccount (`default` when unset). */
  readonly serviceAccount: string;
  /** True for a controller's pod template, false for a `Pod` object. */
  readonly fromTemplate: boolean;
  /** How many pods: `spec.replicas` (default 1); 1 for Pods and DaemonSets. */
  readonly replicas: number;
}

const CONTROLLER_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
const ISTIO_NETWORKING = 'networking.istio.io';
const ISTIO_SECURITY = 'security.istio.io';

function groupOf(apiVersion: unknown): string {
  return typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

function stringMap(v: unknown): StringMap {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as StringMap) : {};
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/**
 * One typed index over a set of manifests, shared by the analyzers and the simulator. It knows
 * nothing of routing or policy rules: it loads, indexes and resolves names. Objects are kept in input
 * order; pods are indexed by namespace and by each `key=value` label so selecting them costs the
 * smallest matching bucket (a set can hold tens of thousands of objects).
 */
export class ManifestIndex {
  /** The mesh root namespace. */
  public readonly rootNamespace: string;
  /** The cluster DNS suffix. */
  public readonly domainSuffix: string;
  /** The mesh trust domain. */
  public readonly trustDomain: string;
  /** The namespace of objects whose manifest names none. */
  public readonly defaultNamespace: string;
  private readonly all: IndexedObject[] = [];
  private readonly byKind = new Map<string, IndexedObject[]>();
  /** kind → namespace → objects, built on first use by {@link ofKindIn}. */
  private readonly byKindNs = new Map<string, Map<string, IndexedObject[]>>();
  private readonly workloadList: Workload[] = [];
  private readonly workloadsByNs = new Map<string, Workload[]>();
  /** Workloads by namespace (`undefined` key: every namespace), label key, label value. */
  private readonly workloadsByLabel = new Map<string | undefined, Map<string, Map<string, Workload[]>>>();
  private readonly services = new Map<string, IndexedObject<ServiceSpec>>();
  private readonly namespaces = new Map<string, IndexedObject>();
  private readonly ignored: ReadonlySet<string>;
  private readonly podTemplates: boolean;

  constructor(objects: readonly ManifestObject[], options: ManifestIndexOptions = {}) {
    this.rootNamespace = options.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
    this.domainSuffix = options.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX;
    this.trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    this.defaultNamespace = options.defaultNamespace ?? 'default';
    this.podTemplates = options.podTemplates ?? true;
    this.ignored = new Set(options.ignoredNamespaces ?? []);
    for (const o of flattenManifests(objects)) this.add(o);
  }

  /** Every indexed object, in input order. */
  public get objects(): readonly IndexedObject[] {
    return this.all;
  }

  /** Objects of `kind` (e.g. `VirtualService`), of any API group unless `group` is given, in input order. */
  public ofKind<S = any>(kind: string, group?: string): readonly IndexedObject<S>[] {
    const list = this.byKind.get(kind) ?? [];
    return group === undefined ? list : list.filter((o) => o.group === group);
  }

  /** The objects of a kind in one namespace, in input order (indexed on first use). */
  public ofKindIn<S = any>(kind: string, namespace: string): readonly IndexedObject<S>[] {
    let byNs = this.byKindNs.get(kind);
    if (!byNs) {
      byNs = new Map();
      for (const o of this.byKind.get(kind) ?? []) {
        const list = byNs.get(o.namespace);
        if (list) list.push(o);
        else byNs.set(o.namespace, [o]);
      }
      this.byKindNs.set(kind, byNs);
    }
    return byNs.get(namespace) ?? [];
  }

  /** Every pod (and pod template, unless `podTemplates` is off), in input order. */
  public get workloads(): readonly Workload[] {
    return this.workloadList;
  }

  /** `Pod` objects only (no pod templates), in input order. */
  public get pods(): readonly Workload[] {
    return this.workloadList.filter((w) => !w.fromTemplate);
  }

  /** Deployments (apps). */
  public get deployments(): readonly IndexedObject<WorkloadControllerSpec>[] {
    return this.ofKind('Deployment', 'apps');
  }

  /** Istio VirtualServices. */
  public get virtualServices(): readonly IndexedObject<VirtualServiceSpec>[] {
    return this.ofKind('VirtualService', ISTIO_NETWORKING);
  }

  /** Istio DestinationRules. */
  public get destinationRules(): readonly IndexedObject<DestinationRuleSpec>[] {
    return this.ofKind('DestinationRule', ISTIO_NETWORKING);
  }

  /** Istio Gateways (`networking.istio.io`, not Gateway API's). */
  public get gateways(): readonly IndexedObject<GatewaySpec>[] {
    return this.ofKind('Gateway', ISTIO_NETWORKING);
  }

  /** Istio ServiceEntries. */
  public get serviceEntries(): readonly IndexedObject<ServiceEntrySpec>[] {
    return this.ofKind('ServiceEntry', ISTIO_NETWORKING);
  }

  /** Istio Sidecars. */
  public get sidecars(): readonly IndexedObject<SidecarSpec>[] {
    return this.ofKind('Sidecar', ISTIO_NETWORKING);
  }

  /** Istio EnvoyFilters. */
  public get envoyFilters(): readonly IndexedObject<EnvoyFilterSpec>[] {
    return this.ofKind('EnvoyFilter', ISTIO_NETWORKING);
  }

  /** AuthorizationPolicies. */
  public get authorizationPolicies(): readonly IndexedObject<AuthorizationPolicySpec>[] {
    return this.ofKind('AuthorizationPolicy', ISTIO_SECURITY);
  }

  /** RequestAuthentications. */
  public get requestAuthentications(): readonly IndexedObject<PolicyTargeting>[] {
    return this.ofKind('RequestAuthentication', ISTIO_SECURITY);
  }

  /** Telemetry resources. */
  public get telemetries(): readonly IndexedObject<TelemetrySpec>[] {
    return this.ofKind('Telemetry', 'telemetry.istio.io');
  }

  /** CustomResourceDefinitions. */
  public get customResourceDefinitions(): readonly IndexedObject<CustomResourceDefinitionSpec>[] {
    return this.ofKind('CustomResourceDefinition', 'apiextensions.k8s.io');
  }

  /** Core Services. */
  public get serviceList(): readonly IndexedObject<ServiceSpec>[] {
    return this.ofKind('Service', '');
  }

  /** The Service `name` in `namespace`, if any. */
  public service(name: string, namespace: string): IndexedObject<ServiceSpec> | undefined {
    return this.services.get(`${namespace}/${name}`);
  }

  /** The Namespace object `name`, if present. */
  public namespaceObject(name: string): IndexedObject | undefined {
    return this.namespaces.get(name);
  }

  /** The workloads in `namespace`. */
  public workloadsIn(namespace: string): readonly Workload[] {
    return this.workloadsByNs.get(namespace) ?? [];
  }

  /**
   * The workloads whose pod labels include every label of `selector`, in `namespace` (every namespace
   * when undefined). An empty selector selects every workload of the namespace.
   */
  public selectWorkloads(namespace: string | undefined, selector: StringMap | undefined): Workload[] {
    const keys = Object.keys(selector ?? {});
    if (keys.length === 0) return namespace === undefined ? [...this.workloadList] : [...this.workloadsIn(namespace)];
    let best: readonly Workload[] | undefined;
    for (const k of keys) {
      const bucket = this.labelBucket(namespace, k, selector![k]);
      if (!best || bucket.length < best.length) best = bucket;
    }
    return (best ?? []).filter((w) => labelsMatch(selector, w.labels));
  }

  /** Whether any workload in `namespace` (every namespace when undefined) matches `selector` and `accept`. */
  public anyWorkload(namespace: string | undefined, selector: StringMap | undefined, accept: (w: Workload) => boolean = () => true): boolean {
    const keys = Object.keys(selector ?? {});
    let best: readonly Workload[] | undefined;
    if (keys.length === 0) best = namespace === undefined ? this.workloadList : this.workloadsIn(namespace);
    for (const k of keys) {
      const bucket = this.labelBucket(namespace, k, selector![k]);
      if (!best || bucket.length < best.length) best = bucket;
    }
    return (best ?? []).some((w) => labelsMatch(selector, w.labels) && accept(w));
  }

  /** The workloads a Service selects (a Service without selector selects none). */
  public workloadsOfService(svc: IndexedObject): Workload[] {
    const selector = stringMap(svc.spec?.selector);
    if (Object.keys(selector).length === 0) return [];
    return this.selectWorkloads(svc.namespace, selector);
  }

  /**
   * Completes a request host the way a client's DNS search path does, relative to `namespace`
   * (`dnsHostFqdn`): `svc` → `svc.<namespace>.svc.<suffix>`, `svc.ns` → `svc.ns.svc.<suffix>`.
   * (Istio's config hosts resolve differently: see {@link configFqdn}.)
   */
  public fqdn(host: string, namespace: string = this.defaultNamespace): string {
    return dnsHostFqdn(host, namespace, this.domainSuffix);
  }

  /**
   * A host written in Istio config (a VirtualService host or destination, a DestinationRule host) as
   * istiod resolves it (`configHostFqdn`): a name without a dot is a Service of `namespace`; any other
   * name is taken as written, so `svc.ns` stays `svc.ns`. Lower-cased, as istiod compares hosts.
   */
  public configFqdn(host: string, namespace: string): string {
    return configHostFqdn(host.toLowerCase(), namespace, this.domainSuffix);
  }

  /** The first ServiceEntry whose hosts cover `host` (`host.Name.SubsetOf`, hosts compared lower-cased), if any. */
  public serviceEntryFor(host: string): IndexedObject<ServiceEntrySpec> | undefined {
    return this.serviceEntries.find((se) => (Array.isArray(se.spec.hosts) ? se.spec.hosts : []).some((h) => typeof h === 'string' && hostSubsetOf(host, h.toLowerCase())));
  }

  /** The Service an FQDN names (`<svc>.<ns>.svc.<suffix>`, `serviceOfFqdn`), if it is in the index. */
  public serviceOfHost(fqdn: string): IndexedObject<ServiceSpec> | undefined {
    const ref = serviceOfFqdn(fqdn, this.domainSuffix);
    return ref ? this.service(ref.name, ref.namespace) : undefined;
  }

  private labelBucket(namespace: string | undefined, key: string, value: string): readonly Workload[] {
    return this.workloadsByLabel.get(namespace)?.get(key)?.get(value) ?? [];
  }

  private addToBucket(namespace: string | undefined, key: string, value: string, w: Workload): void {
    let byKey = this.workloadsByLabel.get(namespace);
    if (!byKey) this.workloadsByLabel.set(namespace, (byKey = new Map()));
    let byValue = byKey.get(key);
    if (!byValue) byKey.set(key, (byValue = new Map()));
    push(byValue, value, w);
  }

  private add(o: ManifestObject): void {
    if (!o || typeof o !== 'object' || typeof o.kind !== 'string') return;
    const kind = o.kind;
    const metadata: ObjectMeta = o.metadata && typeof o.metadata === 'object' ? o.metadata : {};
    const name = String(metadata.name ?? '');
    const written = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
    const namespace = CLUSTER_SCOPED_KINDS.has(kind) ? '' : written ?? this.defaultNamespace;
    if (this.ignored.has(kind === 'Namespace' ? name : namespace)) return;
    const group = groupOf(o.apiVersion);
    const spec = o.spec && typeof o.spec === 'object' ? o.spec : {};
    const indexed: IndexedObject = { kind, group, name, namespace, manifest: o, metadata, spec };
    this.all.push(indexed);
    push(this.byKind, kind, indexed);
    if (group === '' && kind === 'Service') this.services.set(`${namespace}/${name}`, indexed);
    if (group === '' && kind === 'Namespace') this.namespaces.set(name, indexed);
    const w = (group === '' && kind === 'Pod') || (this.podTemplates && CONTROLLER_KINDS.has(kind)) ? podView(indexed) : undefined;
    if (w) {
      this.workloadList.push(w);
      push(this.workloadsByNs, namespace, w);
      for (const [k, v] of Object.entries(w.labels)) {
        this.addToBucket(namespace, k, v, w);
        this.addToBucket(undefined, k, v, w);
      }
    }
  }
}

/**
 * The pod view of a `Pod`, or of the pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet or
 * Job; undefined for any other object.
 */
export function podView(o: IndexedObject): Workload | undefined {
  const cached = POD_VIEWS.get(o);
  if (cached !== undefined || POD_VIEWS.has(o)) return cached;
  const isPod = o.group === '' && o.kind === 'Pod';
  const isController = CONTROLLER_KINDS.has(o.kind) && (o.group === 'apps' || o.group === 'batch');
  let view: Workload | undefined;
  if (isPod || isController) {
    const template = isPod ? undefined : stringMap(o.spec.template);
    const podMeta: ObjectMeta = isPod ? o.metadata : stringMap(template!.metadata);
    const podSpec: PodSpec = isPod ? o.spec : stringMap(template!.spec);
    view = {
      kind: o.kind,
      group: o.group,
      name: o.name,
      namespace: o.namespace,
      manifest: o.manifest,
      metadata: o.metadata,
      spec: o.spec,
      labels: stringMap(podMeta.labels),
      podAnnotations: stringMap(podMeta.annotations),
      podSpec,
      serviceAccount: podSpec.serviceAccountName ?? podSpec.serviceAccount ?? 'default',
      fromTemplate: !isPod,
      replicas: isPod || o.kind === 'DaemonSet' ? 1 : typeof o.spec.replicas === 'number' ? o.spec.replicas : 1,
    };
  }
  POD_VIEWS.set(o, view);
  return view;
}

const POD_VIEWS = new WeakMap<IndexedObject, Workload | undefined>();

/** Expands `List` objects and arrays; drops empty YAML documents. */
export function flattenManifests(objects: readonly unknown[]): ManifestObject[] {
  // Iterative, without argument spreading: inputs can hold 100k+ objects (issue 20).
  const out: ManifestObject[] = [];
  const stack: unknown[] = [];
  for (let i = objects.length - 1; i >= 0; i--) stack.push(objects[i]);
  while (stack.length > 0) {
    const o = stack.pop();
    if (o === null || o === undefined) continue;
    const m = o as ManifestObject;
    const items = Array.isArray(o) ? o : typeof m === 'object' && typeof m.kind === 'string' && m.kind.endsWith('List') && Array.isArray(m.items) ? (m.items as unknown[]) : undefined;
    if (items) {
      for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]);
    } else out.push(m);
  }
  return out;
}
