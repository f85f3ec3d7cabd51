import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as networking from '../imports/networking.istio.io';
import { WorkloadEgressIntent } from './intent/egress';
import { IMeshMember, Mesh } from './mesh';
import { MeshNamespace } from './mesh-namespace';
import { fail, validationMessage } from './private/errors';
import { renderedObject } from './private/rendered-object';
import { outputDirOf } from './private/output-dir';
import { renderSidecarSpec } from './render/istio-sidecar';
import { TracedService } from './traced-service';
import { EgressHost } from './values/egress-host';
import { callGraphOf } from './zero-trust-policy';

/** Properties of a {@link SidecarScope}. */
export interface SidecarScopeProps {
  /** The mesh whose call graph decides what each workload may reach. */
  readonly mesh: Mesh;
  /**
   * Namespaces whose services are all scoped: every TracedService of the namespace declared before
   * this call gets its own Sidecar. A service declared later is reported at synth.
   * @default - none (add them with addNamespace)
   */
  readonly namespaces?: MeshNamespace[];
  /**
   * Single services to scope.
   * @default - none (add them with addService)
   */
  readonly services?: TracedService[];
  /**
   * Destinations every scoped workload may reach in addition to its callees, e.g. a shared
   * database or an external API's ServiceEntry. The mesh tracing collector is added on its own.
   * @example [EgressHost.of('*', 'api.stripe.com')]
   * @default - none
   */
  readonly egressHosts?: EgressHost[];
}

const SCOPE_SYMBOL = Symbol.for('cdk8s-istio.SidecarScope');
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];

/**
 * Opt-in Sidecar egress scoping. By default every Envoy sidecar carries configuration for every
 * service of the mesh, which grows with the square of the service count. For each scoped workload
 * this emits a `networking.istio.io/v1` Sidecar in the workload's namespace, selecting its pods
 * (`app: <service>`), whose only egress listener lists exactly:
 *
 * - the services the workload is declared to call: the same `allowFrom` edges that produce the
 *   AuthorizationPolicies (`payment.allowFrom(order)` → order-service reaches
 *   `production/payment-service.production.svc.cluster.local`);
 * - `<root namespace>/*` (`istio-system/*`);
 * - the mesh tracing collector, when mesh tracing is configured, so scoping never breaks trace export;
 * - the {@link EgressHost}s declared on the scope or for the service.
 *
 * Hosts are sorted and de-duplicated. A workload is scoped once: scoping it twice (a namespace and a
 * service in it, or two scopes) is refused, and so is any shape Istio's analyzers reject
 * (IST0110: two Sidecars select one workload; IST0111: two selector-less Sidecars in one namespace).
 * Ambient meshes have no sidecars, so the construct refuses them.
 *
 * @example
 * const scoping = new SidecarScope(chart, 'EgressScoping', { mesh, namespaces: [production] });
 * scoping.addEgress(order, EgressHost.of('*', 'api.stripe.com'));
 */
export class SidecarScope extends Construct implements IMeshMember {
  /** Whether `x` is a SidecarScope. */
  public static isSidecarScope(x: unknown): x is SidecarScope {
    return typeof x === 'object' && x !== null && SCOPE_SYMBOL in x;
  }

  /** The mesh. */
  public readonly mesh: Mesh;

  private readonly _namespaces: string[] = [];
  private readonly _scoped: Array<{ readonly service: TracedService; readonly sidecar: ApiObject; readonly via: string }> = [];
  private readonly _common: EgressHost[] = [];
  private readonly _extra = new Map<TracedService, EgressHost[]>();

  constructor(scope: Construct, id: string, props: SidecarScopeProps) {
    super(scope, id);
    Object.defineProperty(this, SCOPE_SYMBOL, { value: true });
    if (!props || !Mesh.isMesh(props.mesh)) fail(this, 'props.mesh', props?.mesh, 'a Mesh is required');
    this.mesh = props.mesh;
    if (this.mesh.isAmbient) {
      fail(this, 'props.mesh', this.mesh.node.path,
        'the mesh uses the ambient data plane, which has no sidecars: ztunnel and waypoints ignore Sidecar resources',
        'create the SidecarScope only when mesh.isAmbient is false');
    }
    (props.egressHosts ?? []).forEach((h, i) => {
      if (!EgressHost.isEgressHost(h)) fail(this, `props.egressHosts[${i}]`, h, 'must be an EgressHost (EgressHost.of, EgressHost.service, EgressHost.namespace)');
      this._common.push(h);
    });
    this.mesh._register(this);
    (props.namespaces ?? []).forEach((ns, i) => this.scopeNamespace(`props.namespaces[${i}]`, ns));
    (props.services ?? []).forEach((s, i) => this.scopeService(`props.services[${i}]`, s, 'service'));

    this.node.addValidation({ validate: () => this.validateScoping() });
    this.node.addValidation({ validate: () => this.validateSidecarShapes() });
  }

