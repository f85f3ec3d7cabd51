import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { HttpMatchIntent, HttpRuleIntent, primaryPort, ProgressiveIntent, ServiceIntent, serviceOwner } from './model';
import { istioDurationOf as checkIstioDuration, renderDuration } from './rules/duration';
import { fail } from './private/errors';
import { BOOLEAN_HINT, nameHint, refusalHint } from './private/hints';
import { IMeshService, requireMeshService } from './mesh-service';
import type { IMeshNamespace } from './adopted-namespace';
import { requireMeshNamespace } from './mesh-namespace-handle';
import { dns1123Subdomain } from './rules/names';
import { CanaryAnalysis } from './values/canary-analysis';
import { Destination } from './values/destination';
import { RetryPolicy } from './values/retry-policy';
import { HeaderMatch, StringMatch } from './values/string-match';
import { Cors } from './values/cors';
import { Fault } from './values/fault';
import { HeaderMutation } from './values/header-mutation';
import { Mirror } from './values/mirror';
import { DirectResponse, Redirect } from './values/redirect';
import { Rewrite } from './values/rewrite';
import { routeActionConflict } from './rules/route-action';
import { addWarning } from './warnings';
import { warnPrefixRewriteSeams } from './rewrite-seam';
import { addBrand, brandSymbol, hasBrand } from './private/brand';
import { declaredPort, isHttpPort } from './service-port';
import { portProtocol } from './rules/protocol';
import { gatewayRouteId } from './render/gateway-api';

/** Warning code: perTryTimeout × attempts exceeds the rule's timeout, so not every retry can run. */
export const WARN_RETRIES_EXCEED_TIMEOUT = 'CI2001';
/** Warning code: a progressive analysis checks no metric, so Flagger promotes whatever the canary does. */
export const WARN_ANALYSIS_WITHOUT_METRICS = 'CI2002';

/**
 * One match block: every condition in it must hold (AND). A rule's blocks are ORed.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */
export interface RouteMatch {
  /**
   * Header conditions, one per header name.
   * @default - no header condition
   */
  readonly headers?: HeaderMatch[];
  /**
   * A condition on the request path.
   * @default - any path
   */
  readonly uri?: StringMatch;
  /**
   * A condition on the HTTP method, e.g. `StringMatch.exact('POST')`.
   * @default - any method
   */
  readonly method?: StringMatch;
}

/**
 * What a route rule does to the requests it forwards (or, for CORS and headers, to its answers)
 * besides choosing where they go. Each renders in the VirtualService rule and, where the Gateway API
 * can express it, as an HTTPRoute filter (otherwise synth fails naming the alternative).
 */
export interface RouteEffects {
  /**
   * Fault injection: abort and/or delay a share of the requests.
   * @example Fault.of({ abort: { httpStatus: 503, percent: 5 }, delay: { fixedDelay: Duration.seconds(1), percent: 100 } })
   * @default - no fault
   */
  readonly fault?: Fault;
  /**
   * Copy a share of the requests to another version (fire-and-forget).
   * @example Mirror.toVersion('v2', { percent: 10 })
   * @default - no mirror
   */
  readonly mirror?: Mirror;
  /**
   * Request and response header changes.
   * @default - headers pass unchanged
   */
  readonly headers?: HeaderMutation;
  /**
   * Path and/or authority rewrite of the forwarded request.
   * @default - forwarded as is
   */
  readonly rewrite?: Rewrite;
  /**
   * A CORS policy.
   * @default - no CORS handling
   */
  readonly cors?: Cors;
}

/**
 * One rule of a {@link CanaryRoute}: requests that match go to the destination, or are answered
 * with a redirect or a direct response. Exactly one of `destination`, `redirect`, `directResponse`.
 */
export interface CanaryRule extends RouteEffects {
  /**
   * A name for the rule (the route name in Istio, shown in Envoy stats and access logs).
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * Match blocks, ORed. At least one: the catch-all is `defaultDestination`, which always comes last.
   * @example [{ headers: [HeaderMatch.exact('x-canary', 'true')] }]
   */
  readonly match: RouteMatch[];
  /**
   * Where matching requests go.
   * @default - none: set `redirect` or `directResponse`
   */
  readonly destination?: Destination;
  /**
   * Answer matching requests with a redirect instead of forwarding them.
   * @default - none: set `destination` or `directResponse`
   */
  readonly redirect?: Redirect;
  /**
   * Answer matching requests with a fixed response instead of forwarding them.
   * @default - none: set `destination` or `redirect`
   */
  readonly directResponse?: DirectResponse;
  /**
   * Timeout of this rule.
   * @default - the route's `timeout`
   */
  readonly timeout?: Duration;
  /**
   * Retries of this rule.
   * @default - the route's `retries`
   */
  readonly retries?: RetryPolicy;
}

/** Options of {@link CanaryRoute.addRule}. */
export interface AddRuleOptions {
  /**
   * Where the rule goes among the rules before the catch-all (0 = first: it is tried before every
   * other rule).
   * @default - after the existing rules, right before the catch-all
   */
  readonly position?: number;
}

