import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import * as flagger from '../imports/flagger.app';
import * as gateway from '../imports/gateway.networking.k8s.io';
import * as networking from '../imports/networking.istio.io';
import { HttpRuleIntent, ProgressiveIntent, RetryIntent, TrafficPolicyIntent } from './intent/traffic';
import { fail, validationMessage } from './private/errors';
import { renderedObject } from './private/rendered-object';
import { dns1123Label } from './rules/names';
import { renderCanarySpec } from './render/flagger';
import { gatewayApiProblems, renderHttpRouteSpec, versionServiceName } from './render/gateway-api';
import { renderDestinationRuleSpec, renderTrafficPolicy, renderVirtualServiceSpec } from './render/istio-traffic';
import type { IMeshMember } from './mesh';
import type { TracedService } from './traced-service';
import { RoutingApi } from './values/data-plane';
import { addWarning } from './warnings';

/** Warning code: ambient data plane with Istio's routing API (VirtualService at waypoints is alpha in Istio). */
export const WARN_AMBIENT_VIRTUAL_SERVICE = 'CI1090';

/** Route-wide timeout and retries, used by every rule that sets none of its own. */
export interface RouteDefaultsIntent {
  readonly timeout?: Duration;
  readonly retries?: RetryIntent;
}

interface Owned<T> {
  readonly value: T;
  readonly source: string;
}

/**
 * The traffic intent of one host (one TracedService). Every construct that routes or protects the
 * host writes here, and the host renders exactly one object of each kind from it (one VirtualService
 * and one DestinationRule with the Istio routing API). Conflicting writes fail with both construct
 * paths in the message.
 */
export class HostTraffic {
  private _rules?: Owned<readonly HttpRuleIntent[]>;
  private _defaults?: Owned<RouteDefaultsIntent>;
  private readonly _hostPolicies: Array<Owned<TrafficPolicyIntent>> = [];
  private readonly _subsetPolicies = new Map<string, Array<Owned<TrafficPolicyIntent>>>();
  private _virtualService?: ApiObject;
  private _destinationRule?: ApiObject;
  private _httpRoute?: ApiObject;
  private readonly _versionServices = new Map<string, ApiObject>();
  private readonly _versionDestinationRules = new Map<string, ApiObject>();
  private _progressive?: Owned<ProgressiveIntent>;
  private _canary?: ApiObject;

  constructor(public readonly service: TracedService) {
    service.node.addValidation({ validate: () => this.validateVersionServices() });
  }

  /** Whether this host renders with the Kubernetes Gateway API (HTTPRoute) instead of VirtualService. */
  public get usesGatewayApi(): boolean {
    return this.service.mesh.routingApi === RoutingApi.GATEWAY_API;
  }

  /**
   * Sets the ordered HTTP rules of the host. One construct owns the rules of a host.
   * @internal
   */
  public _setRules(source: IConstruct, rules: readonly HttpRuleIntent[]): void {
    if (this._rules) {
      fail(source, 'service', this.service.name, `host "${this.service.name}" is already routed by ${this._rules.source}; a host has one route`, 'put all rules into one CanaryRoute');
    }
    for (const rule of rules) {
      for (const d of rule.destinations) {
        if (d.version !== undefined && !this.service.versions.includes(d.version)) {
          fail(source, 'destination', d.version, `version "${d.version}" is not a version of ${this.service.name} (it runs ${this.service.versions.join(', ')})`, 'add the version to the TracedService first');
        }
      }
    }
    this.checkGatewayApi(source, rules, this._defaults?.value ?? {});
    this._rules = { value: rules, source: source.node.path };
    this.reconcile();
  }