  /** Scopes every service of `namespace` declared so far. */
  public addNamespace(namespace: MeshNamespace): void {
    this.scopeNamespace('addNamespace.namespace', namespace);
  }

  /** Scopes one service. */
  public addService(service: TracedService): void {
    this.scopeService('addService.service', service, 'service');
  }

  /**
   * Lets one scoped service reach more destinations than its declared callees.
   * @example scoping.addEgress(order, EgressHost.of('databases', 'orders-db.databases.svc.cluster.local'))
   */
  public addEgress(service: TracedService, ...hosts: EgressHost[]): void {
    if (!TracedService.isTracedService(service)) fail(this, 'addEgress.service', service, 'must be a TracedService');
    if (hosts.length === 0) fail(this, 'addEgress.hosts', hosts, 'name at least one EgressHost');
    hosts.forEach((h, i) => {
      if (!EgressHost.isEgressHost(h)) fail(this, `addEgress.hosts[${i}]`, h, 'must be an EgressHost (EgressHost.of, EgressHost.service, EgressHost.namespace)');
    });
    this._extra.set(service, [...(this._extra.get(service) ?? []), ...hosts]);
  }

  /** The scoped services, in the order they were scoped. */
  public get services(): TracedService[] {
    return this._scoped.map((s) => s.service);
  }

  /** The names of the namespaces scoped as a whole. */
  public get namespaces(): string[] {
    return [...this._namespaces];
  }

  /** The Sidecar of a scoped service (escape hatch), or undefined when the service is not scoped here. */
  public sidecarOf(service: TracedService): ApiObject | undefined {
    return this._scoped.find((s) => s.service === service)?.sidecar;
  }

  /** Whether this scope covers `service`. */
  public scopes(service: TracedService): boolean {
    return this._scoped.some((s) => s.service === service);
  }

  /**
   * The egress intent of a scoped service, from the current call graph: its hosts sorted and
   * de-duplicated. Undefined when the service is not scoped here.
   */
  public egressOf(service: TracedService): WorkloadEgressIntent | undefined {
    if (!this.scopes(service)) return undefined;
    const hosts = new Set<string>();
    for (const edge of callGraphOf(this.mesh)) {
      // Istio authorizes principals, so every workload running as the caller's identity may call.
      if (edge.caller.serviceAccountName === service.serviceAccountName && edge.caller.identityNamespace === service.namespace) {
        hosts.add(EgressHost.service(edge.target).value);
      }
    }
    hosts.add(EgressHost.namespace(this.mesh.rootNamespace).value);
    const collector = tracingCollectorHost(this.mesh);
    if (collector) hosts.add(collector.value);
    for (const h of [...this._common, ...(this._extra.get(service) ?? [])]) hosts.add(h.value);
    return {
      namespace: service.namespace,
      serviceName: service.name,
      selector: service.selectorLabels,
      hosts: [...hosts].sort(),
    };
  }

  private scopeNamespace(property: string, ns: MeshNamespace): void {
    if (!MeshNamespace.isMeshNamespace(ns)) fail(this, property, ns, 'must be a MeshNamespace');
    if (ns.mesh !== this.mesh) fail(this, property, ns.name, 'the namespace belongs to another mesh');
    if (this._namespaces.includes(ns.name)) fail(this, property, ns.name, 'the namespace is already scoped by this SidecarScope');
    this._namespaces.push(ns.name);
    for (const s of this.mesh.membersOf(TracedService.isTracedService)) {
      if (s.namespace === ns.name) this.scopeService(property, s, `namespace ${ns.name}`);
    }
  }

