import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IMeshMember, Mesh } from './mesh';
import { requireMeshNamespace } from './mesh-namespace-handle';
import type { IMeshNamespace } from './adopted-namespace';
import { serviceKey, sourceOwner, WorkloadEgressIntent } from './model';
import { fail, validationMessage } from './private/errors';
import { MESH_HINT, SAME_MESH_HINT } from './private/hints';
import { IMeshService, isMeshServiceOf, requireMeshService } from './mesh-service';
import { EgressHost } from './values/egress-host';
import { addBrand, brandSymbol, hasBrand } from './private/brand';

/** Properties of a {@link SidecarScope}. */
export interface SidecarScopeProps {
  /** The mesh whose call graph decides what each workload may reach. */
  readonly mesh: Mesh;
  /**
   * Namespaces whose services are all scoped: every service (IMeshService) of the namespace declared before
   * this call gets its own Sidecar. A service declared later is reported at synth.
   * @default - none (add them with addNamespace)
   */
  readonly namespaces?: IMeshNamespace[];
  /**
   * Single services to scope.
   * @default - none (add them with addService)
   */
  readonly services?: IMeshService[];
  /**
   * Destinations every scoped workload may reach in addition to its callees, e.g. a shared
   * database or an external API's ServiceEntry. The mesh tracing collector is added on its own.
   * @example [EgressHost.of('*', 'api.stripe.com')]
   * @default - none
   */
  readonly egressHosts?: EgressHost[];
}

const SCOPE_SYMBOL = brandSymbol('SidecarScope');

/**
 * Opt-in Sidecar egress scoping. By default every Envoy sidecar carries configuration for every
 * service of the mesh, which grows with the square of the service count. For each scoped workload
 * the mesh renders a `networking.istio.io/v1` Sidecar in the workload's namespace, selecting its pods
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
 * service in it, or two scopes) is refused (Istio's IST0110: two Sidecars select one workload).
 * Ambient meshes have no sidecars, so the construct refuses them. The Sidecars are children of the
 * scope (`Sidecar-<namespace>-<service>`).
 *
 * @example
 * const scoping = new SidecarScope(chart, 'EgressScoping', { mesh, namespaces: [production] });
 * scoping.addEgress(order, EgressHost.of('*', 'api.stripe.com'));
 */
export class SidecarScope extends Construct implements IMeshMember {
  /** Whether `x` is a SidecarScope. */
  public static isSidecarScope(x: unknown): x is SidecarScope {
    return hasBrand(x, SCOPE_SYMBOL);
  }

  /** `x instanceof SidecarScope`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is SidecarScope {
    return hasBrand(x, SCOPE_SYMBOL);
  }

  /** The mesh. */
  public readonly mesh: Mesh;

  private readonly _namespaces: string[] = [];
  private readonly _scoped: Array<{ readonly service: IMeshService; readonly via: string }> = [];
  private readonly _common: EgressHost[] = [];
  /** Egress hosts added for services this scope does not scope (yet), reported at synth. */
  private readonly _pending = new Map<IMeshService, EgressHost[]>();

  constructor(scope: Construct, id: string, props: SidecarScopeProps) {
    super(scope, id);
    addBrand(this, SCOPE_SYMBOL);
    if (!props || !Mesh.isMesh(props.mesh)) fail(this, 'props.mesh', props?.mesh, 'a Mesh is required', MESH_HINT);
    this.mesh = props.mesh;
    if (this.mesh.renderer.capabilities.noSidecars) {
      fail(this, 'props.mesh', this.mesh.node.path,
        'the mesh uses the ambient data plane, which has no sidecars: ztunnel and waypoints ignore Sidecar resources',
        'create the SidecarScope only when mesh.isAmbient is false');
    }
    (props.egressHosts ?? []).forEach((h, i) => {
      if (!EgressHost.isEgressHost(h)) fail(this, `props.egressHosts[${i}]`, h, 'must be an EgressHost (EgressHost.of, EgressHost.service, EgressHost.namespace)', "e.g. EgressHost.service(orders), EgressHost.namespace('shop') or EgressHost.of('shop', 'api.example.com')");
      this._common.push(h);
    });
    this.mesh.registerOwner(sourceOwner(this.node.path), this);
    this.mesh.addMember(this);
    (props.namespaces ?? []).forEach((ns, i) => this.scopeNamespace(`props.namespaces[${i}]`, ns));
    (props.services ?? []).forEach((s, i) => this.scopeService(`props.services[${i}]`, s, 'service'));

    this.node.addValidation({ validate: () => this.validateScoping() });
  }

  /** Scopes every service of `namespace` declared so far. */
  public addNamespace(namespace: IMeshNamespace): void {
    this.scopeNamespace('addNamespace.namespace', namespace);
  }

