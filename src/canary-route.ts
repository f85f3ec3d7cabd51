import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { HttpMatchIntent, HttpRuleIntent } from './intent/traffic';
import { checkIstioDuration, renderDuration } from './private/duration';
import { fail } from './private/errors';
import { TracedService } from './traced-service';
import { Destination } from './values/destination';
import { RetryPolicy } from './values/retry-policy';
import { HeaderMatch, StringMatch } from './values/string-match';
import { addWarning } from './warnings';

/** Warning code: perTryTimeout × attempts exceeds the rule's timeout, so not every retry can run. */
export const WARN_RETRIES_EXCEED_TIMEOUT = 'CI2001';

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

/** One rule of a {@link CanaryRoute}: requests that match go to the destination. */
export interface CanaryRule {
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
  /** Where matching requests go. */
  readonly destination: Destination;
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

/** Properties of a {@link CanaryRoute}. */
export interface CanaryRouteProps {
  /** The service whose host is routed. Versions named by destinations must be versions it runs. */
  readonly service: TracedService;
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
   * @default - Istio's default: 2 attempts on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes
   */
  readonly retries?: RetryPolicy;
}

/**
 * Routes a TracedService's host: header/URI/method canary and A/B rules, then a catch-all that sends
 * everything else to one version, a percent split, or the whole host. Route-wide timeout and retries
 * apply to every rule without its own.
 *
 * It writes intent into `service.traffic`; the host renders exactly one VirtualService and one
 * DestinationRule, whose subsets are derived from the versions the service runs.
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
  /** The routed service. */
  public readonly service: TracedService;

  constructor(scope: Construct, id: string, props: CanaryRouteProps) {
    super(scope, id);
    if (!props || !TracedService.isTracedService(props.service)) {
      fail(this, 'props.service', props?.service, 'must be a TracedService');
    }
    this.service = props.service;
    const versions = this.service.versions;

    if (props.timeout !== undefined) this.checkDuration('props.timeout', props.timeout);
    if (props.retries !== undefined) this.checkRetries('props.retries', props.retries);
    if (!(props.defaultDestination instanceof Destination)) {
      fail(this, 'props.defaultDestination', props.defaultDestination, 'must be a Destination (the catch-all rule)', 'e.g. Destination.version("v1") or Destination.service()');
    }
    this.checkVersions('props.defaultDestination', props.defaultDestination, versions);

    const rules = props.rules ?? [];
    if (!Array.isArray(rules)) fail(this, 'props.rules', rules, 'must be an array of rules');
    const seenMatches = new Map<string, string>();
    const seenNames = new Set<string>();
    const intents: HttpRuleIntent[] = rules.map((rule, i) => {
      const at = `props.rules[${i}]`;
      if (rule.name !== undefined) {
        if (typeof rule.name !== 'string' || rule.name.length === 0) fail(this, `${at}.name`, rule.name, 'a rule name must be a non-empty string');
        if (seenNames.has(rule.name)) fail(this, `${at}.name`, rule.name, 'rule names must be unique');
        seenNames.add(rule.name);
      }
      if (!Array.isArray(rule.match) || rule.match.length === 0) {
        fail(this, `${at}.match`, rule.match, 'a rule without a match matches every request, so every later rule and the default would be unreachable (IST0130)',
          'put the catch-all into defaultDestination');
      }
      const matches = rule.match.map((m, j) => this.toMatch(`${at}.match[${j}]`, m));
      matches.forEach((m, j) => {
        const key = canonical(m);
        const earlier = seenMatches.get(key);
        if (earlier) {
          fail(this, `${at}.match[${j}]`, key, `this match duplicates ${earlier}, so it can never be reached (IST0131)`, 'remove it or change its conditions');
        }
        seenMatches.set(key, `${at}.match[${j}]`);
      });
      if (!(rule.destination instanceof Destination)) {
        fail(this, `${at}.destination`, rule.destination, 'must be a Destination', 'e.g. Destination.version("v2")');
      }
      this.checkVersions(`${at}.destination`, rule.destination, versions);
      if (rule.timeout !== undefined) this.checkDuration(`${at}.timeout`, rule.timeout);
      if (rule.retries !== undefined) this.checkRetries(`${at}.retries`, rule.retries);
      this.warnRetryBudget(`${at}`, rule.retries ?? props.retries, rule.timeout ?? props.timeout);
      return compactRule({
        name: rule.name,
        matches,
        destinations: rule.destination._toIntent(),
        timeout: rule.timeout,
        retries: rule.retries?._toIntent(),
      });
    });
    this.warnRetryBudget('props.defaultDestination', props.retries, props.timeout);
    intents.push({ matches: [], destinations: props.defaultDestination._toIntent() });

    this.service.traffic._setRules(this, intents);
    if (props.timeout !== undefined || props.retries !== undefined) {
      this.service.traffic._setDefaults(this, {
        ...(props.timeout !== undefined ? { timeout: props.timeout } : {}),
        ...(props.retries !== undefined ? { retries: props.retries._toIntent() } : {}),
      });
    }
  }