/** Properties of a {@link CanaryRoute}. */
export interface CanaryRouteProps {
  /** The service whose host is routed. Versions named by destinations must be versions it runs. */
  readonly service: IMeshService;
  /**
   * The service port the route applies to, for a service with several ports: an HTTP port (HTTP,
   * HTTP2, gRPC). Every match then carries the port and every destination names it (Istio requires
   * the port of a several-port host, IST0112); requests to a port no route names take Istio's
   * default route. A host takes one route per port: route each port that needs rules with its own
   * CanaryRoute (they render into the host's one VirtualService, or one Gateway API route per port).
   * @example 9090 // the service's grpc port
   * @default - the primary port (for a one-port service: every request)
   */
  readonly port?: number;
  /**
   * Ordered rules; the first whose match holds wins.
   * @default - none: every request takes `defaultDestination`
   */
  readonly rules?: CanaryRule[];
  /**
   * The catch-all, rendered as the last rule. Requests no rule matches go here.
   * @example Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }])
   */
  readonly defaultDestination: Destination;
  /**
   * Timeout of every rule (including the default) that sets none of its own. At least 1ms.
   * @default - no timeout (Istio's default for HTTP routes)
   */
  readonly timeout?: Duration;
  /**
   * Retries of every rule (including the default) that sets none of its own.
   * @default - Istio's default: 2 retries (up to 3 tries) on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes
   */
  readonly retries?: RetryPolicy;
  /**
   * Marks `timeout` and `retries` as defaults the app may override with {@link CanaryRoute.setDefaults}
   * (for a wrapper construct that creates the route: its app can change them without an "already set
   * by" error). Where both set a field, the value that is not overridable wins.
   * @default false
   */
  readonly overridableDefaults?: boolean;
  /**
   * Deliver the host progressively with Flagger: the route renders one Flagger `Canary`
   * (flagger.app/v1beta1) carrying its timeout, retries, A/B matches and the host's CircuitBreaker
   * policy, and no VirtualService or DestinationRule (Flagger creates its own). The service runs at
   * most two versions: `defaultDestination` names the stable one (what Flagger's primary runs), the
   * other is the canary, whose Deployment becomes Flagger's target. With one version (the first
   * release), that version is the target. See docs/progressive-delivery.md.
   * @example CanaryAnalysis.weighted({ stepWeight: 10, maxWeight: 50, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] })
   * @default - not progressive: the route renders a VirtualService and DestinationRule
   */
  readonly progressive?: CanaryAnalysis;
  /**
   * With `progressive`: run Flagger in its delegation mode (`service.delegation: true`). Flagger's
   * VirtualService (named after the service) then has no hosts, and the library renders the root
   * VirtualService `<service>-root` for the host, which keeps the route's redirects, direct
   * responses and effects (istiod lays each root entry's effects over Flagger's routes), so they
   * survive Flagger's takeover of the route (Flagger #1715, #1066, #1857). Without it, rules that
   * redirect, answer or carry effects cannot be delivered progressively.
   * @default false
   */
  readonly progressiveDelegation?: boolean;
  /**
   * Effects of the catch-all rule (`defaultDestination`).
   * @default - none
   */
  readonly defaultEffects?: RouteEffects;
  /**
   * Share the host by VirtualService delegation: requests matching an entry are routed by the
   * {@link DelegateRoute} of that name and namespace (e.g. another team's), before this route's own
   * rules; the rest takes this route's rules and default. Each entry needs a match (an entry for
   * every request would leave nothing for the default).
   * @default - no delegation
   */
  readonly delegates?: RouteDelegation[];
}

/** One delegation entry of a {@link CanaryRoute}: a part of the host another route decides. */
export interface RouteDelegation {
  /** The delegate route's name (its VirtualService name, the `DelegateRoute`'s `name`). */
  readonly name: string;
  /**
   * The namespace of the delegate route: a `MeshNamespace`, an adopted one
   * (`MeshNamespace.fromName`) or any other {@link IMeshNamespace} of this mesh.
   */
  readonly namespace: IMeshNamespace;
  /**
   * The requests handed to the delegate: match blocks, ORed. At least one. The delegate's own
   * matches must stay within them.
   * @example [{ uri: StringMatch.prefix('/cart/') }]
   */
  readonly match: RouteMatch[];
}

const CANARY_ROUTE_BRAND = brandSymbol('CanaryRoute');

/**
 * Routes a service's host (a TracedService or any {@link IMeshService}): header/URI/method canary and A/B rules, then a catch-all that sends
 * everything else to one version, a percent split, or the whole host. Route-wide timeout and retries
 * apply to every rule without its own.
 *
 * It writes intent into the mesh model (`mesh.model.setRoute`, keyed by the service); the mesh renders
 * exactly one VirtualService and one DestinationRule per host (or an HTTPRoute with the Gateway API,
 * or a Flagger Canary when progressive), whose subsets are derived from the versions the service runs.
 *
 * @example
 * new CanaryRoute(chart, 'OrderRoute', {
 *   service: order,
 *   timeout: Duration.seconds(10),
 *   rules: [{ name: 'canary', match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }],
 *   defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]),
 * });
 */
export class CanaryRoute extends Construct {
  /** Whether `x` is a CanaryRoute (works across copies of this package). */
  public static isCanaryRoute(x: unknown): x is CanaryRoute {
    return hasBrand(x, CANARY_ROUTE_BRAND);
  }

  /** `x instanceof CanaryRoute`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is CanaryRoute {
    return hasBrand(x, CANARY_ROUTE_BRAND);
  }

  /** The routed service. */
  public readonly service: IMeshService;

  private routeTimeout?: Duration;
  private routeRetries?: RetryPolicy;
  /** The port the props name (undefined: the primary port, or every port of a one-port service). */
  private readonly routedPort?: number;
  private ruleCount = 0;
  private readonly seenMatches = new Map<string, string>();
  private readonly seenNames = new Set<string>();

