/**
 * Factories (construct time) and validators (over manifests) state each Istio rule once, in
 * src/rules/. These tests feed both the same inputs and assert the verdicts agree. Where a factory
 * is deliberately stricter (an API choice, e.g. principals only from identities), the extra rule is
 * named and the agreement is: factory rejects ⇔ validator rejects ∨ the named extra rule applies.
 *
 * Istio's code decides (1.30.3): pkg/config/security/security.go (paths, when keys, IPs, ports),
 * pkg/config/validation/validation.go (retryOn, headers, durations, subsets),
 * pkg/config/validation/agent/validation.go (hosts), agent/extensionprovider.go (providers).
 */
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CanaryAnalysis, Condition, ConnectionPool, EgressHost, ExtensionProvider, HeaderMatch, OutlierDetection, PathMatch, RetryOn, RetryPolicy, StringMatch,
} from '../../src';
import { renderDuration, renderFlaggerDuration } from '../../src/rules/duration';
import { validateManifests } from '../../src/validation';

const SEED = 20260823;
const RUNS = 300;

/** Error codes the validation layer reports for one manifest (analyzers off: per-object rules only). */
function errorCodes(manifest: any): string[] {
  return validateManifests([{ manifest }], { checks: { analyzers: false } }).filter((f) => f.level === 'error').map((f) => f.code);
}

function accepts(make: () => unknown): boolean {
  try {
    make();
    return true;
  } catch {
    return false;
  }
}

const vs = (http: any) => ({
  apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r', namespace: 'shop' },
  spec: { hosts: ['cart'], http: [{ route: [{ destination: { host: 'cart' } }], ...http }] },
});
const ap = (rule: any) => ({
  apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'shop' },
  spec: { selector: { matchLabels: { app: 'cart' } }, action: 'ALLOW', rules: [rule] },
});
const dr = (trafficPolicy: any) => ({
  apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'd', namespace: 'shop' },
  spec: { host: 'cart', trafficPolicy },
});

describe('path templates (CheckValidPathTemplate, security.go)', () => {
  const validatorAccepts = (p: string) => !errorCodes(ap({ to: [{ operation: { paths: [p] } }] })).includes('CI2409');
  // The factory's own rules: a template starts with '/' and has an operator (else PathMatch.exact).
  const inTemplateDomain = (p: string) => p.startsWith('/') && (p.includes('{*}') || p.includes('{**}'));

  test.each([
    ['/a/{**}/b', true], // literal segments may follow {**}: the disagreement issue 15 names, decided by Istio's code
    ['/a/{**}/{*}', false],
    ['/a/{**}/{**}', false],
    ['/{*}', true],
    ['/{**}', true],
    ['/a/{*}/', true],
    ['/a/x{*}', false],
    ['/a//{*}', false],
    ['/a/%/{*}', true], // a bare % is an RFC 3986 pchar for Istio's validLiteral
    ['/a/*/{*}', false],
    ['/a/b c/{*}', false],
    ['/api/{*}/items/{**}', true],
  ])('%p: factory and validator both say %p', (p, expected) => {
    expect(accepts(() => PathMatch.template(p))).toBe(expected);
    expect(validatorAccepts(p)).toBe(expected);
  });

  test('generated templates: same verdict', () => {
    const seg = fc.constantFrom('{*}', '{**}', 'a', 'B9', '', '%', 'x{*}', '*', '{', 'a.b', 'a b', '~', '{id}');
    fc.assert(fc.property(fc.array(seg, { minLength: 1, maxLength: 5 }), (segs) => {
      const p = `/${segs.join('/')}`;
      fc.pre(inTemplateDomain(p));
      expect(accepts(() => PathMatch.template(p))).toBe(validatorAccepts(p));
    }), { seed: SEED, numRuns: RUNS });
  });
});

