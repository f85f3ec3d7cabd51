import { ApiObject } from 'cdk8s';
import type { Mesh } from './mesh';
import {
  effectiveSubsetPolicy,
  HostTrafficIntent,
  HttpRuleIntent,
  PortRouteIntent,
  ProgressiveIntent,
  RouteDefaultsIntent,
  ServiceRef,
  serviceOwner,
  subsetPolicy,
  TrafficPolicyIntent,
} from './model';

export { WARN_AMBIENT_VIRTUAL_SERVICE } from './render';
export type { RouteDefaultsIntent } from './model';

/**
 * One host's traffic, as the routing constructs see it: a read-only view of the host's intent in the
 * mesh model, and the handles (escape hatches) of the objects the mesh renders for it. Constructs
 * write the intent through the model (`mesh.model.setRoute`, `addTrafficPolicy`, ...), keyed by the
 * service; this view never holds intent of its own.
 *
 * Handles create their object on first read and the object is kept from then on; a handle is
 * undefined when the current intent renders no such object in this mesh's mode.
 */
export class HostTraffic {
  /** The host in the mesh model. */
  public readonly ref: ServiceRef;

  /**
   * @param mesh the mesh whose model holds the intent
   * @param ref the host (service)
   */
  constructor(private readonly mesh: Mesh, ref: ServiceRef) {
    this.ref = { namespace: ref.namespace, name: ref.name };
  }

  /** The host's whole traffic intent, merged. */
  public get intent(): HostTrafficIntent {
    return this.mesh.model.host(this.ref);
  }

  /** Whether this host renders with the Kubernetes Gateway API (HTTPRoute) instead of VirtualService. */
  public get usesGatewayApi(): boolean {
    return this.mesh.model.settings.routingApi === 'gateway-api';
  }

  /** The objects the mesh's renderer emits for this host now (rendered, not created). */
  private get rendered() {
    return this.mesh.renderer.renderOwner(this.mesh.model, serviceOwner(this.ref));
  }

  /** The ordered rules, when the host is routed. */
  public get rules(): readonly HttpRuleIntent[] | undefined {
    return this.intent.rules;
  }

  /** Route-wide timeout and retries (of the first route). */
  public get defaults(): RouteDefaultsIntent {
    return this.intent.defaults;
  }

  /**
   * The routes on further ports of a host with several ports, one per port, in the order written
   * (`rules` and `defaults` are the host's first route). Empty when the host has at most one route.
   */
  public get portRoutes(): readonly PortRouteIntent[] {
    return this.intent.portRoutes ?? [];
  }

  /** The merged host-wide traffic policy, or undefined when nothing is set. */
  public get hostPolicy(): TrafficPolicyIntent | undefined {
    return this.intent.hostPolicy;
  }

  /** The merged traffic policy of one subset, or undefined. */
  public subsetPolicy(version: string): TrafficPolicyIntent | undefined {
    return subsetPolicy(this.intent, version);
  }

  /**
   * The effective policy of one subset, as the proxy applies it: the host policy with the subset's
   * fields laid over it. Undefined when the subset sets nothing of its own.
   */
  public effectiveSubsetPolicy(version: string): TrafficPolicyIntent | undefined {
    return effectiveSubsetPolicy(this.intent, version);
  }

  /**
   * The subsets the DestinationRule declares (Istio routing API): every version the service runs, as
   * soon as a route destination or a per-version policy refers to a version. Always empty with the
   * Gateway API, which routes to per-version Services instead.
   */
  public get subsets(): string[] {
    const dr = this.rendered.find((o) => o.id === 'DestinationRule');
    const subsets = (dr?.manifest.spec?.subsets ?? []) as ReadonlyArray<{ readonly name: string }>;
    return subsets.map((s) => s.name);
  }

  /** Whether any construct contributed a route, route defaults or a policy. */
  public get hasIntent(): boolean {
    const i = this.intent;
    return i.rules !== undefined || i.defaults.timeout !== undefined || i.defaults.retries !== undefined || i.sources.policies.length > 0;
  }

  /** The progressive delivery intent, when Flagger delivers the host. */
  public get progressive(): ProgressiveIntent | undefined {
    return this.intent.progressive;
  }

  /**
   * The versions that get a per-version Service (`<service>-<version>`) with the Gateway API: those a
   * route sends to by name, and those with a policy of their own. Empty with the Istio routing API.
   */
  public get versionServices(): string[] {
    return this.rendered.filter((o) => o.id.startsWith('Service-')).map((o) => o.id.slice('Service-'.length));
  }

  /** The VirtualService (Istio routing API), when the host is routed and not delivered by Flagger. */
  public get virtualService(): ApiObject | undefined {
    return this.handle('VirtualService');
  }

  /** The DestinationRule of the host, when a route or policy needs one. */
  public get destinationRule(): ApiObject | undefined {
    return this.handle('DestinationRule');
  }

  /** The HTTPRoute (Gateway API), when the host is routed. */
  public get httpRoute(): ApiObject | undefined {
    return this.handle('HTTPRoute');
  }

  /** The per-version Service of a version (Gateway API), when the version has one. */
  public versionService(version: string): ApiObject | undefined {
    return this.handle(`Service-${version}`);
  }

  /** The DestinationRule of a per-version Service host (Gateway API), when it has a policy. */
  public versionDestinationRule(version: string): ApiObject | undefined {
    return this.handle(`DestinationRule-${version}`);
  }

  /** The Flagger Canary, when the host is delivered progressively. */
  public get canary(): ApiObject | undefined {
    return this.handle('Canary');
  }

  private handle(id: string): ApiObject | undefined {
    return this.mesh.objectOf(serviceOwner(this.ref), id);
  }
}