  constructor(scope: Construct, id: string, props: CanaryRouteProps) {
    super(scope, id);
    addBrand(this, CANARY_ROUTE_BRAND);
    if (!props) fail(this, 'props', props, 'props are required', "pass props with the service, e.g. { service: order, defaultDestination: Destination.version('v1') }");
    const declared = requireMeshService(this, 'props.service', props.service);
    this.service = props.service;
    const versions = this.service.versions;
    const port = routedPort(this, declared, props.port);
    this.routedPort = port;

    if (props.timeout !== undefined) this.checkDuration('props.timeout', props.timeout);
    if (props.retries !== undefined) this.checkRetries('props.retries', props.retries);
    if (!(Destination.isDestination(props.defaultDestination))) {
      fail(this, 'props.defaultDestination', props.defaultDestination, 'must be a Destination (the catch-all rule)', 'e.g. Destination.version("v1") or Destination.service()');
    }
    this.checkVersions('props.defaultDestination', props.defaultDestination, versions);

    const rules = props.rules ?? [];
    if (!Array.isArray(rules)) fail(this, 'props.rules', rules, 'must be an array of rules', "e.g. rules: [{ match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }], or leave rules out");
    this.routeTimeout = props.timeout;
    this.routeRetries = props.retries;
    const intents: HttpRuleIntent[] = rules.map((rule, i) => {
      const checked = this.ruleIntent(`props.rules[${i}]`, rule);
      checked.record();
      return checked.intent;
    });
    this.warnRetryBudget('props.defaultDestination', props.retries, props.timeout);
    const model = this.service.mesh.model;
    const ref = this.service.ref;
    if (props.progressiveDelegation !== undefined && props.progressive === undefined) {
      fail(this, 'props.progressiveDelegation', props.progressiveDelegation, 'Flagger\'s delegation mode applies to a progressive route only', 'set `progressive`, or drop progressiveDelegation');
    }
    if (props.progressive !== undefined) {
      if (port !== undefined && port !== primaryPort(declared).port) {
        fail(this, 'props.port', port, `Flagger's Canary routes one port, its service.port, and the library gives it the primary port (${primaryPort(declared).name} ${primaryPort(declared).port}); with port discovery Flagger's Services carry the other ports, but its VirtualService routes only service.port (Flagger #1612)`,
          'deliver the primary port progressively (drop `port`, or mark this port primary in the service\'s ports), or route this port with fixed weights');
      }
      model.setProgressive(ref, this.toProgressive(props, intents), this.node.path);
      this.node.addValidation({ validate: () => this.validatePodSelectors() });
    }
    const catchAll = compactRule({ matches: [], destinations: props.defaultDestination.toIntent(), ...routeEffectsIntent(this, 'props.defaultEffects', props.defaultEffects ?? {}, versions) });
    warnPrefixRewriteSeams(this, 'props.defaultEffects', catchAll.matches, catchAll.rewrite);
    intents.push(catchAll);

    if (props.delegates !== undefined) {
      if (props.progressive !== undefined) {
        fail(this, 'props.delegates', props.delegates.map((d) => d?.name), 'a host delivered progressively is routed by Flagger\'s VirtualService; it cannot also delegate parts of the host',
          'drop `delegates`, or share the host without progressive delivery');
      }
      if (!Array.isArray(props.delegates) || props.delegates.length === 0) fail(this, 'props.delegates', props.delegates, 'must be a non-empty array of delegation entries', "e.g. delegates: [{ name: 'orders-api', namespace: team, match: [{ uri: StringMatch.prefix('/api') }] }], or drop delegates");
      model.setDelegation(ref, props.delegates.map((d, i) => {
        const at = `props.delegates[${i}]`;
        if (!d || typeof d.name !== 'string') fail(this, `${at}.name`, d?.name, 'must be a string (the delegate route\'s name)', "e.g. { name: 'orders-api', namespace: team, match: [{ uri: StringMatch.prefix('/api') }] }");
        const bad = dns1123Subdomain(d.name);
        if (bad) fail(this, `${at}.name`, d.name, bad, nameHint(d.name, dns1123Subdomain, 'orders-api'));
        const namespace = requireMeshNamespace(this, `${at}.namespace`, d.namespace, this.service.mesh);
        if (!Array.isArray(d.match) || d.match.length === 0) {
          fail(this, `${at}.match`, d.match, 'a delegation entry without a match hands every request to the delegate, so this route\'s rules and default would be unreachable (IST0130)',
            'match the part of the host the delegate decides, e.g. [{ uri: StringMatch.prefix(\'/cart/\') }]');
        }
        return { name: d.name, namespace: namespace.name, matches: d.match.map((m, j) => routeMatchIntent(this, `${at}.match[${j}]`, m)) };
      }), this.node.path);
    }
    model.setRoute(ref, intents, this.node.path, port !== undefined ? { port } : {});
    if (props.overridableDefaults !== undefined && typeof props.overridableDefaults !== 'boolean') {
      fail(this, 'props.overridableDefaults', props.overridableDefaults, 'must be a boolean', BOOLEAN_HINT);
    }
    if (props.timeout !== undefined || props.retries !== undefined) {
      model.setRouteDefaults(ref, {
        ...(props.timeout !== undefined ? { timeout: props.timeout.toMilliseconds() } : {}),
        ...(props.retries !== undefined ? { retries: props.retries.toIntent() } : {}),
      }, this.node.path, { overridable: props.overridableDefaults === true, ...(port !== undefined ? { port } : {}) });
    }
  }

