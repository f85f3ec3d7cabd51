import { Duration, Testing } from 'cdk8s';
import {
  CanaryRoute,
  CanaryRouteProps,
  Destination,
  HeaderMatch,
  RetryOn,
  RetryPolicy,
  StringMatch,
  TracedService,
} from '../src';
import { collectFindings } from '../src/warnings';
import { meshChart, one, service, synth } from './helpers';

/** GIVEN order-service running v1 and v2. */
function orderHost() {
  const { chart, ns } = meshChart();
  const order = service(chart, ns, 'order-service', { versions: [{ name: 'v1' }, { name: 'v2' }] });
  return { chart, ns, order };
}

function route(props: Partial<CanaryRouteProps> = {}, g = orderHost()) {
  const r = new CanaryRoute(g.chart, 'OrderRoute', { service: g.order, defaultDestination: Destination.version('v1'), ...props });
  return { ...g, route: r };
}

const CANARY = { headers: [HeaderMatch.exact('x-canary', 'true')] };
const EVEN = { headers: [HeaderMatch.regex('x-user-id', '^[0-9]*[02468]$')] };

function vs(chart: any) {
  return one(synth(chart), 'VirtualService', 'order-service').spec;
}

describe('CanaryRoute: rendering', () => {
  test('rules keep their order, the default comes last, and subsets come from the versions', () => {
    // GIVEN / WHEN
    const { chart } = route({
      rules: [
        { name: 'canary', match: [CANARY], destination: Destination.version('v2') },
        { name: 'ab', match: [EVEN], destination: Destination.version('v2') },
      ],
      defaultDestination: Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]),
    });
    // THEN
    const spec = vs(chart);
    expect(spec.hosts).toEqual(['order-service']);
    expect(spec.http.map((r: any) => r.name)).toEqual(['canary', 'ab', undefined]);
    expect(spec.http[0].match).toEqual([{ headers: { 'x-canary': { exact: 'true' } } }]);
    expect(spec.http[1].match).toEqual([{ headers: { 'x-user-id': { regex: '^[0-9]*[02468]$' } } }]);
    expect(spec.http[0].route).toEqual([{ destination: { host: 'order-service', subset: 'v2' }, weight: 100 }]);
    expect(spec.http[2].match).toBeUndefined();
    expect(spec.http[2].route).toEqual([
      { destination: { host: 'order-service', subset: 'v1' }, weight: 90 },
      { destination: { host: 'order-service', subset: 'v2' }, weight: 10 },
    ]);
    const dr = one(synth(chart), 'DestinationRule', 'order-service').spec;
    expect(dr).toEqual({
      host: 'order-service',
      subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
    });
  });

  test('URI and method matches: exact, prefix and regex; blocks are ORed', () => {
    const { chart } = route({
      rules: [{
        match: [
          { uri: StringMatch.prefix('/api/v2'), method: StringMatch.exact('POST') },
          { uri: StringMatch.exact('/beta') },
          { uri: StringMatch.regex('^/v[0-9]+/.*'), method: StringMatch.regex('GET|HEAD'), headers: [HeaderMatch.prefix('x-tenant', 'beta-')] },
        ],
        destination: Destination.version('v2'),
      }],
    });
    expect(vs(chart).http[0].match).toEqual([
      { uri: { prefix: '/api/v2' }, method: { exact: 'POST' } },
      { uri: { exact: '/beta' } },
      { uri: { regex: '^/v[0-9]+/.*' }, method: { regex: 'GET|HEAD' }, headers: { 'x-tenant': { prefix: 'beta-' } } },
    ]);
  });

  test('route-wide timeout and retries apply to every rule without its own; a rule may override them', () => {
    const { chart } = route({
      timeout: Duration.seconds(10),
      retries: RetryPolicy.of({ attempts: 3, perTryTimeout: Duration.seconds(3), retryOn: [RetryOn.FIVE_XX, RetryOn.RESET] }),
      rules: [
        { match: [CANARY], destination: Destination.version('v2'), timeout: Duration.millis(1500), retries: RetryPolicy.none() },
        { match: [EVEN], destination: Destination.version('v2') },
      ],
    });
    const http = vs(chart).http;
    expect(http[0].timeout).toBe('1500ms');
    expect(http[0].retries).toEqual({ attempts: 0 });
    for (const r of [http[1], http[2]]) {
      expect(r.timeout).toBe('10s');
      expect(r.retries).toEqual({ attempts: 3, perTryTimeout: '3s', retryOn: '5xx,reset' });
    }
  });

  test('without timeout and retries none are rendered (Istio defaults apply)', () => {
    const { chart } = route();
    expect(vs(chart).http).toEqual([{ route: [{ destination: { host: 'order-service', subset: 'v1' }, weight: 100 }] }]);
  });

  test('Destination.service(): whole host, no subset, no weight, and no DestinationRule needed', () => {
    const { chart } = route({ defaultDestination: Destination.service(), timeout: Duration.seconds(5) });
    const objects = synth(chart);
    expect(one(objects, 'VirtualService', 'order-service').spec.http).toEqual([{ route: [{ destination: { host: 'order-service' } }], timeout: '5s' }]);
    expect(objects.filter((o) => o.kind === 'DestinationRule')).toEqual([]);
  });

  test('retryOn tokens render comma-joined without spaces, in order, with numeric statuses', () => {
    const { chart } = route({
      retries: RetryPolicy.of({ attempts: 1, retryOn: [...RetryOn.parse('gateway-error,connect-failure'), RetryOn.statusCode(503), RetryOn.of('unavailable')] }),
    });
    expect(vs(chart).http[0].retries).toEqual({ attempts: 1, retryOn: 'gateway-error,connect-failure,503,unavailable' });
  });

  test('every named retryOn token is accepted', () => {
    const all = ['5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
      'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure', 'cancelled',
      'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];
    expect(RetryPolicy.of({ attempts: 1, retryOn: all.map((t) => RetryOn.of(t)) }).retryOn).toEqual(all);
    expect(RetryOn.FIVE_XX.token).toBe('5xx');
  });
});