  /** The host's VirtualService (shared by everything that routes the host), as an escape hatch. */
  public get virtualService(): ApiObject {
    return this.service.traffic.virtualService!;
  }

  private toMatch(at: string, m: RouteMatch): HttpMatchIntent {
    if (!m || typeof m !== 'object') fail(this, at, m, 'a match block must be an object');
    const headers = m.headers ?? [];
    const names = new Set<string>();
    headers.forEach((h, k) => {
      if (!(h instanceof HeaderMatch)) fail(this, `${at}.headers[${k}]`, h, 'must be a HeaderMatch', "e.g. HeaderMatch.exact('x-canary', 'true')");
      const lower = h.name.toLowerCase();
      if (names.has(lower)) fail(this, `${at}.headers[${k}]`, h.name, 'a match block may hold one condition per header name (header names are case-insensitive)');
      names.add(lower);
    });
    for (const p of ['uri', 'method'] as const) {
      if (m[p] !== undefined && !(m[p] instanceof StringMatch)) fail(this, `${at}.${p}`, m[p], 'must be a StringMatch', "e.g. StringMatch.prefix('/api')");
    }
    if (headers.length === 0 && !m.uri && !m.method) {
      fail(this, at, m, 'an empty match block matches every request, so every later rule and the default would be unreachable (IST0130)',
        'add a condition, or put the catch-all into defaultDestination');
    }
    return {
      headers: headers.map((h) => h._toIntent()),
      ...(m.uri ? { uri: m.uri._toIntent() } : {}),
      ...(m.method ? { method: m.method._toIntent() } : {}),
    };
  }

  private checkDuration(property: string, d: Duration): void {
    const bad = checkIstioDuration(d);
    if (bad) fail(this, property, d, bad);
  }

  private checkRetries(property: string, r: RetryPolicy): void {
    if (!(r instanceof RetryPolicy)) fail(this, property, r, 'must be a RetryPolicy', 'e.g. RetryPolicy.of({ attempts: 3 })');
  }

  private checkVersions(property: string, d: Destination, versions: string[]): void {
    for (const v of d.versions) {
      if (!versions.includes(v)) {
        fail(this, property, v, `version "${v}" is not a version of ${this.service.name} (it runs ${versions.join(', ')})`,
          'route only to versions the TracedService deploys, or add the version to it');
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

/** A canonical key of a match block, equal for blocks with the same conditions. */
function canonical(m: HttpMatchIntent): string {
  const headers = [...m.headers].map((h) => [h.name.toLowerCase(), h.match.kind, h.match.value]).sort();
  return JSON.stringify({ headers, uri: m.uri ?? null, method: m.method ?? null });
}

function compactRule(r: HttpRuleIntent): HttpRuleIntent {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as HttpRuleIntent;
}
