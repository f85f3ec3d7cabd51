import { dnsHostFqdn, hostSubsetOf } from '../rules/hosts';
import { parseDurationMs } from '../rules/duration';
import { spiffePrincipal } from '../rules/spiffe';
import { AuthzRequest, AuthzResult, RetryResult, RouteRequest, RouteResult } from './types';

/** A service as the matchers take it: a host string, or `{ name, namespace }` (TracedService, MeshService, any IMeshService). */
export interface MatcherService {
  /** The Service name. */
  readonly name: string;
  /** The Service namespace. */
  readonly namespace: string;
}

/** A caller as the matchers take it: a principal string, or a workload identity (TracedService, ExternalIdentity, ...). */
export interface MatcherIdentity {
  /** The ServiceAccount name. */
  readonly serviceAccountName: string;
  /** The ServiceAccount namespace. */
  readonly identityNamespace: string;
  /** The mesh, whose trust domain names the principal. @default the simulator's trust domain */
  readonly mesh?: { readonly trustDomain: string };
}

/** A duration as the matchers compare it, by value: `'2.5s'` equals `'2500ms'` equals `Duration.millis(2500)`. */
export type MatcherDuration = string | { toMilliseconds(): number };

/** {@link RouteRequest} whose `host` may also be a service. */
export type MatcherRouteRequest = Omit<RouteRequest, 'host'> & {
  /** The destination host: `<svc>.<ns>`, an FQDN, or the service itself. */
  readonly host: string | MatcherService;
};

/** {@link AuthzRequest} whose `to` may be a service and `fromPrincipal` an identity. */
export type MatcherAuthzRequest = Omit<AuthzRequest, 'to' | 'fromPrincipal'> & {
  /** The destination: `<svc>.<ns>`, its FQDN, or the service itself. */
  readonly to: string | MatcherService;
  /** The caller: a principal, or its identity (the principal is derived with the trust domain). */
  readonly fromPrincipal?: string | MatcherIdentity;
};

/** What {@link MeshMatchers.toRoute} expects; every field is optional and only given fields are checked. */
export interface RouteExpectation {
  /** Some destination has this subset (with `weight`, when given). */
  readonly subset?: string;
  /** The destination named by `subset`/`host` (or the only one) gets this percentage. */
  readonly weight?: number;
  /** Some destination has this host (`svc.ns` or FQDN). */
  readonly host?: string;
  /** The exact destination list, in order (hosts may be `svc.ns`). */
  readonly destinations?: ReadonlyArray<{ readonly host?: string; readonly subset?: string; readonly weight: number }>;
  /** The index of the matching rule. */
  readonly rule?: number;
  /** The route timeout, compared by value (`'10s'`, `'10000ms'`, `Duration.seconds(10)`), or null for none. */
  readonly timeout?: MatcherDuration | null;
  /** The retry fields to compare (`perTryTimeout` by value). */
  readonly retries?: Partial<Omit<RetryResult, 'perTryTimeout'>> & { readonly perTryTimeout?: MatcherDuration };
}

/** What {@link MeshMatchers.toAllow} and {@link MeshMatchers.toDeny} may additionally check. */
export interface AuthzExpectation {
  /** The deciding policy `<ns>/<name>`, or null when no single policy decides. */
  readonly policy?: string | null;
  /** The deciding rule index. */
  readonly rule?: number;
  /** The kind of the deciding object, e.g. `PeerAuthentication` for a STRICT rejection. */
  readonly kind?: 'AuthorizationPolicy' | 'PeerAuthentication';
}

/** The matchers {@link installMeshMatchers} adds to `expect(simulator)`. */
export interface MeshMatchers<R> {
  /** The request is routed (not a 404) and the answer meets `expected`. */
  toRoute(request: MatcherRouteRequest, expected?: RouteExpectation): R;
  /**
   * No rule matches the request: a 404 with flag NR. The host must be one the manifests know (a
   * Service, ServiceEntry or VirtualService host): a typo fails instead of passing.
   */
  toHaveNoRoute(request: MatcherRouteRequest): R;
  /** The request is allowed (and decided as `expected` says). */
  toAllow(request: MatcherAuthzRequest, expected?: AuthzExpectation): R;
  /** The request is denied (and decided as `expected` says). */
  toDeny(request: MatcherAuthzRequest, expected?: AuthzExpectation): R;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R, T = {}> extends MeshMatchers<R> {}
  }
}