  private scopeService(property: string, service: TracedService, via: string): void {
    if (!TracedService.isTracedService(service)) fail(this, property, service, 'must be a TracedService');
    if (service.mesh !== this.mesh) fail(this, property, service.node.path, 'the service belongs to another mesh');
    for (const other of this.mesh.membersOf(SidecarScope.isSidecarScope)) {
      const prior = other._scoped.find((s) => s.service === service);
      if (prior) {
        const by = other === this ? 'this SidecarScope' : other.node.path;
        fail(this, property, `${service.namespace}/${service.name}`,
          `the service is already scoped by ${by} (through ${prior.via}); two Sidecars selecting one workload is Istio's IST0110 error`,
          'scope each workload once: its namespace or the service, not both');
      }
    }
    const sidecar = renderedObject(this, `Sidecar-${service.namespace}-${service.name}`, networking.Sidecar.GVK, { name: service.name, namespace: service.namespace }, () => renderSidecarSpec(this.egressOf(service)!));
    this._scoped.push({ service, sidecar, via });
  }

  private validateScoping(): string[] {
    const errors: string[] = [];
    for (const s of this.mesh.membersOf(TracedService.isTracedService)) {
      if (this._namespaces.includes(s.namespace) && !this.scopes(s)) {
        errors.push(validationMessage('namespaces', s.namespace,
          `service ${s.name} was declared after its namespace was scoped, so it has no Sidecar and its proxy still sees the whole mesh`,
          'create the SidecarScope after the services, or call addService for it'));
      }
    }
    for (const service of this._extra.keys()) {
      if (!this.scopes(service)) {
        errors.push(validationMessage('addEgress.service', `${service.namespace}/${service.name}`,
          'egress hosts were added for a service this SidecarScope does not scope, so they would do nothing', 'scope the service (addService) or remove the call'));
      }
    }
    return errors;
  }

  /**
   * IST0110/IST0111 over every Sidecar in this scope's output folder, escape hatches included.
   * Reported once per folder, by the first SidecarScope of the app there.
   */
  private validateSidecarShapes(): string[] {
    const dir = outputDirOf(this);
    const all = this.node.root.node.findAll();
    const first = all.find((c) => SidecarScope.isSidecarScope(c) && outputDirOf(c) === dir);
    if (first !== this) return [];
    const objects = all.filter((c): c is ApiObject => c instanceof ApiObject && outputDirOf(c) === dir);
    const sidecars = objects
      .filter((o) => o.kind === 'Sidecar' && o.apiVersion.startsWith('networking.istio.io/'))
      .map((o) => {
        const json = o.toJson();
        const labels: Record<string, string> = json.spec?.workloadSelector?.labels ?? {};
        return { id: `${json.metadata?.namespace ?? 'default'}/${json.metadata?.name}`, namespace: json.metadata?.namespace ?? 'default', labels };
      });
    const errors: string[] = [];
    const byNs = new Map<string, string[]>();
    for (const s of sidecars.filter((x) => Object.keys(x.labels).length === 0)) byNs.set(s.namespace, [...(byNs.get(s.namespace) ?? []), s.id]);
    for (const [ns, ids] of byNs) {
      if (ids.length > 1) {
        errors.push(validationMessage('sidecars', ids, `namespace ${ns} has ${ids.length} Sidecars without workload selector; Istio allows one (IST0111 MultipleSidecarsWithoutWorkloadSelectors)`, 'keep one namespace-wide Sidecar'));
      }
    }
    // Only workload kinds are resolved here, so a broken object elsewhere reports through its own construct.
    for (const o of objects.filter((x) => WORKLOAD_KINDS.includes(x.kind))) {
      const json = o.toJson();
      const podLabels: Record<string, string> | undefined = json.spec?.template?.metadata?.labels;
      if (!podLabels) continue;
      const ns = json.metadata?.namespace ?? 'default';
      const selecting = sidecars.filter((s) => s.namespace === ns && Object.keys(s.labels).length > 0
        && Object.entries(s.labels).every(([k, v]) => podLabels[k] === v));
      if (selecting.length > 1) {
        errors.push(validationMessage('sidecars', selecting.map((s) => s.id),
          `${json.kind} ${ns}/${json.metadata?.name} is selected by ${selecting.length} Sidecars; Istio allows one per workload (IST0110 ConflictingSidecarWorkloadSelectors)`,
          'remove the extra Sidecar or narrow its workloadSelector'));
      }
    }
    return errors;
  }
}

/** The mesh tracing collector as an egress host, when mesh tracing is configured. */
export function tracingCollectorHost(mesh: Mesh): EgressHost | undefined {
  const provider = mesh.tracing?.provider;
  if (!provider) return undefined;
  return EgressHost.of(provider.namespace ?? '*', provider.host);
}
