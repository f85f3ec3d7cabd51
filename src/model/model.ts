import { Duration } from 'cdk8s';
import { fail, show } from '../private/errors';
import { refusalHint, versionHint } from '../private/hints';
import { renderDuration } from '../rules/duration';
import {
  EdgeIntentData,
  edgeKey,
  exposedPathsOverlap,
  ExternalCallIntent,
  externalEgressHosts,
  ExternalServiceIntent,
  GatewayExposureIntent,
  gatewayHostMatches,
  IngressGatewayIntent,
  RequestAuthenticationIntent,
  RequestAuthenticationTarget,
} from './edge';
import { EgressScopeIntent, WorkloadEgressIntent } from './egress';
import { identityKey, IdentityRef, sameIdentity, ServiceRef, serviceFqdn, serviceKey } from './identity';
import { namespaceOwner, serviceOwner, sourceOwner } from './owners';
import {
  AuthorizationAction,
  AuthorizationRuleIntent,
  CallEdge,
  edgesOf,
  MeshSecurityIntent,
  MtlsIntent,
  NamespaceSecurityIntent,
  WorkloadSecurityIntent,
} from './security';
import { NamespaceIntent, primaryPort, ServiceIntent, versionNames } from './service';
import { ExtensionProviderIntent, MeshSettings } from './settings';
import { delegateMatchWithin } from '../rules/delegation';
import { portLevelCannotCarry } from '../rules/traffic-policy';
import {
  DelegateRouteIntent,
  DelegationEntryIntent,
  HostTrafficIntent,
  HttpMatchIntent,
  HttpRuleIntent,
  LocalRateLimitIntent,
  mergePolicies,
  overlappingFields,
  PolicyContribution,
  PortRouteIntent,
  ProgressiveIntent,
  RouteDefaultsIntent,
  TrafficPolicyIntent,
  withoutFields,
} from './traffic';

/**
 * Something the selected renderer cannot express, worded for an error:
 * `[at] property: value is invalid: rule. Hint: hint`.
 */
export interface IntentProblem {
  /** The property, e.g. `rules[0].retries`. */
  readonly property: string;
  /** The offending value. */
  readonly value: unknown;
  /** The rule it breaks. */
  readonly rule: string;
  /** How to fix it. */
  readonly hint?: string;
  /**
   * Construct path to blame, when it is not the writer (e.g. an earlier policy that a later
   * progressive route cannot carry).
   * @default - the construct writing the intent
   */
  readonly at?: string;
}

/**
 * The refusals of the renderer a mesh's settings select (src/render/index.ts). The model asks on
 * every write, so a construct-time error states the same rule the renderer applies.
 */
export interface IIntentPolicy {
  /** What the renderer cannot express in a host's traffic intent (the state after the write). */
  hostProblems(model: MeshIntentModel, host: HostTrafficIntent): readonly IntentProblem[];
  /** What the renderer cannot enforce in one authorization rule of a workload. */
  ruleProblems(model: MeshIntentModel, service: ServiceRef, action: AuthorizationAction, rule: AuthorizationRuleIntent): readonly IntentProblem[];
  /**
   * What the renderer's data plane cannot enforce in an mTLS mode (mesh-wide, namespace-wide or of
   * a workload, with its per-port modes).
   * @default - every mode is accepted
   */
  mtlsProblems?(mtls: MtlsIntent): readonly IntentProblem[];
  /**
   * RequestAuthentications), asked after every edge write (the state after the write).
   */
  edgeProblems?(model: MeshIntentModel): readonly IntentProblem[];
}

/** Hooks a mesh gives its model. */
export interface MeshModelHooks {
  /** The selected renderer's refusals. @default - none: every intent is accepted */
  readonly policy?: IIntentPolicy;
  /**
   * Called after a write, with the owner keys whose intent changed (see owners.ts) and the writer's
   * construct path. Throwing refuses the write, which is then undone; the Mesh uses it to refuse
   * intent that would remove an object it already handed out.
   * @default - none
   */
  readonly onChange?: (owners: readonly string[], source: string) => void;
}

/** The whole model as plain data: what `JSON.stringify(mesh.model)` writes. */
export interface MeshModelData {
  /** Mesh-wide settings. */
  readonly settings: MeshSettings;
  /** Namespaces, in declaration order. */
  readonly namespaces: readonly NamespaceIntent[];
  /** Services, in declaration order. */
  readonly services: readonly ServiceIntent[];
  /** Traffic intent of every service with any, in service order. */
  readonly traffic: readonly HostTrafficIntent[];
  /** Security intent: mesh and namespace defaults, and every workload with rules or a mode. */
  readonly security: {
    readonly mesh: MeshSecurityIntent;
    readonly workloads: readonly WorkloadSecurityIntent[];
  };
  /** Egress scopes, in the order workloads were scoped. */
  readonly egress: readonly EgressScopeIntent[];
  /** Ingress gateways, exposures, external services and RequestAuthentications, when any is declared. */
  readonly edge?: EdgeIntentData;
}

/** Options of {@link MeshIntentModel.addAuthorizationRule}. */
export interface AuthorizationRuleOptions {
  /**
   * The rule's identities that are declared external (ExternalIdentity): lint of the output needs
   * to know them.
   * @default - none
   */
  readonly external?: readonly IdentityRef[];
  /**
   * The property to name in errors, e.g. `allowFrom(production/order-service)`.
   * @default 'allow' or 'deny'
   */
  readonly property?: string;
}

interface Owned<T> {
  readonly value: T;
  readonly source: string;
}

/** A written traffic policy; an overridable one (a wrapper's default) yields its fields to a later or earlier explicit one. */
type OwnedPolicy = Owned<TrafficPolicyIntent> & { readonly overridable?: boolean };

/** Options of {@link MeshIntentModel.addTrafficPolicy}. */
export interface TrafficPolicyWriteOptions {
  /**
   * A default another writer may override field by field (a wrapper construct's defaults that the app
   * using it may change): where another, non-overridable policy sets the same field, that value wins.
   * @default false
   */
  readonly overridable?: boolean;
  /**
   * The policy is for this port of the whole host (DestinationRule `portLevelSettings`); not
   * combined with `version`.
   * @default - every port
   */
  readonly port?: number;
}

/** Route defaults as written, with the fields a wrapper marked overridable. */
type OwnedDefaults = Owned<RouteDefaultsIntent> & { readonly overridable?: ReadonlySet<'timeout' | 'retries'> };

/** A route on a further port of a several-port host (the first route is `HostState.rules`). */
interface PortRouteState {
  readonly rules: Owned<readonly HttpRuleIntent[]>;
  readonly defaults?: OwnedDefaults;
}

interface HostState {
  rules?: Owned<readonly HttpRuleIntent[]>;
  routePort?: number;
  /** Routes on the other ports, keyed by service port, in the order written. */
  portRoutes: Map<number, PortRouteState>;
  delegation?: Owned<readonly DelegationEntryIntent[]>;
  delegates: DelegateRouteIntent[];
  portPolicies: Map<number, OwnedPolicy[]>;
  defaults?: OwnedDefaults;
  hostPolicies: OwnedPolicy[];
  subsetPolicies: Map<string, OwnedPolicy[]>;
  progressive?: Owned<ProgressiveIntent>;
  rateLimits: LocalRateLimitIntent[];
  /** Every policy in the order written (host-wide and per version). */
  policies: PolicyContribution[];
  /** The merged intent, until the next change. */
  merged?: HostTrafficIntent;
}

interface WorkloadState {
  allow: AuthorizationRuleIntent[];
  deny: AuthorizationRuleIntent[];
  mtls?: Owned<MtlsIntent>;
  external: IdentityRef[];
  /** Canonical keys of the rules, per action (each rule is added once). */
  keys: Set<string>;
}