describe('durations (agent.ValidateDuration)', () => {
  const validatorAccepts = (d: string) => !errorCodes(vs({ timeout: d })).some((c) => c === 'CI2113' || c === 'CI1101' || c === 'CI1001');

  test.each([0, 0.5, 0.999, 1, 1.5, 999, 1000, 1000.5, 60000, 86400000])('Duration.millis(%p): same verdict', (ms) => {
    const d = Duration.millis(ms);
    expect(accepts(() => RetryPolicy.of({ attempts: 1, perTryTimeout: d }))).toBe(validatorAccepts(renderDuration(d)));
  });

  test('generated durations: same verdict', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom(1, 10, 1000), (n, div) => {
      const d = Duration.millis(n / div);
      expect(accepts(() => ConnectionPool.of({ tcp: { connectTimeout: d } }))).toBe(!errorCodes(dr({ connectionPool: { tcp: { connectTimeout: renderDuration(d) } } })).some((c) => c === 'CI2206' || c === 'CI1101'));
    }), { seed: SEED, numRuns: RUNS });
  });
});

describe("Flagger durations (the CRD's ^[0-9]+(m|s) pattern)", () => {
  const canary = (interval: string) => ({
    apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'c', namespace: 'shop' },
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cart' }, service: { port: 8080 }, analysis: { interval, threshold: 5, maxWeight: 50, stepWeight: 10 } },
  });
  // The factory's extra rule: at least 1s (a 0s interval never runs).
  test.each([0, 0.5, 1, 1.5, 30, 60, 90, 3600])('Duration.seconds(%p)', (sec) => {
    const d = Duration.seconds(sec);
    const validator = !errorCodes(canary(renderFlaggerDuration(d))).length;
    const extra = sec < 1;
    expect(accepts(() => CanaryAnalysis.weighted({ interval: d, stepWeight: 10, maxWeight: 50 }))).toBe(validator && !extra);
  });
});

describe('retryOn and HTTP status codes (validateHTTPRetry)', () => {
  const validatorAccepts = (list: string) => !errorCodes(vs({ retries: { attempts: 2, retryOn: list } })).includes('CI2118');

  test.each([
    '5xx', '5xx,reset', 'gateway-error,503', '599', '5xx, reset', 'server-error', 'cancelled,deadline-exceeded,internal,resource-exhausted,unavailable',
    '503,+504', '418', '425', '509', '0', ' 5xx', '5xx,,reset', 'retriable-4xx,retriable-status-codes,retriable-headers,envoy-ratelimited,http3-post-connect-failure',
  ])('%p: same verdict', (list) => {
    expect(accepts(() => RetryPolicy.of({ attempts: 2, retryOn: RetryOn.parse(list) }))).toBe(validatorAccepts(list));
  });

  test('an empty retryOn is "not set" for Istio; RetryOn.parse has nothing to parse and refuses it', () => {
    expect(validatorAccepts('')).toBe(true);
    expect(accepts(() => RetryOn.parse(''))).toBe(false);
  });

  test('every status code 0..1000: RetryOn.statusCode and the validator agree', () => {
    for (let n = 0; n <= 1000; n++) {
      expect(accepts(() => RetryOn.statusCode(n))).toBe(validatorAccepts(String(n)));
    }
  });
});

describe('header match names (ValidateHTTPHeaderNameOrJwtClaimRoute)', () => {
  const validatorAccepts = (name: string) => !errorCodes({ ...vs({}), spec: { hosts: ['cart'], gateways: ['shop/gw'], http: [{ match: [{ headers: { [name]: { exact: 'v' } } }], route: [{ destination: { host: 'cart' } }] }] } }).includes('CI2112');
  // The factory's extra rule: uri, scheme, method and authority are ignored by Istio inside headers.
  const extra = (name: string) => ['uri', 'scheme', 'method', 'authority'].includes(name.toLowerCase());

  test('generated names: same verdict', () => {
    const ch = fc.constantFrom('a', 'Z', '0', '-', '_', '.', '!', ' ', ':', '@', '[', ']', '(', 'ü', '/');
    fc.assert(fc.property(fc.array(ch, { minLength: 0, maxLength: 8 }).map((a) => a.join('')), (name) => {
      expect(accepts(() => HeaderMatch.exact(name, 'v'))).toBe(validatorAccepts(name) && !extra(name));
    }), { seed: SEED, numRuns: RUNS });
  });

  test.each([':authority', '@request.auth.claims.group', '@request.auth.claims[a][b]', 'x-canary', 'X-Canary', 'uri', 'x canary'])('%p', (name) => {
    expect(accepts(() => HeaderMatch.exact(name, 'v'))).toBe(validatorAccepts(name) && !extra(name));
  });
});