  /**
   * Sets the route-wide timeout and/or retries after the fact, e.g. from the app that uses a wrapper
   * construct which created this route with `overridableDefaults: true`: the values given here win
   * over the wrapper's. Without `overridableDefaults`, a field the props already set is an error.
   *
   * @example service.route.setDefaults({ timeout: Duration.seconds(5) })
   */
  public setDefaults(defaults: { readonly timeout?: Duration; readonly retries?: RetryPolicy }): void {
    if (!defaults || typeof defaults !== 'object') fail(this, 'setDefaults.defaults', defaults, 'must be an object with timeout and/or retries', 'e.g. setDefaults({ timeout: Duration.seconds(5), retries: RetryPolicy.of({ attempts: 3 }) })');
    if (defaults.timeout === undefined && defaults.retries === undefined) fail(this, 'setDefaults.defaults', defaults, 'give a timeout, retries or both', 'e.g. setDefaults({ timeout: Duration.seconds(5) })');
    if (defaults.timeout !== undefined) this.checkDuration('setDefaults.timeout', defaults.timeout);
    if (defaults.retries !== undefined) this.checkRetries('setDefaults.retries', defaults.retries);
    this.service.mesh.model.setRouteDefaults(this.service.ref, {
      ...(defaults.timeout !== undefined ? { timeout: defaults.timeout.toMilliseconds() } : {}),
      ...(defaults.retries !== undefined ? { retries: defaults.retries.toIntent() } : {}),
    }, this.node.path, this.routedPort !== undefined ? { port: this.routedPort } : {});
    if (defaults.timeout !== undefined) this.routeTimeout = defaults.timeout;
    if (defaults.retries !== undefined) this.routeRetries = defaults.retries;
    this.warnRetryBudget('setDefaults', this.routeRetries, this.routeTimeout);
  }

  /**
   * Adds a rule after the fact: after the existing rules and before the catch-all, or at
   * `options.position` among the rules (0 = first). It is checked like the rules of the props
   * (matches, duplicates across all rules, versions, timeout and retries). A wrapper can create the
   * route and the app add its own canary rule to it. Not for a progressive route (Flagger fixes the
   * matches when the analysis starts).
   *
   * @example route.addRule({ match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') })
   */
  public addRule(rule: CanaryRule, options: AddRuleOptions = {}): void {
    const at = `addRule.rule`;
    if (this.service.mesh.model.host(this.service.ref).progressive) {
      fail(this, at, rule?.name ?? rule, 'a progressive route takes its A/B matches from the props when Flagger starts the analysis; rules cannot be added later',
        'pass every rule in props.rules');
    }
    if (options.position !== undefined && (!Number.isInteger(options.position) || options.position < 0 || options.position > this.ruleCount)) {
      fail(this, 'addRule.options.position', options.position, `a position among the ${this.ruleCount} rule(s) before the catch-all: 0..${this.ruleCount}`, `leave position out to append the rule, or pass a whole number from 0 to ${this.ruleCount}`);
    }
    const checked = this.ruleIntent(at, rule);
    this.service.mesh.model.addRouteRule(this.service.ref, checked.intent, this.node.path, options.position, this.routedPort);
    checked.record();
  }

  /**
   * The host's VirtualService (shared by everything that routes the host), as an escape hatch.
   * Undefined with the Gateway API (see {@link httpRoute}) and when the route is progressive (Flagger
   * creates the VirtualService).
   */
  public get virtualService(): ApiObject | undefined {
    return this.service.mesh.objectOf(serviceOwner(this.service), 'VirtualService');
  }

  /**
   * This route's HTTPRoute when the mesh routes with `RoutingApi.GATEWAY_API`, as an escape hatch
   * (undefined with the Istio routing API, and for a route on a gRPC port: see {@link grpcRoute}).
   * A host's first route renders as the object named after the service; a route on a further port
   * as `<service>-<port name>`.
   */
  public get httpRoute(): ApiObject | undefined {
    return this.service.mesh.objectOf(serviceOwner(this.service), this.gatewayRouteId('HTTPRoute'));
  }

  /**
   * This route's GRPCRoute when the mesh routes with `RoutingApi.GATEWAY_API` and the route is for a
   * gRPC port, as an escape hatch (undefined otherwise).
   */
  public get grpcRoute(): ApiObject | undefined {
    return this.service.mesh.objectOf(serviceOwner(this.service), this.gatewayRouteId('GRPCRoute'));
  }

  /** The child id of this route's Gateway API object: the host's first route, or the route of a further port. */
  private gatewayRouteId(kind: 'HTTPRoute' | 'GRPCRoute'): string {
    const host = this.service.mesh.model.host(this.service.ref);
    const own = (host.portRoutes ?? []).find((r) => r.source === this.node.path);
    return gatewayRouteId(kind, own ? { first: false, port: own.port } : { first: true });
  }

  /** The Flagger Canary, when the route is progressive (`progressive` set), as an escape hatch. */
  public get canary(): ApiObject | undefined {
    return this.service.mesh.objectOf(serviceOwner(this.service), 'Canary');
  }