/**
 * The mesh model: everything constructs declared about one mesh, as plain, serializable data keyed by
 * names and identities. Constructs write intent through its methods (keyed by service identity, never
 * by construct); renderers read it at synth and turn it into manifests; tests and users read it
 * (`mesh.model.host(ref)`, `mesh.model.snapshot()`) to assert intent without synthesizing.
 *
 * Merging rules live here: a host has one route per port; policies from several writers merge field by field,
 * and the same field twice is an error naming both writers; the selected renderer's refusals
 * ({@link IIntentPolicy}) are asked on every write. Every write method takes the writer's construct
 * path (`source`) for messages. A refused write changes nothing. The model keeps the records it is
 * given (all readonly): writers hand over fresh data and never change it afterwards.
 *
 * @example
 * const model = mesh.model;
 * model.setRoute({ namespace: 'production', name: 'order-service' }, rules, this.node.path);
 * JSON.stringify(model); // deterministic
 */
export class MeshIntentModel {
  private readonly _settings: Omit<MeshSettings, 'extensionProviders'> & { extensionProviders: ExtensionProviderIntent[] };
  private readonly _namespaces = new Map<string, NamespaceIntent>();
  private readonly _services = new Map<string, ServiceIntent>();
  private readonly _hosts = new Map<string, HostState>();
  private readonly _workloads = new Map<string, WorkloadState>();
  private readonly _security: { meshMtls?: string; source?: string; namespaces: Map<string, NamespaceSecurityIntent> } = { namespaces: new Map() };
  private readonly _egress = new Map<string, EgressScopeIntent>();
  private readonly _byIdentity = new Map<string, ServiceIntent[]>();
  private readonly _rateLimitsBySource = new Map<string, Array<{ readonly service: ServiceRef; readonly limit: LocalRateLimitIntent }>>();
  private readonly _gateways = new Map<string, IngressGatewayIntent>();
  private readonly _exposures: GatewayExposureIntent[] = [];
  private readonly _externals = new Map<string, ExternalServiceIntent>();
  private readonly _externalCalls: ExternalCallIntent[] = [];
  private readonly _requestAuthns: RequestAuthenticationIntent[] = [];
  private _version = 0;
  private _graph?: { readonly version: number; readonly edges: CallEdge[]; readonly calleesOf: Map<string, string[]> };

  constructor(settings: MeshSettings, private readonly hooks: MeshModelHooks = {}) {
    this._settings = { ...settings, extensionProviders: [...settings.extensionProviders] };
  }

  /** A counter that changes on every write (renderers memoize on it). */
  public get version(): number {
    return this._version;
  }

  // ---- settings ---------------------------------------------------------------------------------

  /** The mesh settings. */
  public get settings(): MeshSettings {
    return { ...this._settings, extensionProviders: [...this._settings.extensionProviders] };
  }

  /** Declares one more extension provider. Names are unique. */
  public addExtensionProvider(provider: ExtensionProviderIntent, source: string): void {
    if (this._settings.extensionProviders.some((p) => p.name === provider.name)) {
      fail(source, 'extensionProviders', provider.name, 'extension provider names must be unique', 'give each extension provider its own name');
    }
    this._settings.extensionProviders.push(provider);
    this.changed([], source);
  }

  /**
   * Records the control-plane revision (sidecar namespaces then carry `istio.io/rev`). One revision
   * per mesh: a different second one is an error.
   */
  public setRevision(revision: string, source: string): void {
    const prior = this._settings.revision;
    if (prior !== undefined && prior !== revision) fail(source, 'revision', revision, `the mesh's namespaces already opt into revision "${prior}"`, 'one revision per mesh model');
    (this._settings as { revision?: string }).revision = revision;
    this.changed([...this._namespaces.keys()].map((n) => namespaceOwner(n)), source);
  }

  // ---- namespaces and services ------------------------------------------------------------------

  /** Declares a namespace of the mesh. */
  public addNamespace(ns: NamespaceIntent): void {
    const prior = this._namespaces.get(ns.name);
    if (prior?.adoption === 'named') {
      fail(ns.source, 'name', ns.name, `namespace ${ns.name} is already named by ${prior.source} as a namespace this app neither declares nor adopts, so the mesh wrote only that service's own objects there`,
        'declare (new MeshNamespace) or adopt (MeshNamespace.fromName) the namespace before the services in it, and pass it to them');
    }
    if (prior) fail(ns.source, 'name', ns.name, `namespace ${ns.name} is already declared by ${prior.source}`, 'declare the namespace once and pass the same MeshNamespace to every construct that needs it');
    this._namespaces.set(ns.name, ns);
    this.changed([], ns.source);
  }

  /** A declared namespace. */
  public namespace(name: string): NamespaceIntent | undefined {
    return this._namespaces.get(name);
  }

  /** Every declared namespace, in declaration order. */
  public get namespaces(): readonly NamespaceIntent[] {
    return [...this._namespaces.values()];
  }

  /** Declares a service (one host). Its namespace must be declared; its name is unique there. */
  public addService(service: ServiceIntent): void {
    const key = serviceKey(service);
    if (!this._namespaces.has(service.namespace)) {
      fail(service.source, 'namespace', service.namespace, `namespace ${service.namespace} is not a namespace of this mesh`, 'declare it with a MeshNamespace first');
    }
    if (service.workload && this._namespaces.get(service.namespace)!.adoption === 'named') {
      fail(service.source, 'namespace', service.namespace, `namespace ${service.namespace} is only named by a service deployed elsewhere: the library would deploy a workload into a namespace the app neither declares nor adopts`,
        'declare the namespace with a MeshNamespace, or adopt it with MeshNamespace.fromName');
    }
    const other = this._services.get(key);
    if (other) {
      fail(service.source, 'name', service.name, `service ${key} is already declared by ${other.source}`, 'give each service its own name');
    }
    if (service.ports.length === 0) fail(service.source, 'ports', [], 'a service needs at least one port', "e.g. port: 8080, or ports: [{ name: 'http', port: 8080 }]");
    if (service.versions.length === 0) fail(service.source, 'versions', [], 'a service needs at least one version', "e.g. versions: [{ name: 'v1' }]");
    this._services.set(key, service);
    const id = `${service.namespace}/${service.serviceAccount}`;
    this._byIdentity.set(id, [...(this._byIdentity.get(id) ?? []), service]);
    this.changed([serviceOwner(service)], service.source);
  }

  /** A declared service. */
  public service(ref: ServiceRef): ServiceIntent | undefined {
    return this._services.get(serviceKey(ref));
  }

  /** Every declared service, in declaration order. */
  public get services(): readonly ServiceIntent[] {
    return [...this._services.values()];
  }

  /** The services whose pods run as `identity`. */
  public servicesOf(identity: IdentityRef): readonly ServiceIntent[] {
    return this._byIdentity.get(`${identity.namespace}/${identity.serviceAccount}`) ?? [];
  }

  // ---- traffic ----------------------------------------------------------------------------------