  /** Sets route-wide timeout/retries. @internal */
  public _setDefaults(source: IConstruct, defaults: RouteDefaultsIntent): void {
    if (this._defaults && (defaults.timeout || defaults.retries)) {
      const clash = (defaults.timeout && this._defaults.value.timeout) || (defaults.retries && this._defaults.value.retries);
      if (clash) {
        fail(source, defaults.timeout ? 'timeout' : 'retries', this.service.name, `the route timeout/retries of host "${this.service.name}" are already set by ${this._defaults.source}`, 'set them in one place');
      }
      this.checkGatewayApi(source, this._rules?.value ?? [], { ...this._defaults.value, ...defaults });
      this._defaults = { value: { ...this._defaults.value, ...defaults }, source: this._defaults.source };
    } else {
      this.checkGatewayApi(source, this._rules?.value ?? [], defaults);
      this._defaults = { value: defaults, source: source.node.path };
    }
    this.reconcile();
  }

  /**
   * Adds a traffic policy for the whole host or, with `version`, for one subset. Two policies may
   * set different fields; setting the same field twice is an error.
   * @internal
   */
  public _addPolicy(source: IConstruct, policy: TrafficPolicyIntent, version?: string): void {
    if (version !== undefined && !this.service.versions.includes(version)) {
      fail(source, 'version', version, `version "${version}" is not a version of ${this.service.name} (it runs ${this.service.versions.join(', ')})`);
    }
    if (version !== undefined && this._progressive) {
      failPerVersionPolicy(source, version, this._progressive.source);
    }
    if (this._progressive) failUnexpressiblePolicy(source, policy, this._progressive.source);
    const list = version === undefined ? this._hostPolicies : this._subsetPolicies.get(version) ?? [];
    for (const other of list) {
      const clash = overlappingField(other.value, policy);
      if (clash) {
        fail(source, clash, this.service.name, `${clash} of host "${this.service.name}"${version ? ` subset ${version}` : ''} is already set by ${other.source}`);
      }
    }
    list.push({ value: policy, source: source.node.path });
    if (version !== undefined) this._subsetPolicies.set(version, list);
    this.reconcile();
  }

  /** The ordered rules, when the host is routed. */
  public get rules(): readonly HttpRuleIntent[] | undefined {
    return this._rules?.value;
  }

  /** Route-wide timeout and retries. */
  public get defaults(): RouteDefaultsIntent {
    return this._defaults?.value ?? {};
  }

  /** The merged host-wide traffic policy, or undefined when nothing is set. */
  public get hostPolicy(): TrafficPolicyIntent | undefined {
    return mergePolicies(this._hostPolicies.map((p) => p.value));
  }

  /** The merged traffic policy of one subset, or undefined. */
  public subsetPolicy(version: string): TrafficPolicyIntent | undefined {
    return mergePolicies((this._subsetPolicies.get(version) ?? []).map((p) => p.value));
  }

  /**
   * The effective policy of one subset, as the proxy applies it: the host policy with the subset's
   * fields laid over it, part by part (TCP pool, HTTP pool, outlier detection). Undefined when the
   * subset sets nothing of its own. Istio replaces `connectionPool` and `outlierDetection` of a subset
   * as a whole, so renderers write the inherited host fields into the subset explicitly.
   */
  public effectiveSubsetPolicy(version: string): TrafficPolicyIntent | undefined {
    const own = this.subsetPolicy(version);
    if (!own) return undefined;
    const host = this.hostPolicy ?? {};
    const pool = own.tcp || own.http;
    const out: Record<string, unknown> = {};
    const tcp = pool ? { ...(host.tcp ?? {}), ...(own.tcp ?? {}) } : undefined;
    const http = pool ? { ...(host.http ?? {}), ...(own.http ?? {}) } : undefined;
    if (tcp && Object.keys(tcp).length > 0) out.tcp = tcp;
    if (http && Object.keys(http).length > 0) out.http = http;
    if (own.outlierDetection) out.outlierDetection = { ...(host.outlierDetection ?? {}), ...own.outlierDetection };
    return out as TrafficPolicyIntent;
  }