describe('regexes (validateStringMatch, RE2)', () => {
  test.each(['', 'a', '^/v[12]/.*', '(?=a)b', '(a)\\1', '(?<!x)y', '[', 'a'.repeat(1024), 'a'.repeat(1025), '\\pL', '(?i)abc'])('%p: same verdict', (re) => {
    const validator = !errorCodes(vs({ match: [{ uri: { regex: re } }] })).includes('CI2111');
    expect(accepts(() => StringMatch.regex(re))).toBe(validator);
  });
});

describe('authorization `when` keys and values (ValidateAttribute)', () => {
  const validatorAccepts = (key: string, values: string[] = ['x']) => {
    const codes = errorCodes(ap({ when: [{ key, values }] }));
    return !codes.some((c) => c === 'CI2411' || c === 'CI2413' || c === 'CI2407');
  };
  // The factory's own rules: principals come from identities; header names are RFC 7230 tokens;
  // claim names have no brackets.
  const extra = (key: string) => key === 'source.principal'
    || (/^request\.headers\[/.test(key) && !/^request\.headers\[[!#$%&'*+\-.^_`|~0-9A-Za-z]+\]$/.test(key))
    || (key.startsWith('request.auth.claims') && !/^request\.auth\.claims(\[[^\][]+\])+$/.test(key));

  test.each([
    'source.ip', 'remote.ip', 'source.namespace', 'source.principal', 'source.serviceAccount', 'source.trustDomain', 'request.auth.principal',
    'request.auth.audiences', 'request.auth.presenter', 'destination.ip', 'destination.port', 'connection.sni', 'request.headers[x-user]',
    'request.headers[x user]', 'request.headers', 'request.headers[]', 'request.auth.claims[groups]', 'request.auth.claims[a][b]',
    'request.auth.claims[a[b]', 'experimental.envoy.filters.network.mysql_proxy[db.table]', 'destination.name', 'destination.namespace',
    'destination.labels[app]', 'request.method', 'source.ip[x]', '',
  ])('key %p: same verdict', (key) => {
    const values = key === 'destination.port' ? ['8080'] : key.endsWith('.ip') ? ['10.0.0.1'] : ['x'];
    expect(accepts(() => Condition.key(key).values(...values))).toBe(validatorAccepts(key, values) && !extra(key));
  });

  test.each(['10.0.0.1', '10.0.0.0/8', '10.0.0.1/32', '2001:db8::/32', '::1', '10.0.0.256', '10.0.0.0/33', '010.0.0.1', 'example.com', '10.0.0.0/08', 'fe80::1%eth0', ''])(
    'source.ip value %p: same verdict', (ip) => {
      expect(accepts(() => Condition.sourceIp().values(ip))).toBe(validatorAccepts('source.ip', [ip]));
    });

  test.each(['0', '1', '8080', '65535', '65536', '*', '80-90', '+80', ''])('destination.port value %p: same verdict', (port) => {
    expect(accepts(() => Condition.key('destination.port').values(port))).toBe(validatorAccepts('destination.port', [port]));
  });
});

describe('mesh-config extension providers (validateExtensionProviderService)', () => {
  const validatorAccepts = (service: string) => !errorCodes({
    apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', metadata: { name: 'cp', namespace: 'istio-system' },
    spec: { meshConfig: { extensionProviders: [{ name: 'otel', opentelemetry: { service, port: 4317 } }] } },
  }).includes('CI2602');

  test.each([
    'otel-collector.observability.svc.cluster.local', 'observability/otel-collector.observability.svc.cluster.local', 'observability/otel-collector',
    'otel-collector', 'Otel-Collector.observability.svc.cluster.local', '10.0.0.1', 'observability/', '/otel.observability', 'otel collector.observability',
    'http://otel.observability', 'otel.observability:4317', 'otel.123', '*/otel.observability.svc.cluster.local',
  ])('%p: same verdict', (service) => {
    expect(accepts(() => ExtensionProvider.openTelemetry({ name: 'otel', service }))).toBe(validatorAccepts(service));
  });
});

describe('Sidecar egress hosts (ValidateNamespaceSlashWildcardHostname)', () => {
  const validatorAccepts = (ns: string, host: string) => !errorCodes({
    apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 's', namespace: 'shop' },
    spec: { egress: [{ hosts: [`${ns}/${host}`] }] },
  }).includes('CI2704');
  // The factory's own rules: the namespace is a namespace name or `*`; `*/*` would undo the scoping.
  const extra = (ns: string, host: string) => (ns !== '*' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) || (ns === '*' && host === '*');

  test.each([
    ['prod', 'x.prod.svc.cluster.local'], ['*', 'api.stripe.com'], ['ext', '*.example.com'], ['shared', '*'], ['*', '*'], ['Prod', 'x.prod.svc.cluster.local'],
    ['prod', 'bad_host'], ['prod', 'a.*.com'], ['prod', 'short'], ['.', 'x.svc.cluster.local'], ['~', 'x.y.z'], ['prod', '*x.example.com'], ['prod', 'x.123'],
  ])('%p/%p: same verdict', (ns, host) => {
    expect(accepts(() => EgressHost.of(ns, host))).toBe(validatorAccepts(ns, host) && !extra(ns, host));
  });
});

describe('connection-pool counters and outlier percents (validateConnectionPool, ValidatePercent, int32/uint32 schema formats)', () => {
  test.each([-1, 0, 1, 2147483647, 2147483648, 1.5])('tcp.maxConnections %p: same verdict', (n) => {
    expect(accepts(() => ConnectionPool.of({ tcp: { maxConnections: n } }))).toBe(errorCodes(dr({ connectionPool: { tcp: { maxConnections: n } } })).length === 0);
  });
  test.each([-1, 0, 100, 101])('maxEjectionPercent %p: same verdict', (n) => {
    expect(accepts(() => OutlierDetection.of({ maxEjectionPercent: n }))).toBe(errorCodes(dr({ outlierDetection: { maxEjectionPercent: n } })).length === 0);
  });
  test.each([-1, 0, 4294967295, 4294967296])('consecutive5xxErrors %p: same verdict', (n) => {
    expect(accepts(() => OutlierDetection.of({ consecutive5xxErrors: n }))).toBe(errorCodes(dr({ outlierDetection: { consecutive5xxErrors: n } })).length === 0);
  });
});

describe('object names (Kubernetes: a Service name is a DNS-1035 label, metadata.name a DNS-1123 subdomain)', () => {
  const { meshChart, service } = require('../helpers');
  const validatorAccepts = (name: string) => !errorCodes({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'production' }, spec: { ports: [{ port: 80 }] } }).includes('CI1003');

  test.each(['order-service', '1order', 'Order', 'order_service', 'a', 'a'.repeat(63), 'a'.repeat(64), 'order-', '-order', 'o1'])('TracedService name %p: same verdict as the Service name check', (name) => {
    const { chart, ns } = meshChart();
    expect(accepts(() => service(chart, ns, 'Svc', { name }))).toBe(validatorAccepts(name));
  });
});

describe('quantities (resource.ParseQuantity, ValidateResourceRequirements)', () => {
  const { meshChart, service } = require('../helpers');
  const validatorAccepts = (memoryRequest: string, memoryLimit = '64Gi') => !errorCodes({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'a', image: 'a:1', resources: { requests: { memory: memoryRequest }, limits: { memory: memoryLimit } } }] } } },
  }).some((c) => c === 'CI1203' || c === 'CI1201');

  test.each(['128Mi', '0.5', '.5', '1e3', '1E3', '100m', '1.5Ki', '5n', '2u', '+1', '-1', '1d', '100c', '1Y', '128MB', '1 Mi', '', '1e', '0', '1.', 'Mi'])('memory request %p: same verdict', (q) => {
    const { chart, ns } = meshChart();
    expect(accepts(() => service(chart, ns, 'Svc', { name: 'svc', resources: { memoryRequest: q, memoryLimit: '64Gi' } }))).toBe(validatorAccepts(q));
  });

  test.each([['1Gi', '512Mi'], ['512Mi', '1Gi'], ['1Gi', '1024Mi'], ['1G', '1Gi']])('request %p with limit %p: same verdict', (req, lim) => {
    const { chart, ns } = meshChart();
    expect(accepts(() => service(chart, ns, 'Svc', { name: 'svc', resources: { memoryRequest: req, memoryLimit: lim } }))).toBe(validatorAccepts(req, lim));
  });
});