  /**
   * Sets the ordered HTTP rules of a host's route, the catch-all last. Routes are keyed by service
   * port: a service with several ports takes one route per port (`options.port`, default the
   * primary port), a one-port service one route. A second route on the same port is an error naming
   * the first writer. A host shared by delegation has one route (the delegating one).
   */
  public setRoute(ref: ServiceRef, rules: readonly HttpRuleIntent[], source: string, options: RouteOptions = {}): void {
    const svc = this.requireService(ref, source);
    const state = this.peekHost(ref);
    if (options.port !== undefined && !svc.ports.some((p) => p.port === options.port)) {
      fail(source, 'port', options.port, `port ${options.port} is not a port of ${svc.name} (it has ${svc.ports.map((p) => `${p.name} ${p.port}`).join(', ')})`, 'use one of its ports, or leave port out for the primary port');
    }
    const port = routeKey(svc, options.port);
    if (state.rules) {
      const first = routeKey(svc, state.routePort);
      if (port === first) {
        if (port === undefined) fail(source, 'service', svc.name, `host "${svc.name}" is already routed by ${state.rules.source}; a host has one route`, 'put all rules into one CanaryRoute');
        fail(source, options.port !== undefined ? 'port' : 'service', options.port ?? svc.name, `port ${port} of host "${svc.name}" is already routed by ${state.rules.source}; a host has one route per port`,
          'put all rules for this port into one CanaryRoute, or route another port of the service (`port`)');
      }
      const other = state.portRoutes.get(port!);
      if (other) {
        fail(source, options.port !== undefined ? 'port' : 'service', options.port ?? svc.name, `port ${port} of host "${svc.name}" is already routed by ${other.rules.source}; a host has one route per port`,
          'put all rules for this port into one CanaryRoute');
      }
      if (state.delegation) {
        fail(source, 'service', svc.name, `host "${svc.name}" is shared by delegation: its root route is ${state.delegation.source}; a shared host has one route, on one port`,
          'add a DelegateRoute for your part of the host, or route this port without delegation on the host');
      }
      checkRuleVersions(svc, rules, source);
      this.writeHost(ref, source, (s) => {
        s.portRoutes.set(port!, { rules: { value: [...rules], source } });
      });
      return;
    }
    if (state.delegation && state.delegation.source !== source) {
      fail(source, 'service', svc.name, `host "${svc.name}" is shared by delegation: its root route is ${state.delegation.source}; a host has one route`, 'add a DelegateRoute for your part of the host, or give the root route a default');
    }
    checkRuleVersions(svc, rules, source);
    this.writeHost(ref, source, (s) => {
      s.rules = { value: [...rules], source };
      if (options.port !== undefined) s.routePort = options.port;
    });
  }

  /**
   * Shares a host by VirtualService delegation: the root route hands requests matching each entry
   * to the delegate route of that name and namespace (written with {@link addDelegateRoute}). Set
   * once per host; the root's own rules (a default for the rest) come after the entries.
   */
  public setDelegation(ref: ServiceRef, entries: readonly DelegationEntryIntent[], source: string): void {
    const svc = this.requireService(ref, source);
    const state = this.peekHost(ref);
    if (state.delegation) fail(source, 'service', svc.name, `host "${svc.name}" is already shared by ${state.delegation.source}`, 'one root route per host');
    if (state.rules && state.rules.source !== source) {
      fail(source, 'service', svc.name, `host "${svc.name}" is already routed by ${state.rules.source}; a host has one route`, 'route the host through the delegating route only');
    }
    const seen = new Set<string>();
    for (const e of entries) {
      if (!this._namespaces.has(e.namespace)) fail(source, 'delegates', `${e.namespace}/${e.name}`, `namespace ${e.namespace} is not a namespace of this mesh`, 'declare it with a MeshNamespace first');
      const key = `${e.namespace}/${e.name}`;
      if (seen.has(key)) fail(source, 'delegates', key, 'each delegate is named once', 'merge the entries\' matches into one entry');
      seen.add(key);
    }
    this.writeHost(ref, source, (s) => {
      s.delegation = { value: [...entries], source };
    });
  }

  /**
   * Writes one delegate route of a shared host: the rules of the delegation entry with the same name
   * and namespace. Every match must stay within the entry's matches (istiod drops a delegate rule
   * whose matches conflict with the root's); versions are versions of the host.
   */
  public addDelegateRoute(ref: ServiceRef, delegate: DelegateRouteIntent): void {
    const source = delegate.source;
    const svc = this.requireService(ref, source);
    const state = this.peekHost(ref);
    const entry = state.delegation?.value.find((e) => e.name === delegate.name && e.namespace === delegate.namespace);
    if (!entry) {
      const names = (state.delegation?.value ?? []).map((e) => `${e.namespace}/${e.name}`);
      fail(source, 'delegate', `${delegate.namespace}/${delegate.name}`, `the root route of "${svc.name}" ${state.delegation ? `delegates only to ${names.join(', ')}` : 'delegates nothing (no delegating route)'}`, 'add the delegate to the root route\'s entries first');
    }
    const other = state.delegates.find((d) => d.name === delegate.name && d.namespace === delegate.namespace);
    if (other) fail(source, 'delegate', `${delegate.namespace}/${delegate.name}`, `the delegate is already written by ${other.source}`, 'one route per delegate');
    checkRuleVersions(svc, delegate.rules, source);
    const roots = entry.matches.map(matchJson);
    delegate.rules.forEach((rule, i) => rule.matches.forEach((m, j) => {
      const bad = delegateMatchWithin(roots, matchJson(m));
      if (bad) fail(source, `rules[${i}].match[${j}]`, matchJson(m), `${bad}; the root entry matches ${JSON.stringify(roots)}`, 'narrow the match to the part of the host the root hands to this delegate');
    }));
    this.writeHost(ref, source, (s) => {
      s.delegates = [...s.delegates, delegate];
    });
  }

  /**
   * Inserts one rule into a routed host's rules, at `position` among the rules before the catch-all
   * (default: after them, right before the catch-all). The route keeps its writer; `source` is the
   * writer of this call, for errors. `port` picks the route of that port (a service with several
   * ports; default: the primary port's).
   */
  public addRouteRule(ref: ServiceRef, rule: HttpRuleIntent, source: string, position?: number, port?: number): void {
    const svc = this.requireService(ref, source);
    const state = this.peekHost(ref);
    if (!state.rules) fail(source, 'service', svc.name, `host "${svc.name}" has no route yet`, 'create its CanaryRoute first');
    const key = routeKey(svc, port);
    const onPort = key !== routeKey(svc, state.routePort) ? state.portRoutes.get(key!) : undefined;
    if (key !== routeKey(svc, state.routePort) && !onPort) fail(source, 'port', port ?? key, `port ${key} of host "${svc.name}" has no route yet`, 'create its CanaryRoute first');
    const routed = onPort ? onPort.rules : state.rules;
    const before = routed.value.length - 1;
    const at = position ?? before;
    if (!Number.isInteger(at) || at < 0 || at > before) {
      fail(source, 'position', position, `a rule goes before the catch-all: a position in 0..${before}`, `leave position out to append the rule, or pass a whole number from 0 to ${before}`);
    }
    const versions = versionNames(svc);
    for (const d of rule.destinations) {
      if (d.version !== undefined && !versions.includes(d.version)) {
        fail(source, 'destination', d.version, `version "${d.version}" is not a version of ${svc.name} (it runs ${versions.join(', ')})`, 'add the version to the service first');
      }
    }
    this.writeHost(ref, source, (s) => {
      const rules = [...routed.value];
      rules.splice(at, 0, rule);
      if (onPort) s.portRoutes.set(key!, { ...onPort, rules: { value: rules, source: routed.source } });
      else s.rules = { value: rules, source: routed.source };
    });
  }

  /**
   * Sets route-wide timeout and/or retries. Each may be set once per route, unless exactly one of the
   * two writers marks it `overridable` (a wrapper's default): then the other writer's value wins,
   * whichever is written first. `options.port` names the route of a further port (a service with
   * several ports); without it, or for the first route's port, the host's first route gets them.
   */
  public setRouteDefaults(ref: ServiceRef, defaults: RouteDefaultsIntent, source: string, options: { readonly overridable?: boolean; readonly port?: number } = {}): void {
    const svc = this.requireService(ref, source);
    const state = this.peekHost(ref);
    const key = routeKey(svc, options.port);
    const onPort = options.port !== undefined && key !== routeKey(svc, state.routePort) ? state.portRoutes.get(key!) : undefined;
    const prev = onPort ? onPort.defaults : state.defaults;
    const next = mergedDefaults(svc, prev, defaults, source, options.overridable === true, onPort ? key : undefined);
    this.writeHost(ref, source, (s) => {
      if (onPort) s.portRoutes.set(key!, { ...onPort, defaults: next });
      else s.defaults = next;
    });
  }