  /**
   * Maps the route onto what Flagger can express, or fails naming the property and the alternative.
   * Flagger manages ONE Deployment (the canary version's, its target) and replaces the stable version
   * with its own `-primary` copy; it routes between exactly those two, with one timeout/retry policy
   * for every route, and sends A/B requests by header only.
   */
  private toProgressive(props: CanaryRouteProps, allRules: readonly HttpRuleIntent[]): ProgressiveIntent {
    let rules = allRules;
    const analysis = props.progressive;
    if (!(CanaryAnalysis.isCanaryAnalysis(analysis))) {
      fail(this, 'props.progressive', analysis, 'must be a CanaryAnalysis', 'e.g. CanaryAnalysis.weighted({ stepWeight: 10, maxWeight: 50 })');
    }
    const svc = this.service;
    if (!svc.mesh.model.service(svc.ref)?.workload) {
      fail(this, 'props.progressive', svc.ref, 'Flagger takes over the Deployment of the canary version, so progressive delivery needs a service the library deploys (a TracedService); this service is deployed elsewhere',
        'declare the service with TracedService, or route it with fixed weights');
    }
    // What the mesh's renderer cannot deliver progressively (ambient data plane, Gateway API).
    const refusal = svc.mesh.renderer.capabilities.progressiveDelivery;
    if (refusal) fail(this, 'props.progressive', refusal.value, refusal.rule, refusalHint(refusal));
    const versions = svc.versions;
    const dd = props.defaultDestination;
    const ddVersions = dd.versions;
    if (ddVersions.length > 2) {
      fail(this, 'props.defaultDestination', ddVersions.join(','), 'a split across more than two versions cannot be delivered by Flagger: it routes between one primary and one canary',
        "name the stable version, e.g. Destination.version('v1'), and run only the stable and the canary version");
    }
    if (ddVersions.length === 2) {
      fail(this, 'props.defaultDestination', ddVersions.join(','), 'in progressive delivery Flagger sets the weights step by step (stepWeight/maxWeight or stepWeights); a fixed split would be overridden',
        `name the stable version, e.g. Destination.version('${ddVersions[0]}'), and state the steps in progressive`);
    }
    if (ddVersions.length === 0) {
      fail(this, 'props.defaultDestination', 'Destination.service()', 'progressive delivery needs the stable version: Flagger\'s primary serves it',
        `name it, e.g. Destination.version('${versions[0]}')`);
    }
    const stable = ddVersions[0];
    if (versions.length > 2) {
      fail(this, 'props.service', versions.join(','), `progressive delivery needs at most two versions, the stable one (defaultDestination) and the canary (the new release); ${svc.name} runs ${versions.length}`,
        'Flagger runs one primary and one canary: remove the older versions');
    }
    // One version is the first release: Flagger initializes its primary from the target, without analysis.
    const canary = versions.find((v) => v !== stable) ?? stable;
    const settings = analysis.toIntent();

    const delegation = props.progressiveDelegation === true;
    if (props.progressiveDelegation !== undefined && typeof props.progressiveDelegation !== 'boolean') {
      fail(this, 'props.progressiveDelegation', props.progressiveDelegation, 'must be a boolean', BOOLEAN_HINT);
    }
    const effectKeys = ['fault', 'mirror', 'headers', 'rewrite', 'cors'] as const;
    (props.rules ?? []).forEach((rule, i) => {
      const at = `props.rules[${i}]`;
      const answers = rule.redirect !== undefined ? 'redirect' : rule.directResponse !== undefined ? 'directResponse' : undefined;
      if (answers && !delegation) {
        fail(this, `${at}.${answers}`, answers, `Flagger owns the host's VirtualService and writes only its own routes, so a rule that answers with a ${answers} would vanish`,
          'set progressiveDelegation: true (the library then renders the root VirtualService, which keeps the rule), or drop the rule');
      }
      const effect = effectKeys.find((k) => rule[k] !== undefined);
      if (effect && !answers) {
        fail(this, `${at}.${effect}`, effect, `in an A/B test the rule's requests are selected by Flagger's analysis.match, which carries no ${effect}`,
          'put the effect on defaultEffects with progressiveDelegation: true (it then applies to every forwarded request), or drop it');
      }
    });
    if (!delegation) this.checkFlaggerDefaultEffects(props.defaultEffects, analysis.isAbTesting);
    if (props.defaultEffects?.mirror !== undefined) {
      fail(this, 'props.defaultEffects.mirror', props.defaultEffects.mirror.version, 'in progressive delivery Flagger owns the subsets (primary, canary): a mirror to a version subset of the root route would name a subset Flagger\'s DestinationRules do not have',
        'use Flagger\'s own traffic mirroring (analysis mirror), or deliver the host without Flagger');
    }
    const forwarding = (props.rules ?? []).filter((r) => r.redirect === undefined && r.directResponse === undefined);
    rules = rules.filter((r) => r.redirect === undefined && r.directResponse === undefined);
    if (!analysis.isAbTesting && rules.length > 0) {
      fail(this, 'props.rules', forwarding.map((r) => r.name ?? `rules[${(props.rules ?? []).indexOf(r)}]`), 'a weighted Flagger canary shifts all traffic by weight; rules that send matching requests to a version are A/B testing, which Flagger runs instead of weights, not beside them',
        'use CanaryAnalysis.abTesting({ iterations }) to send the matched requests to the canary, or drop the rules');
    }
    if (analysis.isAbTesting && rules.length === 0) {
      fail(this, 'props.rules', [], 'an A/B test needs rules: the requests they send to the canary version are the ones Flagger routes to the canary (without them Flagger would run a blue/green switch)',
        `add e.g. { match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('${canary}') }, or use CanaryAnalysis.weighted`);
    }
    const matches: HttpMatchIntent[] = [];
    forwarding.forEach((rule, i) => {
      const at = `props.rules[${(props.rules ?? []).indexOf(rule)}]`;
      const dv = rule.destination!.versions;
      if (dv.length !== 1 || dv[0] !== canary) {
        fail(this, `${at}.destination`, dv.length === 0 ? 'Destination.service()' : dv.join(','),
          `in an A/B test every rule sends its requests to the canary version "${canary}"; Flagger can route matched requests nowhere else (the rest goes to the primary, "${stable}")`,
          `use Destination.version('${canary}'), or drop the rule`);
      }
      rule.match.forEach((m, j) => {
        for (const p of ['uri', 'method'] as const) {
          if (m[p] !== undefined) {
            fail(this, `${at}.match[${j}].${p}`, m[p]!.value, `Flagger's analysis.match selects A/B requests by headers only (cookies are the "cookie" header); it has no ${p}`,
              "match on a header, e.g. HeaderMatch.regex('cookie', '^(.*?;)?(canary=always)(;.*)?$')");
          }
        }
      });
      if (rule.timeout !== undefined && (!props.timeout || rule.timeout.toMilliseconds() !== props.timeout.toMilliseconds())) {
        fail(this, `${at}.timeout`, rule.timeout, 'Flagger applies one timeout (service.timeout) to every route it creates; a rule cannot have its own',
          'set the timeout on the route only');
      }
      if (rule.retries !== undefined && (!props.retries || JSON.stringify(rule.retries.toIntent()) !== JSON.stringify(props.retries.toIntent()))) {
        fail(this, `${at}.retries`, rule.retries.toIntent(), 'Flagger applies one retry policy (service.retries) to every route it creates; a rule cannot have its own',
          'set the retries on the route only');
      }
      matches.push(...rules[i].matches);
    });
    if (settings.metrics.length === 0) {
      addWarning(this, WARN_ANALYSIS_WITHOUT_METRICS, 'props.progressive: the analysis checks no metric, so Flagger promotes the canary whatever its error rate and latency; add MetricCheck.requestSuccessRate and MetricCheck.requestDuration');
    }
    return { ...settings, canaryVersion: canary, stableVersion: stable, matches, ...(delegation ? { delegation: true } : {}) };
  }