describe('CanaryRoute: bad input fails with path and property', () => {
  test('a split must sum to 100', () => {
    expect(() => Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 9 }])).toThrow(/Destination.split.*shares.*must sum to 100, they sum to 99/);
    expect(() => Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 11 }])).toThrow(/sum to 101/);
    expect(Destination.split([{ version: 'v1', percent: 100 }, { version: 'v2', percent: 0 }]).versions).toEqual(['v1', 'v2']);
  });

  test('percents are integers in 0..100: negative and over 100 fail', () => {
    expect(() => Destination.split([{ version: 'v1', percent: 110 }, { version: 'v2', percent: -10 }])).toThrow(/shares\[0\].percent: 110 is invalid/);
    expect(() => Destination.split([{ version: 'v1', percent: 101 }])).toThrow(/integer in 0..100/);
    expect(() => Destination.split([{ version: 'v1', percent: 100 }, { version: 'v2', percent: -1 }])).toThrow(/shares\[1\].percent: -1 is invalid.*negative/);
    expect(() => Destination.split([{ version: 'v1', percent: 50.5 }, { version: 'v2', percent: 49.5 }])).toThrow(/integer/);
    expect(() => Destination.split([])).toThrow(/at least one version/);
    expect(() => Destination.split([{ version: 'v1', percent: 50 }, { version: 'v1', percent: 50 }])).toThrow(/once in a split/);
  });

  test('an unknown version fails at construction, naming the rule', () => {
    expect(() => route({ rules: [{ match: [CANARY], destination: Destination.version('v3') }] }))
      .toThrow(/\[test\/OrderRoute\] props.rules\[0\].destination: "v3" is invalid: version "v3" is not a version of order-service \(it runs v1, v2\)/);
    expect(() => route({ defaultDestination: Destination.split([{ version: 'v1', percent: 50 }, { version: 'v9', percent: 50 }]) }))
      .toThrow(/props.defaultDestination: "v9"/);
  });

  test('regex: empty, lookahead, backreference and over 1024 characters fail; 1024 passes', () => {
    expect(() => HeaderMatch.regex('x-user-id', '')).toThrow(/HeaderMatch.regex\] pattern: "" is invalid: a regex match needs a non-empty pattern/);
    expect(() => HeaderMatch.regex('x-user-id', '^(?=1)[0-9]+$')).toThrow(/does not compile as RE2/);
    expect(() => StringMatch.regex('^(a)\\1$')).toThrow(/StringMatch.regex.*does not compile as RE2/);
    expect(() => StringMatch.regex('(?<!x)y')).toThrow(/RE2/);
    expect(StringMatch.regex('a'.repeat(1024)).value).toHaveLength(1024);
    expect(() => StringMatch.regex('a'.repeat(1025))).toThrow(/at most 1024 characters/);
  });

  test('empty exact and prefix values fail', () => {
    expect(() => StringMatch.prefix('')).toThrow(/StringMatch.prefix\] value: "" is invalid: a prefix match .*rejected by Istio/);
    expect(() => StringMatch.exact('')).toThrow(/non-empty/);
    expect(() => HeaderMatch.exact('x-canary', '')).toThrow(/non-empty/);
    expect(() => HeaderMatch.prefix('x-canary', '')).toThrow(/non-empty/);
  });

  test('header names must be RFC 7230 tokens', () => {
    for (const bad of ['x canary', 'x:canary', '', 'x-canary ', 'ü']) {
      expect(() => HeaderMatch.exact(bad, 'true')).toThrow(/HeaderMatch.exact\] name: .* is invalid: a header name must be an RFC 7230 token/);
    }
    expect(HeaderMatch.exact("x-a!#$%&'*+.^_`|~9", 'v').name).toBe("x-a!#$%&'*+.^_`|~9");
    for (const ignored of ['uri', 'method', 'Scheme', 'authority']) {
      expect(() => HeaderMatch.exact(ignored, 'GET')).toThrow(/Istio ignores the header keys uri, scheme, method, authority.*Hint: use the uri or method field/);
    }
  });

  test('retryOn: unknown tokens and tokens padded with spaces fail', () => {
    expect(() => RetryOn.of('5xx ')).toThrow(/RetryOn.of\] token: "5xx " is invalid: .*no spaces/);
    expect(() => RetryOn.of(' reset')).toThrow(/no spaces/);
    expect(() => RetryOn.parse('5xx, reset')).toThrow(/" reset" is invalid/);
    expect(() => RetryOn.of('5XX')).toThrow(/unknown retryOn token/);
    expect(() => RetryOn.of('timeout')).toThrow(/unknown retryOn token/);
    expect(() => RetryOn.of('')).toThrow(/non-empty/);
    expect(() => RetryOn.statusCode(599)).toThrow(/known HTTP status/);
    expect(() => RetryOn.of('999')).toThrow(/known HTTP status/);
    expect(RetryOn.of('100').token).toBe('100');
    expect(RetryOn.of('511').token).toBe('511');
    expect(() => RetryPolicy.of({ attempts: 1, retryOn: [RetryOn.RESET, RetryOn.RESET] })).toThrow(/retryOn\[1\].*unique/);
  });

  test('durations: at least 1ms with millisecond precision', () => {
    expect(() => route({ timeout: Duration.millis(0) })).toThrow(/\[test\/OrderRoute\] props.timeout: .* is invalid: a duration must be at least 1ms/);
    expect(() => route({ timeout: Duration.millis(0.5) })).toThrow(/at least 1ms/);
    expect(() => route({ timeout: Duration.millis(1.5) })).toThrow(/millisecond precision/);
    expect(vs(route({ timeout: Duration.millis(1) }).chart).http[0].timeout).toBe('1ms');
    expect(() => route({ rules: [{ match: [CANARY], destination: Destination.version('v2'), timeout: Duration.millis(0) }] }))
      .toThrow(/props.rules\[0\].timeout/);
    expect(() => RetryPolicy.of({ attempts: 1, perTryTimeout: Duration.millis(0.9) })).toThrow(/RetryPolicy.of\] perTryTimeout.*at least 1ms/);
    expect(RetryPolicy.of({ attempts: 1, perTryTimeout: Duration.millis(1) }).perTryTimeout?.toMilliseconds()).toBe(1);
  });

  test('attempts: 0 with perTryTimeout or retryOn fails; range 0..2147483647', () => {
    expect(() => RetryPolicy.of({ attempts: 0, perTryTimeout: Duration.seconds(1) })).toThrow(/attempts: 0 is invalid: with attempts 0 .*neither perTryTimeout nor retryOn/);
    expect(() => RetryPolicy.of({ attempts: 0, retryOn: [RetryOn.FIVE_XX] })).toThrow(/neither perTryTimeout nor retryOn/);
    expect(RetryPolicy.of({ attempts: 0 }).attempts).toBe(0);
    expect(RetryPolicy.of({ attempts: 2147483647 }).attempts).toBe(2147483647);
    expect(() => RetryPolicy.of({ attempts: -1 })).toThrow(/attempts: -1 is invalid/);
    expect(() => RetryPolicy.of({ attempts: 2147483648 })).toThrow(/integer in 0..2147483647/);
    expect(() => RetryPolicy.of({ attempts: 1.5 })).toThrow(/integer/);
  });

  test('a rule without match, or with an empty match block, makes later rules unreachable', () => {
    expect(() => route({ rules: [{ match: [], destination: Destination.version('v2') }] }))
      .toThrow(/\[test\/OrderRoute\] props.rules\[0\].match: \[\] is invalid: .*unreachable \(IST0130\). Hint: put the catch-all into defaultDestination/);
    expect(() => route({ rules: [{ match: [{}], destination: Destination.version('v2') }] })).toThrow(/props.rules\[0\].match\[0\].*empty match block/);
    expect(() => route({ rules: [{ match: [{ headers: [] }], destination: Destination.version('v2') }] })).toThrow(/empty match block/);
  });

  test('a duplicate match is unreachable: across rules, within a rule, and in any header order', () => {
    expect(() => route({ rules: [
      { match: [CANARY], destination: Destination.version('v2') },
      { match: [EVEN, { headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v1') },
    ] })).toThrow(/props.rules\[1\].match\[1\].*duplicates props.rules\[0\].match\[0\].*IST0131/);
    expect(() => route({ rules: [{ match: [CANARY, CANARY], destination: Destination.version('v2') }] })).toThrow(/rules\[0\].match\[1\].*duplicates/);
    const a = HeaderMatch.exact('a', '1');
    const b = HeaderMatch.exact('b', '2');
    expect(() => route({ rules: [
      { match: [{ headers: [a, b] }], destination: Destination.version('v2') },
      { match: [{ headers: [b, a] }], destination: Destination.version('v1') },
    ] })).toThrow(/duplicates/);
    // Same header, different match kind: not a duplicate.
    expect(() => route({ rules: [
      { match: [{ headers: [HeaderMatch.exact('x-canary', 'true')] }], destination: Destination.version('v2') },
      { match: [{ headers: [HeaderMatch.prefix('x-canary', 'true')] }], destination: Destination.version('v2') },
    ] })).not.toThrow();
  });

  test('one condition per header name in a block (names are case-insensitive)', () => {
    expect(() => route({ rules: [{ match: [{ headers: [HeaderMatch.exact('x-a', '1'), HeaderMatch.exact('X-A', '2')] }], destination: Destination.version('v2') }] }))
      .toThrow(/match\[0\].headers\[1\]: "X-A" is invalid: a match block may hold one condition per header name/);
  });

  test('a host has one route', () => {
    const g = orderHost();
    new CanaryRoute(g.chart, 'First', { service: g.order, defaultDestination: Destination.version('v1') });
    expect(() => new CanaryRoute(g.chart, 'Second', { service: g.order, defaultDestination: Destination.version('v2') }))
      .toThrow(/\[test\/Second\] service: "order-service" is invalid: host "order-service" is already routed by test\/First/);
  });

  test('rule names must be unique and non-empty; the service must be a service of the mesh', () => {
    expect(() => route({ rules: [
      { name: 'x', match: [CANARY], destination: Destination.version('v2') },
      { name: 'x', match: [EVEN], destination: Destination.version('v2') },
    ] })).toThrow(/props.rules\[1\].name: "x" is invalid: rule names must be unique/);
    expect(() => route({ rules: [{ name: '', match: [CANARY], destination: Destination.version('v2') }] })).toThrow(/non-empty/);
    const chart = Testing.chart();
    expect(() => new CanaryRoute(chart, 'R', { service: {} as TracedService, defaultDestination: Destination.service() })).toThrow(/props.service.*must be a service of the mesh/);
  });
});

describe('CanaryRoute: retry budget warning', () => {
  const warnings = (chart: any) => collectFindings(chart).filter((f) => f.code === 'CI2001');

  test('perTryTimeout × attempts over the rule timeout warns once per rule (not an error)', () => {
    const { chart } = route({
      timeout: Duration.seconds(10),
      retries: RetryPolicy.of({ attempts: 3, perTryTimeout: Duration.seconds(4) }),
      rules: [{ match: [CANARY], destination: Destination.version('v2') }],
    });
    const w = warnings(chart);
    expect(w.map((f) => f.path)).toEqual(['test/OrderRoute', 'test/OrderRoute']);
    expect(w[0]).toMatchObject({ level: 'warning', message: expect.stringMatching(/props.rules\[0\]: perTryTimeout 4s × 3 attempts = 12s exceeds the timeout 10s/) });
    expect(w[1].message).toMatch(/props.defaultDestination/);
    expect(() => synth(chart)).not.toThrow();
  });

  test('exactly at the timeout, or under it, does not warn; a rule override is used', () => {
    const { chart } = route({
      timeout: Duration.seconds(9),
      retries: RetryPolicy.of({ attempts: 3, perTryTimeout: Duration.seconds(3) }),
      rules: [{ match: [CANARY], destination: Destination.version('v2'), timeout: Duration.seconds(5), retries: RetryPolicy.of({ attempts: 2, perTryTimeout: Duration.seconds(2) }) }],
    });
    expect(warnings(chart)).toEqual([]);
  });

  test('a rule timeout override below the route-wide retries warns for that rule only', () => {
    const { chart } = route({
      timeout: Duration.seconds(10),
      retries: RetryPolicy.of({ attempts: 3, perTryTimeout: Duration.seconds(3) }),
      rules: [{ match: [CANARY], destination: Destination.version('v2'), timeout: Duration.millis(8999) }],
    });
    expect(warnings(chart).map((f) => f.message)).toEqual([expect.stringMatching(/^props.rules\[0\]: .*= 9s exceeds the timeout 8999ms/)]);
  });
});