  /**
   * Adds a traffic policy for the whole host or, with `version`, for one version (subset). Several
   * policies may set different fields; the same field twice is an error naming both writers, unless
   * exactly one of them is `overridable` (a wrapper's default): then the other one's value wins,
   * whichever is written first, and the default keeps only its other fields.
   */
  public addTrafficPolicy(ref: ServiceRef, policy: TrafficPolicyIntent, source: string, version?: string, options: TrafficPolicyWriteOptions = {}): void {
    const port = options.port;
    const svc = this.requireService(ref, source);
    const versions = versionNames(svc);
    if (version !== undefined && !versions.includes(version)) {
      fail(source, 'version', version, `version "${version}" is not a version of ${svc.name} (it runs ${versions.join(', ')})`, versionHint(versions));
    }
    const overridable = options.overridable === true;
    const state = this.peekHost(ref);
    if (port !== undefined) {
      if (!svc.ports.some((p) => p.port === port)) fail(source, 'port', port, `port ${port} is not a port of ${svc.name} (it has ${svc.ports.map((p) => `${p.name} ${p.port}`).join(', ')})`, 'use one of its ports, or leave port out for the primary port');
      // Istio replaces a subset's policy part as a whole, and top-level port settings would then be
      // lost for that subset: the two are not combined.
      if (version !== undefined) fail(source, 'version', version, 'a policy is either for one port of the whole host or for one version, not both', 'drop `version` or `port`');
      if (state.subsetPolicies.size > 0) fail(source, 'port', port, `host "${svc.name}" has per-version policies, which replace port-level settings for their subsets`, 'set the port policy without per-version policies, or per version without port');
    } else if (version !== undefined && state.portPolicies.size > 0) {
      fail(source, 'version', version, `host "${svc.name}" has port-level policies, which a per-version policy would replace for its subset`, 'set the policy for the whole host or the port');
    }
    // A retry budget cannot be written into a port entry, and the host's is not applied on a port with its own settings.
    const hostBudget = state.hostPolicies.some((e) => e.value.retryBudget !== undefined);
    const policyPorts = [...new Set([...state.portPolicies.keys(), ...(port !== undefined ? [port] : [])])].sort((a, b) => a - b);
    if ((port !== undefined && (policy.retryBudget !== undefined || hostBudget)) || (port === undefined && version === undefined && policy.retryBudget !== undefined)) {
      const byPort = port !== undefined && policy.retryBudget === undefined;
      const rule = portLevelCannotCarry('retryBudget', policyPorts);
      if (rule) fail(source, byPort ? 'port' : 'retryBudget', byPort ? port : policy.retryBudget, rule, 'set the retry budget on a host without port-level policies, or drop it');
    }
    const slot = (h: HostState): OwnedPolicy[] =>
      port !== undefined ? h.portPolicies.get(port) ?? [] : version === undefined ? h.hostPolicies : h.subsetPolicies.get(version) ?? [];
    const list = slot(state);
    let own: TrafficPolicyIntent | undefined = policy;
    // entries whose overridable fields this write takes over: the entry, and what is left of it
    const trimmed = new Map<OwnedPolicy, TrafficPolicyIntent | undefined>();
    for (const other of list) {
      const fields = own ? overlappingFields(other.value, own) : [];
      if (fields.length === 0) continue;
      if (other.overridable && !overridable) trimmed.set(other, withoutFields(other.value, fields));
      else if (overridable && !other.overridable) own = withoutFields(own!, fields);
      else {
        fail(source, fields[0], fieldValue(own!, fields[0]),
          `${fields[0]} of host "${svc.name}"${version ? ` subset ${version}` : ''}${port !== undefined ? ` port ${port}` : ''} is already set by ${other.source} (to ${show(fieldValue(other.value, fields[0]))})`,
          'set each field in one place, or mark one of the two policies overridable (a wrapper\'s default)');
      }
    }
    this.writeHost(ref, source, (s) => {
      const keep = (entries: readonly OwnedPolicy[]): OwnedPolicy[] => entries.flatMap((e) => {
        if (!trimmed.has(e)) return [e];
        const rest = trimmed.get(e);
        return rest ? [{ ...e, value: rest }] : [];
      });
      s.policies = s.policies.flatMap((c) => {
        const e = [...trimmed.keys()].find((k) => k.value === c.policy && k.source === c.source);
        if (!e) return [c];
        const rest = trimmed.get(e);
        return rest ? [{ ...c, policy: rest }] : [];
      });
      const entries = keep(slot(s));
      if (own) {
        const entry: OwnedPolicy = { value: own, source, ...(overridable ? { overridable } : {}) };
        entries.push(entry);
        s.policies.push({ ...(version !== undefined ? { version } : {}), ...(port !== undefined ? { port } : {}), policy: entry.value, source });
      }
      if (port !== undefined) {
        if (entries.length > 0) s.portPolicies.set(port, entries);
        else s.portPolicies.delete(port);
      } else if (version === undefined) s.hostPolicies = entries;
      else if (entries.length > 0) s.subsetPolicies.set(version, entries);
      else s.subsetPolicies.delete(version);
    });
  }

  /**
   * Hands a host to progressive delivery (Flagger): it then renders a Flagger Canary instead of its
   * routing objects, and Flagger's primary replaces the stable version's Deployment.
   */
  public setProgressive(ref: ServiceRef, intent: ProgressiveIntent, source: string): void {
    const svc = this.requireService(ref, source);
    const state = this.peekHost(ref);
    if (state.progressive) {
      fail(source, 'progressive', svc.name, `host "${svc.name}" is already delivered progressively by ${state.progressive.source}`, 'deliver a host progressively from one route: drop the progressive option from the other route');
    }
    const versions = versionNames(svc);
    for (const [p, v] of [['canaryVersion', intent.canaryVersion], ['stableVersion', intent.stableVersion]] as const) {
      if (!versions.includes(v)) fail(source, p, v, `version "${v}" is not a version of ${svc.name} (it runs ${versions.join(', ')})`, versionHint(versions));
    }
    this.writeHost(ref, source, (s) => {
      s.progressive = { value: intent, source };
    });
  }

  /** Adds a local rate limit on the inbound side of every pod of a host. */
  public addLocalRateLimit(ref: ServiceRef, limit: LocalRateLimitIntent): void {
    this.requireService(ref, limit.source);
    this.writeHost(ref, limit.source, (s) => {
      s.rateLimits.push(limit);
    });
    const service = { namespace: ref.namespace, name: ref.name };
    this._rateLimitsBySource.set(limit.source, [...(this._rateLimitsBySource.get(limit.source) ?? []), { service, limit }]);
  }

  /** The local rate limits a construct wrote (by its path), with their hosts. */
  public localRateLimitsBy(source: string): ReadonlyArray<{ readonly service: ServiceRef; readonly limit: LocalRateLimitIntent }> {
    return this._rateLimitsBySource.get(source) ?? [];
  }

  /** The traffic intent of one host, merged (empty intent for a host nobody routed). */
  public host(ref: ServiceRef): HostTrafficIntent {
    const s = this._hosts.get(serviceKey(ref));
    const service = { namespace: ref.namespace, name: ref.name };
    if (!s) return { service, defaults: {}, subsetPolicies: [], localRateLimits: [], sources: { policies: [] } };
    // merged once per change of the host, not once per read (renderers and handles read it often)
    s.merged ??= hostIntent(service, s);
    return s.merged;
  }

  // ---- security ---------------------------------------------------------------------------------

  /**
   * Adds an ALLOW or DENY rule to a workload. Identities in the rule are callers (ALLOW rules with
   * identities are call-graph edges). `external` lists the rule's identities that are declared
   * external (ExternalIdentity), which lint of the output needs to know. The same rule twice is an
   * error.
   */
  public addAuthorizationRule(ref: ServiceRef, action: AuthorizationAction, rule: AuthorizationRuleIntent, source: string, options: AuthorizationRuleOptions = {}): void {
    const svc = this.requireService(ref, source);
    const existing = this._workloads.get(serviceKey(ref));
    const key = ruleKey(rule);
    const property = options.property ?? (action === 'ALLOW' ? 'allow' : 'deny');
    if (existing?.keys.has(`${action}|${key}`)) {
      fail(source, property, key, `this ${action} rule already exists on ${svc.name}`, 'each rule is added once');
    }
    for (const p of this.hooks.policy?.ruleProblems(this, ref, action, rule) ?? []) {
      fail(p.at ?? source, options.property ?? p.property, p.value, p.rule, refusalHint(p));
    }
    const state = this.workloadState(ref);
    const list = action === 'ALLOW' ? state.allow : state.deny;
    const external = options.external ?? [];
    // undone in O(1) if the change hook refuses the write
    const externalBefore = state.external.length;
    const ruleId = `${action}|${key}`;
    list.push(rule);
    state.keys.add(ruleId);
    for (const id of external) if (!state.external.some((x) => sameIdentity(x, id))) state.external.push({ ...id });
    this.commit([serviceOwner(ref)], source, () => {
      list.pop();
      state.keys.delete(ruleId);
      state.external.length = externalBefore;
    });
  }