  /**
   * The subsets the DestinationRule declares: every version the service runs, as soon as a route
   * destination or a per-version policy refers to a version. Derived, never typed by hand. A route
   * that only targets the whole host needs no subsets. Always empty with the Gateway API, which
   * routes to per-version Services ({@link HostTraffic.versionServices}) instead.
   */
  public get subsets(): string[] {
    if (this.usesGatewayApi) return [];
    const routed = (this._rules?.value ?? []).some((r) => r.destinations.some((d) => d.version !== undefined));
    return routed || this._subsetPolicies.size > 0 ? this.service.versions : [];
  }

  /** Whether any construct contributed a route, route defaults or a policy. */
  public get hasIntent(): boolean {
    return !!(this._rules || this._defaults || this._hostPolicies.length || this._subsetPolicies.size);
  }

  /** The HTTPRoute, once something routes the host (Gateway API). */
  public get httpRoute(): ApiObject | undefined {
    return this._httpRoute;
  }

  /**
   * The versions that get a per-version Service (`<service>-<version>`, selecting `app` and
   * `version`) with the Gateway API: those a route sends to by name, and those with a policy of
   * their own. Empty with the Istio routing API, which uses DestinationRule subsets instead.
   */
  public get versionServices(): string[] {
    if (!this.usesGatewayApi) return [];
    return this.service.versions.filter((v) => this._versionServices.has(v));
  }

  /** The per-version Service of a version (Gateway API), once created. */
  public versionService(version: string): ApiObject | undefined {
    return this._versionServices.get(version);
  }

  /** The DestinationRule of a per-version Service host (Gateway API), once created. */
  public versionDestinationRule(version: string): ApiObject | undefined {
    return this._versionDestinationRules.get(version);
  }

  /**
   * The traffic policy a per-version Service host gets with the Gateway API: the host policy with
   * the version's own fields laid over it, exactly what the proxy applies to that subset with the
   * Istio routing API. Undefined when neither is set.
   */
  public versionPolicy(version: string): TrafficPolicyIntent | undefined {
    return this.effectiveSubsetPolicy(version) ?? this.hostPolicy;
  }

  /** The VirtualService, once something routes the host (Istio routing API). */
  public get virtualService(): ApiObject | undefined {
    return this._virtualService;
  }

  /** The DestinationRule, once a route or policy needs one (Istio routing API). */
  public get destinationRule(): ApiObject | undefined {
    return this._destinationRule;
  }

  /** The progressive delivery intent, when Flagger delivers the host. */
  public get progressive(): ProgressiveIntent | undefined {
    return this._progressive?.value;
  }

  /** The Flagger Canary, when the host is delivered progressively. */
  public get canary(): ApiObject | undefined {
    return this._canary;
  }

  // ---- Progressive delivery (Flagger) ------------------------------------------------------------
  /**
   * Hands the host to Flagger: the host renders one Flagger `Canary` instead of a VirtualService and
   * DestinationRule (Flagger creates and owns its own, which ours would fight). Per-version policies
   * cannot be expressed: Flagger applies one traffic policy to primary and canary alike.
   * @internal
   */
  public _setProgressive(source: IConstruct, intent: ProgressiveIntent): void {
    if (this._progressive) {
      fail(source, 'progressive', this.service.name, `host "${this.service.name}" is already delivered progressively by ${this._progressive.source}`);
    }
    for (const [version, list] of this._subsetPolicies) {
      failPerVersionPolicy(list[0].source, version, source.node.path);
    }
    for (const p of this._hostPolicies) failUnexpressiblePolicy(p.source, p.value, source.node.path);
    this._progressive = { value: intent, source: source.node.path };
    // A host-level CircuitBreaker may have created the DestinationRule already; Flagger's replace it.
    if (this._destinationRule) {
      this.service.node.tryRemoveChild(this._destinationRule.node.id);
      this._destinationRule = undefined;
    }
    this.service._handOverToFlagger(intent.canaryVersion);
    this.reconcile();
  }

  private reconcileProgressive(): void {
    const svc = this.service;
    if (!this._canary) {
      this._canary = renderedObject(svc, 'Canary', flagger.Canary.GVK, { name: svc.name, namespace: svc.namespace }, () => renderCanarySpec(this));
    }
  }
  // ------------------------------------------------------------------------------------------------