  /**
   * The default effects Flagger's Canary can carry without delegation: Flagger v1.44 copies
   * `service.headers`, `service.corsPolicy` and `service.rewrite` onto every HTTP route of the
   * VirtualService it writes (pkg/router/istio.go reconcileVirtualService); it has no field for a fault
   * or a mirror. In a weighted canary its one route is the default route, so the effects mean the same;
   * in an A/B test Flagger would also put them on the A/B route, which the default effects do not cover.
   */
  private checkFlaggerDefaultEffects(effects: RouteEffects | undefined, abTesting: boolean): void {
    for (const k of ['fault', 'mirror', 'headers', 'rewrite', 'cors'] as const) {
      const e = effects?.[k];
      if (e === undefined) continue;
      const value = typeof (e as { toIntent?: unknown }).toIntent === 'function' ? (e as { toIntent(): unknown }).toIntent() : e;
      if (k === 'fault' || k === 'mirror') {
        fail(this, `props.defaultEffects.${k}`, value, `Flagger owns the host's VirtualService and its Canary (v1.44) has no ${k} field, so the effect would vanish`,
          'set progressiveDelegation: true: the root VirtualService then carries the effect over Flagger\'s routes');
      }
      if (abTesting) {
        fail(this, `props.defaultEffects.${k}`, value, `in an A/B test Flagger copies the Canary's service.${k === 'cors' ? 'corsPolicy' : k} onto every route it writes, the A/B route to the canary included (Flagger v1.44 pkg/router/istio.go), while default effects apply to the default route only`,
          'set progressiveDelegation: true (the root VirtualService then applies the effect to the default route only), or use a weighted analysis');
      }
    }
  }

  /**
   * Flagger relabels its primary pods `app: <name>-primary`: an Istio object that selects the
   * workload by `app: <name>` would apply to the canary pods only. Checked at synth, because
   * policies can be added after the route.
   */
  private validatePodSelectors(): string[] {
    const svc = this.service;
    const errors: string[] = [];
    // The mesh's objects must exist before the chart is walked (the render step is idempotent).
    svc.mesh.prepareSynth();
    const chart = Chart.of(this);
    for (const c of chart.node.findAll()) {
      if (!(ApiObject.isApiObject(c)) || !c.apiVersion.includes('istio.io/') || Chart.of(c) !== chart) continue;
      if (c.metadata.namespace !== svc.namespace && c.metadata.namespace !== svc.mesh.rootNamespace) continue;
      const spec = (c.toJson() as any).spec ?? {};
      const labels = spec.selector?.matchLabels ?? spec.workloadSelector?.labels;
      if (labels && labels.app === svc.name) {
        errors.push(`${c.kind} ${c.metadata.namespace}/${c.name} (${c.node.path}) selects app: ${svc.name}, but ${svc.name} is delivered progressively by ${this.node.path}: Flagger relabels the primary pods app: ${svc.name}-primary, so the ${c.kind} would apply to the canary pods only. `
          + `Hint: select a label Flagger copies to the primary (the library's own policies for ${svc.name} select service.istio.io/canonical-name: ${svc.name}), or deliver it without Flagger.`);
      }
    }
    return errors;
  }

  private toMatch(at: string, m: RouteMatch): HttpMatchIntent {
    return routeMatchIntent(this, at, m);
  }