  /** Sets a workload's own mTLS mode (and per-port modes). One writer per workload. */
  public setWorkloadMtls(ref: ServiceRef, mtls: MtlsIntent, source: string): void {
    const svc = this.requireService(ref, source);
    this.checkMtls(mtls, source);
    const prior = this._workloads.get(serviceKey(ref))?.mtls;
    if (prior) {
      fail(source, 'mtls', mtls.mode, `the mTLS mode of ${svc.name} is already set by ${prior.source} (to ${prior.value.mode})`, 'set it once');
    }
    const state = this.workloadState(ref);
    state.mtls = { value: mtls, source };
    this.commit([serviceOwner(ref)], source, () => {
      state.mtls = undefined;
    });
  }

  /** Sets the mesh-wide mTLS mode (a PeerAuthentication in the root namespace). Set once. */
  public setMeshMtls(mode: string, source: string): void {
    this.checkMtls({ mode, portLevel: [] }, source, 'meshMtls');
    if (this._security.meshMtls !== undefined) {
      fail(source, 'meshMtls', mode, `the mesh-wide mTLS mode is already set by ${this._security.source}`, 'set the mesh-wide mTLS mode in one ZeroTrustPolicy only');
    }
    this._security.meshMtls = mode;
    this._security.source ??= source;
    this.changed([], source);
  }

  /** Secures a namespace: a default deny and/or a namespace-wide mTLS mode. Once per namespace. */
  public secureNamespace(intent: NamespaceSecurityIntent): void {
    if (!this._namespaces.has(intent.namespace)) {
      fail(intent.source, 'namespace', intent.namespace, `namespace ${intent.namespace} is not a namespace of this mesh`, `declare it first, e.g. new MeshNamespace(chart, 'Ns', { mesh, name: '${intent.namespace}' }), or adopt it with MeshNamespace.fromName`);
    }
    if (this._namespaces.get(intent.namespace)!.adoption === 'named') {
      fail(intent.source, 'namespace', intent.namespace, 'the namespace is only named by a service deployed elsewhere: the mesh writes no namespace-wide policy into a namespace the app neither declares nor adopts',
        'adopt the namespace with MeshNamespace.fromName to secure it as a whole');
    }
    const prior = this._security.namespaces.get(intent.namespace);
    if (prior) fail(intent.source, 'namespace', intent.namespace, `the namespace is already secured by ${prior.source === intent.source ? 'this policy' : prior.source}`, 'secure each namespace from one policy: drop it from the other');
    if (intent.mtls !== undefined) this.checkMtls({ mode: intent.mtls, portLevel: [] }, intent.source);
    this._security.namespaces.set(intent.namespace, intent);
    this._security.source ??= intent.source;
    this.changed([], intent.source);
  }

  /** The security intent of one workload (empty for a workload nobody secured). */
  public workload(ref: ServiceRef): WorkloadSecurityIntent {
    const s = this._workloads.get(serviceKey(ref));
    const service = { namespace: ref.namespace, name: ref.name };
    if (!s) return { service, allow: [], deny: [], externalIdentities: [] };
    return {
      service,
      allow: [...s.allow],
      deny: [...s.deny],
      ...(s.mtls ? { mtls: s.mtls.value, mtlsSource: s.mtls.source } : {}),
      externalIdentities: [...s.external],
    };
  }

  /** Mesh-wide security settings and the secured namespaces. */
  public get meshSecurity(): MeshSecurityIntent {
    return {
      ...(this._security.meshMtls !== undefined ? { meshMtls: this._security.meshMtls } : {}),
      ...(this._security.source !== undefined ? { source: this._security.source } : {}),
      namespaces: [...this._security.namespaces.values()],
    };
  }

  /** The security settings of one namespace, when secured. */
  public namespaceSecurity(name: string): NamespaceSecurityIntent | undefined {
    return this._security.namespaces.get(name);
  }

  /**
   * The mTLS mode that applies to a workload's primary port: its port-level or own mode, else the
   * namespace's, else the mesh's, else Istio's default PERMISSIVE.
   */
  public effectiveMtlsMode(ref: ServiceRef): string {
    const svc = this._services.get(serviceKey(ref));
    const own = this._workloads.get(serviceKey(ref))?.mtls?.value;
    const port = svc ? own?.portLevel.find((p) => p.port === primaryPort(svc).port) : undefined;
    if (port && port.mode !== 'UNSET') return port.mode;
    if (own && own.mode !== 'UNSET') return own.mode;
    const ns = this._security.namespaces.get(ref.namespace)?.mtls;
    if (ns && ns !== 'UNSET') return ns;
    if (this._security.meshMtls && this._security.meshMtls !== 'UNSET') return this._security.meshMtls;
    return 'PERMISSIVE';
  }

  /**
   * The call graph: every caller → service edge with its allow rule (services in declaration order,
   * edges in the order they were added).
   */
  public edges(): CallEdge[] {
    return [...this.graph().edges];
  }

  // ---- egress -----------------------------------------------------------------------------------

  /** Scopes a workload's egress (a Sidecar owned by `scope`). Once per workload. */
  public scopeEgress(ref: ServiceRef, scope: string, via: string): void {
    const svc = this.requireService(ref, scope);
    const prior = this._egress.get(serviceKey(ref));
    if (prior) {
      const by = prior.scope === scope ? 'this SidecarScope' : prior.scope;
      fail(scope, via === 'service' ? 'service' : 'namespace', `${svc.namespace}/${svc.name}`,
        `the service is already scoped by ${by} (through ${prior.via}); two Sidecars selecting one workload is Istio's IST0110 error`,
        'scope each workload once: its namespace or the service, not both');
    }
    this._egress.set(serviceKey(ref), { service: { namespace: ref.namespace, name: ref.name }, scope, via, extraHosts: [] });
    this.changed([serviceOwner(ref)], scope);
  }

  /** Adds `namespace/host` entries a scoped workload may reach beyond its callees. */
  public addEgressHosts(ref: ServiceRef, hosts: readonly string[], source: string): void {
    const prior = this._egress.get(serviceKey(ref));
    if (!prior) fail(source, 'service', serviceKey(ref), 'the service is not scoped, so egress hosts would do nothing', 'scope the service first');
    this._egress.set(serviceKey(ref), { ...prior, extraHosts: [...prior.extraHosts, ...hosts] });
    this.changed([serviceOwner(ref)], source);
  }

  /** The egress scope of a workload, when scoped. */
  public egressScope(ref: ServiceRef): EgressScopeIntent | undefined {
    return this._egress.get(serviceKey(ref));
  }

  /** Every egress scope, in the order workloads were scoped. */
  public get egressScopes(): readonly EgressScopeIntent[] {
    return [...this._egress.values()];
  }