  /** Creates the host's objects the intent needs; their content is rendered lazily at synth. */
  private reconcile(): void {
    if (this._progressive) return this.reconcileProgressive();
    const svc = this.service;
    if (svc.mesh.isAmbient) svc.meshNamespace._requireWaypoint(svc, 'routes and connection policies are applied by a waypoint in ambient mode');
    if (this.usesGatewayApi) {
      this.reconcileGatewayApi();
      return;
    }
    const needsVs = !!(this._rules || this._defaults);
    const needsDr = this.subsets.length > 0 || this._hostPolicies.length > 0 || this._subsetPolicies.size > 0;
    if (needsVs && svc.mesh.isAmbient && !this._virtualService) {
      addWarning(svc, WARN_AMBIENT_VIRTUAL_SERVICE, `${svc.name} is routed with a VirtualService on an ambient data plane: Istio supports VirtualService at waypoints as alpha only; prefer RoutingApi.GATEWAY_API with ambient`);
    }
    if (needsVs && !this._virtualService) {
      this._virtualService = renderedObject(svc, 'VirtualService', networking.VirtualService.GVK, { name: svc.name, namespace: svc.namespace }, () => renderVirtualServiceSpec(this));
    }
    if (needsDr && !this._destinationRule) {
      this._destinationRule = renderedObject(svc, 'DestinationRule', networking.DestinationRule.GVK, { name: svc.name, namespace: svc.namespace }, () => renderDestinationRuleSpec(this));
    }
  }

  /**
   * Gateway API objects: one HTTPRoute for the host, per-version Services for the versions a route
   * names (or that have their own policy), and DestinationRules without subsets: one for the
   * Service host, one per per-version Service host.
   */
  private reconcileGatewayApi(): void {
    const svc = this.service;
    const routed = new Set<string>();
    for (const r of this._rules?.value ?? []) for (const d of r.destinations) if (d.version !== undefined) routed.add(d.version);
    for (const v of this._subsetPolicies.keys()) routed.add(v);
    if ((this._rules || this._defaults) && !this._httpRoute) {
      this._httpRoute = renderedObject(svc, 'HTTPRoute', gateway.HttpRoute.GVK, { name: svc.name, namespace: svc.namespace }, () => renderHttpRouteSpec(this));
    }
    for (const v of svc.versions) {
      if (!routed.has(v) || this._versionServices.has(v)) continue;
      const name = versionServiceName(svc.name, v);
      const bad = dns1123Label(name);
      if (bad) fail(svc, 'versions', name, `the per-version Service name ${bad}`, 'shorten the service or version name');
      const labels = { app: svc.name, version: v };
      this._versionServices.set(v, new k8s.KubeService(svc, `Service-${v}`, {
        metadata: { name, namespace: svc.namespace, labels },
        spec: {
          selector: labels,
          ports: [{ name: svc.portName, port: svc.port, targetPort: k8s.IntOrString.fromNumber(svc.port), protocol: 'TCP' }],
        },
      }));
    }
    if (this._hostPolicies.length > 0 && !this._destinationRule) {
      this._destinationRule = renderedObject(svc, 'DestinationRule', networking.DestinationRule.GVK, { name: svc.name, namespace: svc.namespace }, () => ({ host: svc.host, trafficPolicy: renderTrafficPolicy(this.hostPolicy) }));
    }
    for (const v of this._versionServices.keys()) {
      if (this._versionDestinationRules.has(v) || !this.versionPolicy(v)) continue;
      const name = versionServiceName(svc.name, v);
      this._versionDestinationRules.set(v, renderedObject(svc, `DestinationRule-${v}`, networking.DestinationRule.GVK, { name, namespace: svc.namespace }, () => ({ host: name, trafficPolicy: renderTrafficPolicy(this.versionPolicy(v)) })));
    }
  }