  /** Checks that the rule does exactly one thing (forward, redirect, answer) and returns which. */
  private checkAction(at: string, rule: CanaryRule): 'route' | 'redirect' | 'directResponse' {
    if (rule.destination !== undefined && !(rule.destination instanceof Destination)) {
      fail(this, `${at}.destination`, rule.destination, 'must be a Destination', 'e.g. Destination.version("v2")');
    }
    if (rule.redirect !== undefined && !(rule.redirect instanceof Redirect)) fail(this, `${at}.redirect`, rule.redirect, 'must be a Redirect', "e.g. Redirect.to({ uri: '/v2' })");
    if (rule.directResponse !== undefined && !(rule.directResponse instanceof DirectResponse)) {
      fail(this, `${at}.directResponse`, rule.directResponse, 'must be a DirectResponse', 'e.g. DirectResponse.of({ status: 410 })');
    }
    const set = [
      ...(rule.destination !== undefined ? ['route'] : []),
      ...(['redirect', 'directResponse', 'fault', 'rewrite', 'mirror'] as const).filter((k) => rule[k] !== undefined),
    ];
    const conflict = routeActionConflict(set);
    if (conflict) {
      fail(this, at, set.join(','), conflict, 'a rule either forwards (destination, with fault/rewrite/mirror) or answers (redirect or directResponse)');
    }
    if (rule.destination === undefined && (rule.timeout !== undefined || rule.retries !== undefined)) {
      fail(this, `${at}.${rule.timeout !== undefined ? 'timeout' : 'retries'}`, rule.timeout ?? rule.retries, 'a rule that answers itself (redirect or directResponse) forwards nothing, so it has no timeout or retries', 'drop them');
    }
    return rule.destination !== undefined ? 'route' : rule.redirect !== undefined ? 'redirect' : 'directResponse';
  }

  private checkDuration(property: string, d: Duration): void {
    const bad = checkIstioDuration(d);
    if (bad) fail(this, property, d, bad, 'e.g. Duration.seconds(5) or Duration.millis(250)');
  }

  /**
   * Checks one rule (at `at`) against the service and the rules so far; returns its intent and
   * `record`, which makes its name and matches known to later rules (called once it is accepted).
   */
  private ruleIntent(at: string, rule: CanaryRule): { intent: HttpRuleIntent; record: () => void } {
    if (!rule || typeof rule !== 'object') fail(this, at, rule, 'a rule is an object with match and destination', "e.g. { match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') }");
    if (rule.name !== undefined) {
      if (typeof rule.name !== 'string' || rule.name.length === 0) fail(this, `${at}.name`, rule.name, 'a rule name must be a non-empty string', "name it, e.g. name: 'beta-users', or leave name out");
      if (this.seenNames.has(rule.name)) fail(this, `${at}.name`, rule.name, 'rule names must be unique', 'give each rule its own name');
    }
    if (!Array.isArray(rule.match) || rule.match.length === 0) {
      fail(this, `${at}.match`, rule.match, 'a rule without a match matches every request, so every later rule and the default would be unreachable (IST0130)',
        'put the catch-all into defaultDestination');
    }
    const matches = rule.match.map((m, j) => this.toMatch(`${at}.match[${j}]`, m));
    const seen = new Map(this.seenMatches);
    matches.forEach((m, j) => {
      const key = canonical(m);
      const earlier = seen.get(key);
      if (earlier) {
        fail(this, `${at}.match[${j}]`, key, `this match duplicates ${earlier}, so it can never be reached (IST0131)`, 'remove it or change its conditions');
      }
      seen.set(key, `${at}.match[${j}]`);
    });
    const action = this.checkAction(at, rule);
    if (rule.destination !== undefined) this.checkVersions(`${at}.destination`, rule.destination, this.service.versions);
    if (rule.timeout !== undefined) this.checkDuration(`${at}.timeout`, rule.timeout);
    if (rule.retries !== undefined) this.checkRetries(`${at}.retries`, rule.retries);
    if (action === 'route') this.warnRetryBudget(`${at}`, rule.retries ?? this.routeRetries, rule.timeout ?? this.routeTimeout);
    const intent = compactRule({
      name: rule.name,
      matches,
      destinations: rule.destination?.toIntent() ?? [],
      timeout: rule.timeout?.toMilliseconds(),
      retries: rule.retries?.toIntent(),
      redirect: rule.redirect?.toIntent(),
      directResponse: rule.directResponse?.toIntent(),
      ...routeEffectsIntent(this, at, rule, this.service.versions),
    });
    // recorded only once the rule is accepted, so a refused rule leaves no trace
    const record = () => {
      warnPrefixRewriteSeams(this, at, intent.matches, intent.rewrite);
      if (rule.name !== undefined) this.seenNames.add(rule.name);
      for (const [k, v] of seen) this.seenMatches.set(k, v);
      this.ruleCount++;
    };
    return { intent, record };
  }

  private checkRetries(property: string, r: RetryPolicy): void {
    if (!(RetryPolicy.isRetryPolicy(r))) fail(this, property, r, 'must be a RetryPolicy', 'e.g. RetryPolicy.of({ attempts: 3 })');
  }

  private checkVersions(property: string, d: Destination, versions: string[]): void {
    for (const v of d.versions) {
      if (!versions.includes(v)) {
        fail(this, property, v, `version "${v}" is not a version of ${this.service.name} (it runs ${versions.join(', ')})`,
          'route only to versions the service runs, or add the version to it');
      }
    }
  }

  private warnRetryBudget(property: string, retries: RetryPolicy | undefined, timeout: Duration | undefined): void {
    if (!retries || !timeout || !retries.perTryTimeout || retries.attempts === 0) return;
    const total = retries.perTryTimeout.toMilliseconds() * retries.attempts;
    if (total > timeout.toMilliseconds()) {
      addWarning(this, WARN_RETRIES_EXCEED_TIMEOUT,
        `${property}: perTryTimeout ${renderDuration(retries.perTryTimeout)} × ${retries.attempts} attempts = ${renderDuration(Duration.millis(total))} exceeds the timeout ${renderDuration(timeout)}; the last retries can never run`);
    }
  }
}