  /**
   * The egress of a scoped workload, derived: the services its identity is allowed to call (Istio
   * authorizes principals, so every workload running as the caller's identity may call), the root
   * namespace, the mesh tracing collector and the declared extra hosts; sorted, without duplicates.
   * Undefined when the workload is not scoped.
   */
  public egressOf(ref: ServiceRef): WorkloadEgressIntent | undefined {
    const scope = this._egress.get(serviceKey(ref));
    const svc = this._services.get(serviceKey(ref));
    if (!scope || !svc) return undefined;
    const hosts = new Set<string>(this.graph().calleesOf.get(`${svc.namespace}/${svc.serviceAccount}`) ?? []);
    hosts.add(`${this._settings.rootNamespace}/*`);
    const collector = collectorEgressHost(this._settings);
    if (collector) hosts.add(collector);
    for (const h of scope.extraHosts) hosts.add(h);
    for (const es of this.externalServicesCalledBy({ namespace: svc.namespace, serviceAccount: svc.serviceAccount })) {
      for (const h of externalEgressHosts(es)) hosts.add(h);
    }
    return { namespace: svc.namespace, serviceName: svc.name, selector: { ...svc.selector }, hosts: [...hosts].sort() };
  }


  // ---- edge: ingress gateways, external services, end-user authentication ---------------------

  /**
   * Declares an ingress gateway. `namespace/name` is unique; two gateways on the same workload
   * (same namespace and selector) that serve one host on one port are refused (Istio's IST0145:
   * which one answers is undefined).
   */
  public addIngressGateway(gw: IngressGatewayIntent): void {
    const key = edgeKey(gw);
    const prior = this._gateways.get(key);
    if (prior) fail(gw.source, 'name', key, `gateway ${key} is already declared by ${prior.source}`, 'give each gateway its own name');
    for (const other of this._gateways.values()) {
      if (other.workload.namespace !== gw.workload.namespace || JSON.stringify(sorted(other.workload.selector)) !== JSON.stringify(sorted(gw.workload.selector))) continue;
      const ports = (g: IngressGatewayIntent) => [...(g.tls ? [g.httpsPort] : []), ...(g.httpPort !== undefined ? [g.httpPort] : [])];
      const port = ports(gw).find((p) => ports(other).includes(p));
      const host = gw.hosts.find((h) => other.hosts.some((o) => gatewayHostMatches(o, h) || gatewayHostMatches(h, o)));
      if (port !== undefined && host !== undefined) {
        fail(gw.source, 'hosts', host, `gateway ${edgeKey(other)} (${other.source}) already serves ${host} on port ${port} of the same gateway workload; `
          + 'two Gateways on one workload, port and host conflict (Istio IST0145) and only one of them answers', 'serve the host from one gateway, or use another port or a dedicated gateway workload');
      }
    }
    this._gateways.set(key, gw);
    this.commitEdge([sourceOwner(gw.source)], gw.source, () => this._gateways.delete(key));
  }

  /** A declared ingress gateway, by `namespace/name`. */
  public ingressGateway(key: string): IngressGatewayIntent | undefined {
    return this._gateways.get(key);
  }

  /** Every ingress gateway, in declaration order. */
  public get ingressGateways(): readonly IngressGatewayIntent[] {
    return [...this._gateways.values()];
  }

  /**
   * Exposes a service on an ingress gateway for one host and some paths. `authorize` runs once the
   * exposure is accepted (the writer adds the gateway's allow rule there); if it throws, the
   * exposure is undone. The host must be one the gateway serves;
   * the paths must not overlap the paths of another exposure of the same gateway and host (each
   * request path reaches exactly one service).
   */
  public exposeService(exposure: GatewayExposureIntent, authorize?: () => void): void {
    const gw = this._gateways.get(exposure.gateway);
    const at = exposure.source;
    if (!gw) fail(at, 'gateway', exposure.gateway, 'is not a gateway of this mesh', 'declare it with an IngressGateway first');
    this.requireService(exposure.service, at);
    if (!gw.hosts.some((h) => gatewayHostMatches(h, exposure.host))) {
      fail(at, 'host', exposure.host, `gateway ${exposure.gateway} does not serve this host (it serves ${gw.hosts.join(', ')})`, 'expose one of the gateway\'s hosts, or add the host to the gateway');
    }
    if (exposure.paths.length === 0) fail(at, 'paths', [], 'an exposure needs at least one path', "e.g. paths: [RoutePath.prefix('/api/orders')]");
    for (const other of this._exposures) {
      if (other.gateway !== exposure.gateway || other.host.toLowerCase() !== exposure.host.toLowerCase()) continue;
      for (const p of exposure.paths) {
        const clash = other.paths.find((o) => exposedPathsOverlap(o, p));
        if (clash) {
          fail(at, 'paths', `${p.kind} ${p.value}`, `it overlaps ${clash.kind} ${clash.value}, which ${other.source} exposes on ${exposure.gateway} for ${exposure.host} (${serviceKey(other.service)}): a request path must reach one service`,
            'expose disjoint paths, e.g. /api/orders and /api/payments');
        }
      }
    }
    const before = this._exposures.length;
    const undo = () => {
      this._exposures.length = before;
    };
    this._exposures.push(exposure);
    // The renderer's refusals first, so that a refused exposure adds no allow rule either.
    try {
      for (const p of this.hooks.policy?.edgeProblems?.(this) ?? []) fail(p.at ?? at, p.property, p.value, p.rule, refusalHint(p));
      authorize?.();
    } catch (e) {
      undo();
      throw e;
    }
    this.commit([sourceOwner(gw.source), serviceOwner(exposure.service)], at, undo);
  }

  /** Every exposure, in declaration order. */
  public get exposures(): readonly GatewayExposureIntent[] {
    return [...this._exposures];
  }

  /** The exposures of one gateway (`namespace/name`), in declaration order. */
  public exposuresOn(gateway: string): readonly GatewayExposureIntent[] {
    return this._exposures.filter((e) => e.gateway === gateway);
  }

  /** The exposures of one service, in declaration order. */
  public exposuresOf(ref: ServiceRef): readonly GatewayExposureIntent[] {
    return this._exposures.filter((e) => e.service.namespace === ref.namespace && e.service.name === ref.name);
  }

  /** Declares an external service (a ServiceEntry). `namespace/name` is unique. */
  public addExternalService(es: ExternalServiceIntent): void {
    const key = edgeKey(es);
    if (!this._namespaces.has(es.namespace)) {
      fail(es.source, 'namespace', es.namespace, `namespace ${es.namespace} is not a namespace of this mesh`, 'declare it with a MeshNamespace first');
    }
    const prior = this._externals.get(key);
    if (prior) fail(es.source, 'name', key, `external service ${key} is already declared by ${prior.source}`, 'give each external service its own name');
    for (const other of this._externals.values()) {
      const host = es.hosts.find((h) => other.hosts.some((o) => o.toLowerCase() === h.toLowerCase()));
      if (host) fail(es.source, 'hosts', host, `external service ${edgeKey(other)} (${other.source}) already declares this host`, 'declare each external host once and add callers to it');
    }
    this._externals.set(key, es);
    this.commitEdge([sourceOwner(es.source)], es.source, () => this._externals.delete(key));
  }

  /** A declared external service, by `namespace/name`. */
  public externalService(key: string): ExternalServiceIntent | undefined {
    return this._externals.get(key);
  }

  /** Every external service, in declaration order. */
  public get externalServices(): readonly ExternalServiceIntent[] {
    return [...this._externals.values()];
  }

  /**
   * Declares that a mesh workload calls an external service: the caller's Sidecar egress lists the
   * external hosts, the ServiceEntry is exported to its namespace, and with the egress gateway, the
   * gateway's AuthorizationPolicy admits its identity. The caller must run a service of this mesh.
   */
  public addExternalCall(call: ExternalCallIntent): void {
    const es = this._externals.get(call.external);
    if (!es) fail(call.source, 'external', call.external, 'is not an external service of this mesh', 'call allowFrom on an ExternalService declared with the same Mesh');
    if (this.servicesOf(call.caller).length === 0) {
      fail(call.source, 'caller', identityKey(call.caller), 'no service of this mesh runs as this identity', 'pass a TracedService of this mesh');
    }
    if (this._externalCalls.some((c) => c.external === call.external && sameIdentity(c.caller, call.caller))) {
      fail(call.source, 'caller', identityKey(call.caller), `this identity is already an allowed caller of ${call.external}`, 'declare each caller once');
    }
    if (es.exportTo && !es.exportTo.some((e) => e === '*' || e === call.caller.namespace || (e === '.' && es.namespace === call.caller.namespace))) {
      fail(call.source, 'caller', identityKey(call.caller), `${call.external} is exported to ${es.exportTo.join(', ')} only, so workloads of namespace ${call.caller.namespace} cannot see it`,
        `add "${call.caller.namespace}" to its exportTo, or leave exportTo to be derived from the callers`);
    }
    this._externalCalls.push({ caller: { ...call.caller }, external: call.external, source: call.source });
    const owners = [sourceOwner(es.source), ...this.servicesOf(call.caller).map((s) => serviceOwner(s))];
    this.commitEdge(owners, call.source, () => {
      this._externalCalls.pop();
    });
  }

