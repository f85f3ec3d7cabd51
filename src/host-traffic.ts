import { ApiObject, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as flagger from '../imports/flagger.app';
import * as networking from '../imports/networking.istio.io';
import { HttpRuleIntent, ProgressiveIntent, RetryIntent, TrafficPolicyIntent } from './intent/traffic';
import { fail } from './private/errors';
import { renderCanarySpec, toGeneratedCanaryPropNames } from './render/flagger';
import { renderDestinationRuleSpec, renderVirtualServiceSpec } from './render/istio-traffic';
import type { TracedService } from './traced-service';
import { Duration } from 'cdk8s';

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
  private _progressive?: Owned<ProgressiveIntent>;
  private _canary?: ApiObject;

  constructor(public readonly service: TracedService) {}

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
      this._defaults = { value: { ...this._defaults.value, ...defaults }, source: this._defaults.source };
    } else {
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
   * that only targets the whole host needs no subsets.
   */
  public get subsets(): string[] {
    const routed = (this._rules?.value ?? []).some((r) => r.destinations.some((d) => d.version !== undefined));
    return routed || this._subsetPolicies.size > 0 ? this.service.versions : [];
  }

  /** Whether any construct contributed a route, route defaults or a policy. */
  public get hasIntent(): boolean {
    return !!(this._rules || this._defaults || this._hostPolicies.length || this._subsetPolicies.size);
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
      this._canary = new flagger.Canary(svc, 'Canary', {
        metadata: { name: svc.name, namespace: svc.namespace },
        spec: Lazy.any({ produce: () => toGeneratedCanaryPropNames(renderCanarySpec(this)) }) as any,
      });
    }
  }
  // ------------------------------------------------------------------------------------------------

  /** Creates the host's objects the intent needs; their content is rendered lazily at synth. */
  private reconcile(): void {
    if (this._progressive) return this.reconcileProgressive();
    const svc = this.service;
    const needsVs = !!(this._rules || this._defaults);
    const needsDr = this.subsets.length > 0 || this._hostPolicies.length > 0 || this._subsetPolicies.size > 0;
    if (needsVs && !this._virtualService) {
      this._virtualService = new networking.VirtualService(svc, 'VirtualService', {
        metadata: { name: svc.name, namespace: svc.namespace },
        spec: Lazy.any({ produce: () => renderVirtualServiceSpec(this) }) as any,
      });
    }
    if (needsDr && !this._destinationRule) {
      this._destinationRule = new networking.DestinationRule(svc, 'DestinationRule', {
        metadata: { name: svc.name, namespace: svc.namespace },
        spec: Lazy.any({ produce: () => toGeneratedPropNames(renderDestinationRuleSpec(this)) }) as any,
      });
    }
  }
}

/**
 * The generated DestinationRule class maps its props to Istio field names on output, and spells one
 * prop differently (`consecutive5XxErrors` for `consecutive5xxErrors`); without this rename the field
 * would be silently dropped.
 */
function toGeneratedPropNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toGeneratedPropNames);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k === 'consecutive5xxErrors' ? 'consecutive5XxErrors' : k, toGeneratedPropNames(v)]));
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