/** The simulator surface the matchers need (a MeshSimulator). */
interface Simulates {
  route(request: RouteRequest): RouteResult;
  authorize(request: AuthzRequest): AuthzResult;
  readonly index?: {
    fqdn(host: string, namespace?: string): string;
    readonly trustDomain?: string;
    serviceOfHost?(fqdn: string): unknown;
    readonly serviceEntries?: readonly HostsObject[];
    readonly virtualServices?: readonly HostsObject[];
  };
}

/** An indexed object that names hosts (ServiceEntry, VirtualService). */
interface HostsObject {
  readonly namespace?: string;
  readonly spec?: { readonly hosts?: readonly string[] };
}

/** `<name>.<namespace>` of a service, or the host string as given. */
function hostOf(x: string | MatcherService, matcher: string): string {
  if (typeof x === 'string') return x;
  if (x && typeof x === 'object' && typeof x.name === 'string' && typeof x.namespace === 'string') return `${x.name}.${x.namespace}`;
  throw new Error(`expect(simulator).${matcher}(...): the host must be a string or a service ({ name, namespace }), got ${JSON.stringify(x)}`);
}

/** The principal of an identity (or the string as given). */
function principalOf(x: string | MatcherIdentity | undefined, sim: Simulates, matcher: string): string | undefined {
  if (x === undefined || typeof x === 'string') return x;
  if (x && typeof x === 'object' && typeof x.serviceAccountName === 'string' && typeof x.identityNamespace === 'string') {
    const td = x.mesh?.trustDomain ?? sim.index?.trustDomain ?? 'cluster.local';
    return spiffePrincipal(td, x.identityNamespace, x.serviceAccountName);
  }
  throw new Error(`expect(simulator).${matcher}(...): fromPrincipal must be a principal string or a workload identity, got ${JSON.stringify(x)}`);
}

/**
 * Refuses a host no Service, ServiceEntry or VirtualService of the manifests names: an assertion about a
 * typo'd host would otherwise pass (`toHaveNoRoute`) or mislead.
 */
function checkKnownHost(sim: Simulates, host: string, matcher: string): void {
  const index = sim.index;
  if (!index || typeof index.serviceOfHost !== 'function') return;
  const fqdn = index.fqdn(host);
  if (index.serviceOfHost(fqdn)) return;
  // short hosts of an object are relative to the object's namespace
  const named = (list: readonly HostsObject[] | undefined) =>
    (list ?? []).some((o) => (o.spec?.hosts ?? []).some((h) => h === host || index.fqdn(h, o.namespace) === fqdn || hostSubsetOf(fqdn, h)));
  if (named(index.serviceEntries) || named(index.virtualServices)) return;
  throw new Error(`expect(simulator).${matcher}(...): unknown host ${JSON.stringify(host)} (${fqdn}): no Service, ServiceEntry or VirtualService of the manifests names it; is it a typo?`);
}

function routeRequest(sim: Simulates, request: MatcherRouteRequest, matcher: string): RouteRequest {
  const host = hostOf(request.host, matcher);
  checkKnownHost(sim, host, matcher);
  return { ...request, host };
}

function authzRequest(sim: Simulates, request: MatcherAuthzRequest, matcher: string): AuthzRequest {
  const to = hostOf(request.to, matcher);
  checkKnownHost(sim, to, matcher);
  const fromPrincipal = principalOf(request.fromPrincipal, sim, matcher);
  const { fromPrincipal: _ignored, ...rest } = request;
  return { ...rest, to, ...(fromPrincipal !== undefined ? { fromPrincipal } : {}) };
}