  /** The declared callers of an external service (`namespace/name`), in declaration order. */
  public externalCallsTo(key: string): readonly ExternalCallIntent[] {
    return this._externalCalls.filter((c) => c.external === key);
  }

  /** The external services an identity is declared to call, in declaration order. */
  public externalServicesCalledBy(identity: IdentityRef): readonly ExternalServiceIntent[] {
    return this._externalCalls.filter((c) => sameIdentity(c.caller, identity)).map((c) => this._externals.get(c.external)!);
  }

  /** Every declared external call, in declaration order. */
  public get externalCalls(): readonly ExternalCallIntent[] {
    return [...this._externalCalls];
  }

  /**
   * Declares a RequestAuthentication on a service's workload or an ingress gateway. An issuer is
   * configured once per target: two rules for one issuer on one workload are refused.
   */
  public addRequestAuthentication(ra: RequestAuthenticationIntent): void {
    if (ra.target.kind === 'service') this.requireService(ra.target.service, ra.source);
    else if (!this._gateways.has(ra.target.gateway)) fail(ra.source, 'target', ra.target.gateway, 'is not a gateway of this mesh', 'target an IngressGateway declared with the same Mesh');
    if (ra.jwtRules.length === 0) fail(ra.source, 'jwtRules', [], 'a RequestAuthentication needs at least one JWT rule', "e.g. jwtRules: [JwtRule.of({ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json' })]");
    for (const other of this.requestAuthenticationsOf(ra.target)) {
      const issuer = ra.jwtRules.find((r) => other.jwtRules.some((o) => o.issuer === r.issuer))?.issuer;
      if (issuer) fail(ra.source, 'jwtRules', issuer, `${other.source} already configures this issuer on ${targetText(ra.target)}`, 'configure each issuer once per workload');
    }
    this._requestAuthns.push(ra);
    this.commitEdge([sourceOwner(ra.source)], ra.source, () => {
      this._requestAuthns.pop();
    });
  }

  /** Every RequestAuthentication, in declaration order. */
  public get requestAuthentications(): readonly RequestAuthenticationIntent[] {
    return [...this._requestAuthns];
  }

  /** The RequestAuthentications of one target, in declaration order. */
  public requestAuthenticationsOf(target: RequestAuthenticationTarget): readonly RequestAuthenticationIntent[] {
    const key = targetText(target);
    return this._requestAuthns.filter((r) => targetText(r.target) === key);
  }

  /** The edge intent as plain data. */
  public edge(): EdgeIntentData {
    return {
      ingressGateways: this.ingressGateways,
      exposures: this.exposures,
      externalServices: this.externalServices,
      externalCalls: this.externalCalls,
      requestAuthentications: this.requestAuthentications,
    };
  }

  private hasEdge(): boolean {
    return this._gateways.size + this._exposures.length + this._externals.size + this._externalCalls.length + this._requestAuthns.length > 0;
  }

  /** Asks the renderer's edge refusals, then the change hook; undoes the write on refusal. */
  private commitEdge(owners: readonly string[], source: string, undo: () => void): void {
    try {
      for (const p of this.hooks.policy?.edgeProblems?.(this) ?? []) fail(p.at ?? source, p.property, p.value, p.rule, refusalHint(p));
    } catch (e) {
      undo();
      throw e;
    }
    this.commit(owners, source, undo);
  }

  // ---- reading it all ---------------------------------------------------------------------------

  /** The whole model as plain data (a copy: changing it changes nothing). */
  public snapshot(): MeshModelData {
    const services = this.services;
    return copy({
      settings: this.settings,
      namespaces: this.namespaces,
      services,
      traffic: services.filter((s) => this._hosts.has(serviceKey(s))).map((s) => this.host(s)),
      security: {
        mesh: this.meshSecurity,
        workloads: services.filter((s) => this._workloads.has(serviceKey(s))).map((s) => this.workload(s)),
      },
      egress: this.egressScopes,
      ...(this.hasEdge() ? { edge: this.edge() } : {}),
    });
  }

  /** `JSON.stringify(model)` writes {@link snapshot}. */
  public toJSON(): MeshModelData {
    return this.snapshot();
  }

  // ---- internals --------------------------------------------------------------------------------

  /** The call graph, memoized per model version (egress of N scoped workloads stays linear). */
  private graph(): { readonly edges: CallEdge[]; readonly calleesOf: Map<string, string[]> } {
    if (this._graph?.version === this._version) return this._graph;
    const edges = this.services.flatMap((s) => edgesOf(this.workload(s)));
    const calleesOf = new Map<string, string[]>();
    for (const e of edges) {
      const k = `${e.caller.namespace}/${e.caller.serviceAccount}`;
      calleesOf.set(k, [...(calleesOf.get(k) ?? []), `${e.target.namespace}/${serviceFqdn(e.target)}`]);
    }
    this._graph = { version: this._version, edges, calleesOf };
    return this._graph;
  }

  /** The selected renderer's refusals of an mTLS mode; `property` replaces the problem's when given. */
  private checkMtls(mtls: MtlsIntent, source: string, property?: string): void {
    for (const p of this.hooks.policy?.mtlsProblems?.(mtls) ?? []) {
      fail(p.at ?? source, property ?? p.property, p.value, p.rule, refusalHint(p));
    }
  }

  private requireService(ref: ServiceRef, source: string): ServiceIntent {
    const svc = this._services.get(serviceKey(ref));
    if (!svc) fail(source, 'service', serviceKey(ref), 'is not a service of this mesh', 'declare the service (e.g. a TracedService) in this mesh first');
    return svc;
  }

  /** A host's state for reading: its own, or an empty one (never stored). */
  private peekHost(ref: ServiceRef): HostState {
    return this._hosts.get(serviceKey(ref)) ?? { hostPolicies: [], subsetPolicies: new Map(), rateLimits: [], policies: [], delegates: [], portPolicies: new Map(), portRoutes: new Map() };
  }

  private hostState(ref: ServiceRef): HostState {
    const key = serviceKey(ref);
    let s = this._hosts.get(key);
    if (!s) {
      s = { hostPolicies: [], subsetPolicies: new Map(), rateLimits: [], policies: [], delegates: [], portPolicies: new Map(), portRoutes: new Map() };
      this._hosts.set(key, s);
    }
    return s;
  }

  private workloadState(ref: ServiceRef): WorkloadState {
    const key = serviceKey(ref);
    let s = this._workloads.get(key);
    if (!s) {
      s = { allow: [], deny: [], external: [], keys: new Set() };
      this._workloads.set(key, s);
    }
    return s;
  }

  /** Applies a change to a host, asks the renderer's refusals and the change hook, undoes on refusal. */
  private writeHost(ref: ServiceRef, source: string, change: (s: HostState) => void): void {
    const key = serviceKey(ref);
    const existed = this._hosts.has(key);
    const state = this.hostState(ref);
    const before = cloneHost(state);
    const undo = () => {
      if (!existed) this._hosts.delete(key);
      else Object.assign(state, before);
    };
    change(state);
    state.merged = hostIntent(ref, state);
    try {
      for (const p of this.hooks.policy?.hostProblems(this, state.merged) ?? []) {
        fail(p.at ?? source, p.property, p.value, p.rule, refusalHint(p));
      }
    } catch (e) {
      undo();
      throw e;
    }
    this.commit([serviceOwner(ref)], source, undo);
  }