describe('mesh config is read where istiod reads it (ConfigMap istio / istio-<rev>, IstioOperator meshConfig)', () => {
  const { meshConfigProviderNames } = require('../../src');
  const telemetry = { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'mesh-default', namespace: 'istio-system' }, spec: { tracing: [{ providers: [{ name: 'otel' }] }] } };
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'istio-system' }, data: { mesh: 'extensionProviders:\n- name: otel\n  opentelemetry:\n    service: otel.observability.svc.cluster.local\n    port: 4317\n' } });
  const ns = (rev?: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production', labels: rev ? { 'istio.io/rev': rev } : { 'istio-injection': 'enabled' } } });
  /** Whether lint's CI3004 (Telemetry provider not declared) fires for the set. */
  const lintMissesProvider = (objects: any[]) => validateManifests(objects.map((manifest) => ({ manifest }))).some((f) => f.code === 'CI3004');

  test.each([
    ['ConfigMap istio', [cm('istio')], [], true],
    ["the article's ConfigMap istio-otel, which istiod never reads", [cm('istio-otel')], [], false],
    ['ConfigMap istio-canary with a namespace on revision canary', [cm('istio-canary'), ns('canary')], ['canary'], true],
    ['ConfigMap istio-canary when nothing uses revision canary', [cm('istio-canary'), ns()], [], false],
  ])('%s: meshConfigProviderNames and the lint agree', (_name, objects, revisions, declared) => {
    const names = meshConfigProviderNames((objects as any[]).map((manifest) => ({ manifest })), revisions);
    expect((names ?? []).includes('otel')).toBe(declared);
    // The lint reads the same places: the provider is unknown exactly when it is not declared
    // (with no mesh config at all, the lint has nothing to compare with and stays silent).
    if (names !== undefined) expect(lintMissesProvider([...(objects as any[]), telemetry])).toBe(!declared);
  });
});