  /** Scopes one service. */
  public addService(service: IMeshService): void {
    this.scopeService('addService.service', service, 'service');
  }

  /**
   * Lets one scoped service reach more destinations than its declared callees.
   * @example scoping.addEgress(order, EgressHost.of('databases', 'orders-db.databases.svc.cluster.local'))
   */
  public addEgress(service: IMeshService, ...hosts: EgressHost[]): void {
    requireMeshService(this, 'addEgress.service', service);
    if (hosts.length === 0) fail(this, 'addEgress.hosts', hosts, 'name at least one EgressHost', "e.g. addEgress(orders, EgressHost.service(payments))");
    hosts.forEach((h, i) => {
      if (!EgressHost.isEgressHost(h)) fail(this, `addEgress.hosts[${i}]`, h, 'must be an EgressHost (EgressHost.of, EgressHost.service, EgressHost.namespace)', "e.g. EgressHost.service(payments) or EgressHost.namespace('shop')");
    });
    if (this.scopes(service)) this.mesh.model.addEgressHosts(service.ref, hosts.map((h) => h.value), this.node.path);
    else this._pending.set(service, [...(this._pending.get(service) ?? []), ...hosts]);
  }

  /** The scoped services, in the order they were scoped. */
  public get services(): IMeshService[] {
    return this._scoped.map((s) => s.service);
  }

  /** The names of the namespaces scoped as a whole. */
  public get namespaces(): string[] {
    return [...this._namespaces];
  }

  /** The Sidecar of a scoped service (escape hatch), or undefined when the service is not scoped here. */
  public sidecarOf(service: IMeshService): ApiObject | undefined {
    if (!this.scopes(service)) return undefined;
    return this.mesh.objectOf(sourceOwner(this.node.path), `Sidecar-${service.namespace}-${service.name}`);
  }

  /** Whether this scope covers `service`. */
  public scopes(service: IMeshService): boolean {
    return this._scoped.some((s) => s.service === service);
  }

  /**
   * The egress intent of a scoped service, from the current call graph: its hosts sorted and
   * de-duplicated. Undefined when the service is not scoped here.
   */
  public egressOf(service: IMeshService): WorkloadEgressIntent | undefined {
    if (!this.scopes(service)) return undefined;
    return this.mesh.model.egressOf(service.ref);
  }

  private scopeNamespace(property: string, ns: IMeshNamespace): void {
    requireMeshNamespace(this, property, ns);
    if (ns.mesh !== this.mesh) fail(this, property, ns.name, 'the namespace belongs to another mesh', SAME_MESH_HINT);
    if (this._namespaces.includes(ns.name)) fail(this, property, ns.name, 'the namespace is already scoped by this SidecarScope', 'drop the repeated namespace');
    this._namespaces.push(ns.name);
    for (const s of this.mesh.membersOf(isMeshServiceOf)) {
      if (s.namespace === ns.name) this.scopeService(property, s, `namespace ${ns.name}`);
    }
  }

  private scopeService(property: string, service: IMeshService, via: string): void {
    requireMeshService(this, property, service);
    if (service.mesh !== this.mesh) fail(this, property, service.node.path, 'the service belongs to another mesh', SAME_MESH_HINT);
    const prior = this.mesh.model.egressScope(service.ref);
    if (prior) {
      const by = prior.scope === this.node.path ? 'this SidecarScope' : prior.scope;
      fail(this, property, serviceKey(service.ref),
        `the service is already scoped by ${by} (through ${prior.via}); two Sidecars selecting one workload is Istio's IST0110 error`,
        'scope each workload once: its namespace or the service, not both');
    }
    this.mesh.model.scopeEgress(service.ref, this.node.path, via);
    this._scoped.push({ service, via });
    const hosts = [...this._common, ...(this._pending.get(service) ?? [])].map((h) => h.value);
    this._pending.delete(service);
    if (hosts.length > 0) this.mesh.model.addEgressHosts(service.ref, hosts, this.node.path);
  }

  private validateScoping(): string[] {
    const errors: string[] = [];
    for (const s of this.mesh.membersOf(isMeshServiceOf)) {
      if (this._namespaces.includes(s.namespace) && !this.scopes(s)) {
        errors.push(validationMessage('namespaces', s.namespace,
          `service ${s.name} was declared after its namespace was scoped, so it has no Sidecar and its proxy still sees the whole mesh`,
          'create the SidecarScope after the services, or call addService for it'));
      }
    }
    for (const service of this._pending.keys()) {
      errors.push(validationMessage('addEgress.service', `${service.namespace}/${service.name}`,
        'egress hosts were added for a service this SidecarScope does not scope, so they would do nothing', 'scope the service (addService) or remove the call'));
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