  private commit(owners: readonly string[], source: string, undo: () => void): void {
    this._version++;
    try {
      this.hooks.onChange?.(owners, source);
    } catch (e) {
      undo();
      this._version++;
      throw e;
    }
  }

  private changed(owners: readonly string[], source: string): void {
    this._version++;
    this.hooks.onChange?.(owners, source);
  }
}

/** The mesh tracing collector as a Sidecar egress host (`namespace/host`), when tracing is configured. */
export function collectorEgressHost(settings: MeshSettings): string | undefined {
  const p = settings.tracing?.provider;
  if (!p?.host) return undefined;
  return `${p.namespace ?? '*'}/${p.host}`;
}

function hostIntent(service: ServiceRef, s: HostState): HostTrafficIntent {
  const hostPolicy = mergePolicies(s.hostPolicies.map((p) => p.value));
  const portPolicies = [...s.portPolicies].sort(([a], [b]) => a - b).map(([port, list]) => ({ port, policy: mergePolicies(list.map((p) => p.value))! }));
  return {
    service: { namespace: service.namespace, name: service.name },
    ...(s.rules ? { rules: s.rules.value } : {}),
    defaults: s.defaults?.value ?? {},
    ...(hostPolicy ? { hostPolicy } : {}),
    subsetPolicies: [...s.subsetPolicies].map(([version, list]) => ({ version, policy: mergePolicies(list.map((p) => p.value))! })),
    ...(s.progressive ? { progressive: s.progressive.value } : {}),
    localRateLimits: [...s.rateLimits],
    sources: {
      ...(s.rules ? { rules: s.rules.source } : {}),
      ...(s.defaults ? { defaults: s.defaults.source } : {}),
      ...(s.progressive ? { progressive: s.progressive.source } : {}),
      ...(s.delegation ? { delegation: s.delegation.source } : {}),
      policies: s.policies,
    },
    ...(s.routePort !== undefined ? { routePort: s.routePort } : {}),
    ...(s.delegation ? { delegation: s.delegation.value } : {}),
    ...(s.delegates.length > 0 ? { delegates: [...s.delegates] } : {}),
    ...(portPolicies.length > 0 ? { portPolicies } : {}),
    ...(s.portRoutes.size > 0 ? { portRoutes: [...s.portRoutes].map(([port, r]) => portRouteIntent(port, r)) } : {}),
  };
}

function portRouteIntent(port: number, r: PortRouteState): PortRouteIntent {
  return {
    port,
    rules: r.rules.value,
    defaults: r.defaults?.value ?? {},
    source: r.rules.source,
    ...(r.defaults ? { defaultsSource: r.defaults.source } : {}),
  };
}

/**
 * The port a route is keyed by: undefined for a one-port service (its one route takes every
 * request), else the port it names or the primary port.
 */
function routeKey(svc: ServiceIntent, port: number | undefined): number | undefined {
  if (svc.ports.length < 2) return undefined;
  return port ?? primaryPort(svc).port;
}

/**
 * Route defaults after one more write: each field once per route, unless exactly one of the two
 * writers marks it overridable (then the explicit value wins). Throws naming the first writer.
 */
function mergedDefaults(svc: ServiceIntent, prev: OwnedDefaults | undefined, defaults: RouteDefaultsIntent, source: string, overridable: boolean, port: number | undefined): OwnedDefaults {
  const value: { timeout?: RouteDefaultsIntent['timeout']; retries?: RouteDefaultsIntent['retries'] } = { ...(prev?.value ?? {}) };
  const soft = new Set(prev?.overridable ?? []);
  for (const field of ['timeout', 'retries'] as const) {
    if (defaults[field] === undefined) continue;
    const taken = prev?.value[field] !== undefined;
    if (taken && soft.has(field) && !overridable) {
      soft.delete(field);
    } else if (taken && overridable && !soft.has(field)) {
      continue; // an explicit value stays; the default yields
    } else if (taken) {
      fail(source, field, shownDefault(field, defaults), `the route ${field} of host "${svc.name}"${port !== undefined ? ` port ${port}` : ''} is already set by ${prev!.source} (to ${show(shownDefault(field, prev!.value))})`,
        'set it in one place, or mark the wrapper\'s default overridable');
    } else if (overridable) {
      soft.add(field);
    }
    (value as Record<string, unknown>)[field] = defaults[field];
  }
  return { value: defined(value as RouteDefaultsIntent), source: prev?.source ?? source, ...(soft.size > 0 ? { overridable: soft } : {}) };
}

function cloneHost(s: HostState): HostState {
  return {
    rules: s.rules,
    routePort: s.routePort,
    portRoutes: new Map(s.portRoutes),
    delegation: s.delegation,
    delegates: [...s.delegates],
    portPolicies: new Map([...s.portPolicies].map(([k, v]) => [k, [...v]])),
    defaults: s.defaults,
    hostPolicies: [...s.hostPolicies],
    subsetPolicies: new Map([...s.subsetPolicies].map(([k, v]) => [k, [...v]])),
    progressive: s.progressive,
    rateLimits: [...s.rateLimits],
    policies: [...s.policies],
    merged: s.merged,
  };
}

/** Options of {@link MeshIntentModel.setRoute}. */
export interface RouteOptions {
  /**
   * The service port the route applies to (a service with several ports): matches carry it and
   * destinations name it.
   * @default - every port (a one-port service), or the primary port (rendered for several ports)
   */
  readonly port?: number;
}

/** Refuses rule destinations and mirrors that name a version the service does not run. */
function checkRuleVersions(svc: ServiceIntent, rules: readonly HttpRuleIntent[], source: string): void {
  const versions = versionNames(svc);
  for (const rule of rules) {
    const named = [...rule.destinations.map((d) => d.version), rule.mirror?.version];
    for (const v of named) {
      if (v !== undefined && !versions.includes(v)) {
        fail(source, 'destination', v, `version "${v}" is not a version of ${svc.name} (it runs ${versions.join(', ')})`, 'add the version to the TracedService first');
      }
    }
  }
}

/** A match block as a VirtualService writes it (the shape the delegation rules read). */
function matchJson(m: HttpMatchIntent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (m.uri) out.uri = { [m.uri.kind]: m.uri.value };
  if (m.method) out.method = { [m.method.kind]: m.method.value };
  if (m.headers.length > 0) out.headers = Object.fromEntries(m.headers.map((h) => [h.name, { [h.match.kind]: h.match.value }]));
  return out;
}

/** A canonical key of a rule: equal for rules that grant the same thing, whoever added them. */
function ruleKey(rule: AuthorizationRuleIntent): string {
  const { addedBy: _addedBy, ...rest } = rule;
  return JSON.stringify(rest);
}

/** A deep copy of plain data (snapshots never share objects with the model). */
function copy<T>(x: T): T {
  return JSON.parse(JSON.stringify(x));
}

/** A label map with its keys sorted (for comparing selectors). */
function sorted(labels: { readonly [key: string]: string }): Array<[string, string]> {
  return Object.keys(labels).sort().map((k) => [k, labels[k]]);
}

/** A route default as errors show it: a timeout as Istio writes it (`5s`), retries as the model holds them. */
function shownDefault(field: 'timeout' | 'retries', defaults: RouteDefaultsIntent): unknown {
  const v = defaults[field];
  return field === 'timeout' && typeof v === 'number' ? renderDuration(Duration.millis(v)) : v;
}

/** The value of a field of a traffic policy as {@link overlappingFields} names it (`tcp.maxConnections`, `outlierDetection`). */
function fieldValue(p: TrafficPolicyIntent, field: string): unknown {
  let v: unknown = p;
  for (const k of field.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** A RequestAuthentication target, for messages and keys. */
function targetText(t: RequestAuthenticationTarget): string {
  return t.kind === 'service' ? `service ${serviceKey(t.service)}` : `gateway ${t.gateway}`;
}

/** The object without undefined fields. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