/** Whether a duration answer equals an expected duration, by value. */
function sameDuration(got: string | null | undefined, expected: MatcherDuration | null | undefined): boolean {
  if (expected === null || expected === undefined || got === null || got === undefined) return got === expected || (got == null && expected == null);
  const want = typeof expected === 'string' ? parseDurationMs(expected) : expected.toMilliseconds();
  return want !== undefined && parseDurationMs(got) === want;
}

function showDuration(d: MatcherDuration | null | undefined): string {
  return d === null || d === undefined || typeof d === 'string' ? JSON.stringify(d) : `${d.toMilliseconds()}ms`;
}

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

interface MatcherContext {
  isNot: boolean;
}

function asSimulator(received: unknown, matcher: string): Simulates {
  const r = received as Simulates;
  if (!r || typeof r.route !== 'function' || typeof r.authorize !== 'function') {
    throw new Error(`expect(received).${matcher}(...): received must be a MeshSimulator, got ${typeof received}`);
  }
  return r;
}

/**
 * Completes `svc.ns` (and `svc.ns.svc`) to its FQDN in the default `cluster.local` domain, as a
 * client's DNS search path does (`dnsHostFqdn`); a bare name has no namespace here and is kept.
 */
function defaultFqdn(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h.includes('.') ? dnsHostFqdn(h, '') : h;
}

function showDestinations(r: RouteResult): string {
  if (r.noRoute) return 'no route (404 NR)';
  return r.destinations.map((d) => `${d.host}${d.subset ? ` subset ${d.subset}` : ''} ${d.weight}%`).join(', ');
}

/**
 * The differences between a route answer and an expectation, in words; empty when it meets it.
 * `fqdn` completes expected hosts (`svc.ns`) the way the simulator's manifest index does.
 */
export function routeMismatches(r: RouteResult, e: RouteExpectation, fqdn: (host: string) => string = defaultFqdn): string[] {
  const out: string[] = [];
  if (r.noRoute) return ['no rule matches (404 NR)'];
  if (e.rule !== undefined && r.rule !== e.rule) out.push(`rule is ${r.rule}, expected ${e.rule}`);
  if (e.destinations) {
    const ok = r.destinations.length === e.destinations.length && e.destinations.every((d, i) => {
      const got = r.destinations[i];
      return (d.host === undefined || fqdn(d.host) === got.host) && d.subset === got.subset && d.weight === got.weight;
    });
    if (!ok) out.push(`destinations are [${showDestinations(r)}], expected [${e.destinations.map((d) => `${d.host ?? '*'}${d.subset ? ` subset ${d.subset}` : ''} ${d.weight}%`).join(', ')}]`);
  }
  if (e.subset !== undefined || e.host !== undefined || e.weight !== undefined) {
    const candidates = r.destinations.filter((d) => (e.subset === undefined || d.subset === e.subset) && (e.host === undefined || d.host === fqdn(e.host)));
    const what = [e.host ? `host ${e.host}` : '', e.subset !== undefined ? `subset ${e.subset}` : ''].filter((x) => x).join(' ') || 'the destination';
    if (candidates.length === 0) out.push(`no destination has ${what}; destinations are [${showDestinations(r)}]`);
    else if (e.weight !== undefined && !candidates.some((d) => d.weight === e.weight)) {
      out.push(`${what} gets ${candidates.map((d) => `${d.weight}%`).join(', ')}, expected ${e.weight}%`);
    }
  }
  if (e.timeout !== undefined && !sameDuration(r.timeout, e.timeout)) out.push(`timeout is ${JSON.stringify(r.timeout)}, expected ${showDuration(e.timeout)}`);
  if (e.retries) {
    for (const [k, v] of Object.entries(e.retries)) {
      const got = (r.retries as any)?.[k];
      const same = k === 'perTryTimeout' ? sameDuration(got, v as MatcherDuration | undefined) : got === v;
      if (!same) out.push(`retries.${k} is ${JSON.stringify(got)}, expected ${k === 'perTryTimeout' ? showDuration(v as MatcherDuration) : JSON.stringify(v)}`);
    }
  }
  return out;
}