  /** With the Gateway API, refuses intent an HTTPRoute cannot express, naming the construct. */
  private checkGatewayApi(source: IConstruct, rules: readonly HttpRuleIntent[], defaults: RouteDefaultsIntent): void {
    if (!this.usesGatewayApi) return;
    const [p] = gatewayApiProblems(this.service.name, rules, defaults);
    if (p) fail(source, p.property, p.value, `${p.rule} (the mesh renders routes with RoutingApi.GATEWAY_API)`, p.hint);
  }

  /** A per-version Service must not take the name of another Service in the namespace. */
  private validateVersionServices(): string[] {
    const svc = this.service;
    if (this._versionServices.size === 0) return [];
    const others = svc.mesh.membersOf(hasHostTraffic).filter((m) => m !== svc);
    const errors: string[] = [];
    for (const v of this._versionServices.keys()) {
      const name = versionServiceName(svc.name, v);
      const clash = others.find((o) => o.namespace === svc.namespace && (o.name === name || o.traffic.versionServices.some((x) => versionServiceName(o.name, x) === name)));
      if (clash) errors.push(validationMessage('versions', name, `the per-version Service ${svc.namespace}/${name} clashes with a Service of ${clash.node.path}`, 'rename one of the services'));
    }
    return errors;
  }
}

/** Mesh members that own a HostTraffic (TracedServices); a stable guard, so `membersOf` caches it. */
function hasHostTraffic(m: IMeshMember): m is TracedService {
  return (m as Partial<TracedService>).traffic instanceof HostTraffic;
}


function failPerVersionPolicy(source: IConstruct | string, version: string, progressiveSource: string): never {
  return fail(source, 'version', version,
    `the host is delivered progressively by ${progressiveSource}, and Flagger applies one traffic policy to its primary and canary alike; a policy per version cannot be expressed`,
    'drop `version` to protect the whole host');
}

/** Flagger's `service.trafficPolicy` schema has no `connectionPool.tcp` and no `useClientProtocol`: the API server would prune them. */
function failUnexpressiblePolicy(source: IConstruct | string, policy: TrafficPolicyIntent, progressiveSource: string): void {
  const tcp = policy.tcp && Object.entries(policy.tcp).find(([, v]) => v !== undefined);
  if (tcp) {
    fail(source, `connectionPool.tcp.${tcp[0]}`, tcp[1] as unknown,
      `the host is delivered progressively by ${progressiveSource}, and Flagger's Canary (v1.44) has no connectionPool.tcp: the API server would silently drop it`,
      'keep the HTTP pool limits and outlier detection only, or deliver the host without Flagger');
  }
  if (policy.http?.useClientProtocol !== undefined) {
    fail(source, 'connectionPool.http.useClientProtocol', policy.http.useClientProtocol,
      `the host is delivered progressively by ${progressiveSource}, and Flagger's Canary (v1.44) has no useClientProtocol: the API server would silently drop it`,
      'remove useClientProtocol');
  }
}

function overlappingField(a: TrafficPolicyIntent, b: TrafficPolicyIntent): string | undefined {
  for (const part of ['tcp', 'http', 'outlierDetection'] as const) {
    const x = a[part] as Record<string, unknown> | undefined;
    const y = b[part] as Record<string, unknown> | undefined;
    if (!x || !y) continue;
    for (const k of Object.keys(y)) {
      if (y[k] !== undefined && x[k] !== undefined) return `${part}.${k}`;
    }
  }
  return undefined;
}

function mergePolicies(list: TrafficPolicyIntent[]): TrafficPolicyIntent | undefined {
  if (list.length === 0) return undefined;
  const out: Record<string, Record<string, unknown>> = {};
  for (const p of list) {
    for (const part of ['tcp', 'http', 'outlierDetection'] as const) {
      const v = p[part];
      if (!v) continue;
      out[part] = { ...(out[part] ?? {}), ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) };
    }
  }
  return out as TrafficPolicyIntent;
}