/**
 * One match block as intent, checked: a HeaderMatch list with one condition per header name, and
 * at least one condition (an empty block matches every request).
 */
export function routeMatchIntent(scope: Construct, at: string, m: RouteMatch): HttpMatchIntent {
  if (!m || typeof m !== 'object') fail(scope, at, m, 'a match block must be an object', "e.g. { headers: [HeaderMatch.exact('x-canary', 'true')] }");
  const headers = m.headers ?? [];
  const names = new Set<string>();
  headers.forEach((h, k) => {
    if (!(h instanceof HeaderMatch)) fail(scope, `${at}.headers[${k}]`, h, 'must be a HeaderMatch', "e.g. HeaderMatch.exact('x-canary', 'true')");
    const lower = h.name.toLowerCase();
    if (names.has(lower)) fail(scope, `${at}.headers[${k}]`, h.name, 'a match block may hold one condition per header name (header names are case-insensitive)', 'merge the conditions on this header into one HeaderMatch');
    names.add(lower);
  });
  for (const p of ['uri', 'method'] as const) {
    if (m[p] !== undefined && !(m[p] instanceof StringMatch)) fail(scope, `${at}.${p}`, m[p], 'must be a StringMatch', "e.g. StringMatch.prefix('/api')");
  }
  if (headers.length === 0 && !m.uri && !m.method) {
    fail(scope, at, m, 'an empty match block matches every request, so every later rule and the default would be unreachable (IST0130)',
      'add a condition, or put the catch-all into defaultDestination');
  }
  return {
    headers: headers.map((h) => h.toIntent()),
    ...(m.uri ? { uri: m.uri.toIntent() } : {}),
    ...(m.method ? { method: m.method.toIntent() } : {}),
  };
}

/** The effects of a rule as intent, each value checked for its type; a mirror's version must be one the service runs. */
export function routeEffectsIntent(scope: Construct, at: string, e: RouteEffects, versions: readonly string[]): Partial<HttpRuleIntent> {
  if (!e || typeof e !== 'object') fail(scope, at, e, 'must be an object of route effects', "e.g. { fault: Fault.abort({ httpStatus: 503, percent: 5 }) }, or leave the effects out");
  const kinds = { fault: Fault, mirror: Mirror, headers: HeaderMutation, rewrite: Rewrite, cors: Cors } as const;
  const examples = {
    fault: 'Fault.abort({ httpStatus: 503, percent: 5 })',
    mirror: "Mirror.toVersion('v2', { percent: 10 })",
    headers: "HeaderMutation.request({ set: { 'x-env': 'prod' } })",
    rewrite: "Rewrite.uri('/')",
    cors: "Cors.of({ allowOrigins: [StringMatch.exact('https://shop.example.com')] })",
  };
  for (const k of Object.keys(kinds) as Array<keyof typeof kinds>) {
    if (e[k] !== undefined && !((e[k] as unknown) instanceof (kinds[k] as any))) fail(scope, `${at}.${k}`, e[k], `must be a ${kinds[k].name}`, `e.g. ${examples[k]}`);
  }
  const mv = e.mirror?.version;
  if (mv !== undefined && !versions.includes(mv)) {
    fail(scope, `${at}.mirror`, mv, `version "${mv}" is not a version of the service (it runs ${versions.join(', ')})`, 'mirror only to versions the TracedService deploys');
  }
  return {
    ...(e.fault ? { fault: e.fault.toIntent() } : {}),
    ...(e.mirror ? { mirror: e.mirror.toIntent() } : {}),
    ...(e.headers ? { headers: e.headers.toIntent() } : {}),
    ...(e.rewrite ? { rewrite: e.rewrite.toIntent() } : {}),
    ...(e.cors ? { cors: e.cors.toIntent() } : {}),
  };
}

/** A canonical key of a match block, equal for blocks with the same conditions. */
function canonical(m: HttpMatchIntent): string {
  const headers = [...m.headers].map((h) => [h.name.toLowerCase(), h.match.kind, h.match.value]).sort();
  return JSON.stringify({ headers, uri: m.uri ?? null, method: m.method ?? null });
}

function compactRule(r: HttpRuleIntent): HttpRuleIntent {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as HttpRuleIntent;
}

/**
 * The port a route names (`props.port`): undefined when not given; else a port the service declares
 * that Istio routes by HTTP rules. A route on the primary port of a several-port service is checked
 * the same way (HTTP rules never apply to a TCP or TLS port).
 */
function routedPort(scope: Construct, svc: ServiceIntent, port: number | undefined): number | undefined {
  const p = port !== undefined ? declaredPort(scope, 'props.port', svc, port) : svc.ports.length > 1 ? primaryPort(svc) : undefined;
  if (p && !isHttpPort(p)) {
    fail(scope, port !== undefined ? 'props.port' : 'props.service', port ?? svc.name,
      `port ${p.name} ${p.port} is ${portProtocol(p.port, p.name, p.protocol, p.appProtocol)} to Istio, which proxies it as TCP: a CanaryRoute's HTTP rules never apply there (the library renders no tcp or tls routes)`,
      `route an HTTP port of ${svc.name} (${svc.ports.filter(isHttpPort).map((x) => `${x.name} ${x.port}`).join(', ') || 'it has none'}) with \`port\`, or protect the TCP port with a CircuitBreaker ({ port })`);
  }
  return port;
}