function authzMismatches(r: AuthzResult, decision: 'ALLOW' | 'DENY', e: AuthzExpectation): string[] {
  const out: string[] = [];
  if (r.decision !== decision) out.push(`decision is ${r.decision}, expected ${decision}`);
  if (e.policy !== undefined && r.policy !== e.policy) out.push(`deciding policy is ${JSON.stringify(r.policy)}, expected ${JSON.stringify(e.policy)}`);
  if (e.rule !== undefined && r.rule !== e.rule) out.push(`deciding rule is ${r.rule}, expected ${e.rule}`);
  if (e.kind !== undefined && r.kind !== e.kind) out.push(`deciding kind is ${r.kind}, expected ${e.kind}`);
  return out;
}

function result(ctx: MatcherContext, call: string, mismatches: string[], detail: string): MatcherResult {
  const pass = mismatches.length === 0;
  return {
    pass,
    message: () =>
      ctx.isNot
        ? `expected the simulator not to ${call}, but it does.\n  ${detail}`
        : `expected the simulator to ${call}, but:\n  - ${mismatches.join('\n  - ')}\n  ${detail}`,
  };
}

function authzMatcher(decision: 'ALLOW' | 'DENY') {
  return function (this: MatcherContext, received: unknown, given: MatcherAuthzRequest, expected: AuthzExpectation = {}): MatcherResult {
    const matcher = decision === 'ALLOW' ? 'toAllow' : 'toDeny';
    const sim = asSimulator(received, matcher);
    const request = authzRequest(sim, given, matcher);
    const r = sim.authorize(request);
    const who = request.plaintext ? 'a plaintext caller' : request.fromPrincipal;
    const call = `${decision.toLowerCase()} ${request.method ?? 'GET'} ${request.path ?? '/'} from ${who} to ${request.to}${expected.policy !== undefined ? ` (decided by ${expected.policy})` : ''}`;
    return result(this, call, authzMismatches(r, decision, expected), `answer: ${r.decision} by ${r.policy ?? 'no single policy'}: ${r.reason}`);
  };
}

/** The matcher functions, for `expect.extend(meshMatchers)`. */
export const meshMatchers = {
  toRoute(this: MatcherContext, received: unknown, given: MatcherRouteRequest, expected: RouteExpectation = {}): MatcherResult {
    const sim = asSimulator(received, 'toRoute');
    const request = routeRequest(sim, given, 'toRoute');
    const r = sim.route(request);
    const fqdn = sim.index ? (h: string) => sim.index!.fqdn(h) : defaultFqdn;
    return result(this, `route ${JSON.stringify(request)} as ${JSON.stringify(expected)}`, routeMismatches(r, expected, fqdn), `answer: ${showDestinations(r)}; ${r.reason}`);
  },
  toHaveNoRoute(this: MatcherContext, received: unknown, given: MatcherRouteRequest): MatcherResult {
    const sim = asSimulator(received, 'toHaveNoRoute');
    const request = routeRequest(sim, given, 'toHaveNoRoute');
    const r = sim.route(request);
    const mismatches = r.noRoute ? [] : [`rule ${r.rule ?? '(default route)'} routes it to [${showDestinations(r)}]`];
    return result(this, `have no route for ${JSON.stringify(request)}`, mismatches, `answer: ${r.reason}`);
  },
  toAllow: authzMatcher('ALLOW'),
  toDeny: authzMatcher('DENY'),
};

/**
 * Adds `toRoute`, `toHaveNoRoute`, `toAllow` and `toDeny` to jest's `expect`. Call it once, in a test
 * file or a setup file, or list `cdk8s-istio/lib/src/simulator/jest-setup` in `setupFilesAfterEnv`.
 *
 * @example
 * installMeshMatchers();
 * expect(sim).toRoute({ host: 'order-service.production', headers: { 'x-canary': 'true' } }, { subset: 'v2', weight: 100 });
 */
export function installMeshMatchers(): void {
  const e = (globalThis as any).expect;
  if (!e || typeof e.extend !== 'function') throw new Error('installMeshMatchers: no global jest expect; call it from a test or a jest setup file');
  e.extend(meshMatchers);
}