describe('namespace labels (IsQualifiedName, IsValidLabelValue)', () => {
  const { Mesh, MeshNamespace } = require('../../src');
  const { Testing } = require('cdk8s');
  const validatorAccepts = (k: string, v: string) => !errorCodes({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', labels: { [k]: v } } }).includes('CI1003');
  test.each([
    ['team', 'payments'], ['example.com/team', 'a'], ['Example.com/team', 'a'], ['team', 'Payments_1.x'], ['team', '-bad'], ['bad key', 'x'],
    ['team', 'x'.repeat(63)], ['team', 'x'.repeat(64)], ['a/b/c', 'x'], ['team', ''],
  ])('label %p=%p: same verdict', (k, v) => {
    const make = () => {
      const chart = Testing.chart();
      const mesh = new Mesh(chart, 'Mesh');
      return new MeshNamespace(chart, 'Ns', { mesh, name: 'n', labels: { [k]: v } });
    };
    expect(accepts(make)).toBe(validatorAccepts(k, v));
  });
});

describe('local rate limit token buckets (Envoy: PGV gt 0 on tokens, fill interval >= 50ms in code)', () => {
  const { TokenBucket } = require('../../src');
  const { checkEnvoyPatchValue } = require('../../src/validation/envoy');
  const validatorAccepts = (maxTokens: number, tokensPerFill: number, fillInterval: string) => checkEnvoyPatchValue('HTTP_FILTER', {
    name: 'envoy.filters.http.local_ratelimit',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
      stat_prefix: 'http_local_rate_limiter',
      token_bucket: { max_tokens: maxTokens, tokens_per_fill: tokensPerFill, fill_interval: fillInterval },
    },
  }).length === 0;

  test.each([
    [100, 10, 1000], [1, 1, 50], [0, 1, 1000], [1, 0, 1000], [4294967295, 1, 1000], [4294967296, 1, 1000], [10, 10, 49], [10, 10, 60000], [-1, 1, 1000],
  ])('maxTokens %p, tokensPerFill %p, fillInterval %pms: same verdict', (maxTokens, tokensPerFill, ms) => {
    const d = Duration.millis(ms);
    expect(accepts(() => TokenBucket.of({ maxTokens, tokensPerFill, fillInterval: d }))).toBe(validatorAccepts(maxTokens, tokensPerFill, renderDuration(d)));
  });
});
