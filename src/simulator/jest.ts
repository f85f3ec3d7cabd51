import { dnsHostFqdn } from '../rules/hosts';
import { AuthzRequest, AuthzResult, RetryResult, RouteRequest, RouteResult } from './types';

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
  /** The route timeout (`10s`), or null for none. */
  readonly timeout?: string | null;
  /** The retry fields to compare. */
  readonly retries?: Partial<RetryResult>;
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
  toRoute(request: RouteRequest, expected?: RouteExpectation): R;
  /** No rule matches the request: a 404 with flag NR. */
  toHaveNoRoute(request: RouteRequest): R;
  /** The request is allowed (and decided as `expected` says). */
  toAllow(request: AuthzRequest, expected?: AuthzExpectation): R;
  /** The request is denied (and decided as `expected` says). */
  toDeny(request: AuthzRequest, expected?: AuthzExpectation): R;
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
  readonly index?: { fqdn(host: string): string };
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
  if (e.timeout !== undefined && r.timeout !== e.timeout) out.push(`timeout is ${JSON.stringify(r.timeout)}, expected ${JSON.stringify(e.timeout)}`);
  if (e.retries) {
    for (const [k, v] of Object.entries(e.retries)) {
      const got = (r.retries as any)?.[k];
      if (got !== v) out.push(`retries.${k} is ${JSON.stringify(got)}, expected ${JSON.stringify(v)}`);
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
  return function (this: MatcherContext, received: unknown, request: AuthzRequest, expected: AuthzExpectation = {}): MatcherResult {
    const r = asSimulator(received, decision === 'ALLOW' ? 'toAllow' : 'toDeny').authorize(request);
    const who = request.plaintext ? 'a plaintext caller' : request.fromPrincipal;
    const call = `${decision.toLowerCase()} ${request.method ?? 'GET'} ${request.path ?? '/'} from ${who} to ${request.to}${expected.policy !== undefined ? ` (decided by ${expected.policy})` : ''}`;
    return result(this, call, authzMismatches(r, decision, expected), `answer: ${r.decision} by ${r.policy ?? 'no single policy'}: ${r.reason}`);
  };
}

/** The matcher functions, for `expect.extend(meshMatchers)`. */
export const meshMatchers = {
  toRoute(this: MatcherContext, received: unknown, request: RouteRequest, expected: RouteExpectation = {}): MatcherResult {
    const sim = asSimulator(received, 'toRoute');
    const r = sim.route(request);
    const fqdn = sim.index ? (h: string) => sim.index!.fqdn(h) : defaultFqdn;
    return result(this, `route ${JSON.stringify(request)} as ${JSON.stringify(expected)}`, routeMismatches(r, expected, fqdn), `answer: ${showDestinations(r)}; ${r.reason}`);
  },
  toHaveNoRoute(this: MatcherContext, received: unknown, request: RouteRequest): MatcherResult {
    const r = asSimulator(received, 'toHaveNoRoute').route(request);
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
