import { Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CanaryRoute,
  CircuitBreaker,
  ConnectionPool,
  CustomTag,
  Destination,
  ExtensionProvider,
  H2UpgradePolicy,
  HeaderMatch,
  HttpMethod,
  Mesh,
  MeshNamespace,
  MtlsMode,
  OutlierDetection,
  PathMatch,
  RetryOn,
  RetryPolicy,
  TracedService,
  ZeroTrustPolicy,
} from '../src';
import { validateManifests } from '../src/validation';
import { ISTIO_RESERVED_PORTS } from '../src/rules/ports';

/**
 * Issue 7, property-based: random VALID construct configurations always synthesize objects that pass
 * every check of the validation layer; random INVALID ones are always rejected, naming the property.
 */

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const versionName = fc.stringMatching(/^v[0-9]{1,2}$/);

interface ServiceConfig {
  name: string;
  versions: string[];
  port: number;
  replicas: number;
  split: number[];
  canaryHeader: string;
  canaryValue: string;
  timeoutMs: number;
  attempts: number;
  maxConnections: number;
  consecutive5xx: number;
  maxEjection: number;
}

const serviceConfig: fc.Arbitrary<ServiceConfig> = fc
  .record({
    name: label,
    versions: fc.uniqueArray(versionName, { minLength: 1, maxLength: 3 }),
    // valid application ports: Istio's proxy ports are refused (rules/ports.ts, tested in the refusal tests)
    port: fc.integer({ min: 1, max: 65535 }).filter((p) => !ISTIO_RESERVED_PORTS.has(p)),
    replicas: fc.integer({ min: 1, max: 10 }),
    canaryHeader: fc.stringMatching(/^x-[a-z]{1,8}$/),
    canaryValue: fc.stringMatching(/^[a-zA-Z0-9]{1,8}$/),
    timeoutMs: fc.integer({ min: 1, max: 120000 }),
    attempts: fc.integer({ min: 0, max: 5 }),
    maxConnections: fc.integer({ min: 0, max: 100000 }),
    consecutive5xx: fc.integer({ min: 0, max: 1000 }),
    maxEjection: fc.integer({ min: 0, max: 100 }),
    cut: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 2, maxLength: 2 }),
  })
  .map(({ cut, ...c }) => {
    // a split across the versions summing to 100
    const n = c.versions.length;
    const points = [...cut.slice(0, n - 1)].sort((a, b) => a - b);
    const bounds = [0, ...points, 100];
    const split = c.versions.map((_, i) => bounds[i + 1] - bounds[i]);
    return { ...c, split };
  });

/** Builds a mesh from the configs; returns the synthesized objects. */
function build(configs: ServiceConfig[], sampling: number): any[] {
  const chart = Testing.chart();
  const mesh = new Mesh(chart, 'Mesh', {
    tracing: {
      provider: ExtensionProvider.openTelemetry({ name: 'otel', service: 'otel-collector.observability.svc.cluster.local' }),
      samplingPercentage: sampling,
      customTags: { user_id: CustomTag.header('x-user-id') },
    },
  });
  const ns = new MeshNamespace(chart, 'Ns', { mesh, name: 'prop' });
  const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, meshMtls: MtlsMode.PERMISSIVE, namespaces: [{ namespace: ns }] });
  let previous: TracedService | undefined;
  configs.forEach((c, i) => {
    const svc = new TracedService(chart, `S${i}`, {
      namespace: ns,
      name: c.name,
      port: c.port,
      replicas: c.replicas,
      imageRepository: `registry.example.com/${c.name}`,
      versions: c.versions.map((name) => ({ name })),
    });
    const canary = c.versions[c.versions.length - 1];
    new CanaryRoute(chart, `R${i}`, {
      service: svc,
      timeout: Duration.millis(c.timeoutMs),
      retries: c.attempts === 0 ? RetryPolicy.none() : RetryPolicy.of({ attempts: c.attempts, retryOn: [RetryOn.FIVE_XX, RetryOn.RESET] }),
      rules: [{ match: [{ headers: [HeaderMatch.exact(c.canaryHeader, c.canaryValue)] }], destination: Destination.version(canary) }],
      defaultDestination: Destination.split(c.versions.map((version, j) => ({ version, percent: c.split[j] }))),
    });
    new CircuitBreaker(chart, `B${i}`, {
      service: svc,
      connectionPool: ConnectionPool.of({ tcp: { maxConnections: c.maxConnections }, http: { h2UpgradePolicy: H2UpgradePolicy.DEFAULT } }),
      outlierDetection: OutlierDetection.of({ consecutive5xxErrors: c.consecutive5xx, maxEjectionPercent: c.maxEjection, interval: Duration.seconds(10) }),
    });
    if (i === 0) zt.requireMtls(svc, MtlsMode.STRICT);
    if (previous) svc.allowFrom(previous, { methods: [HttpMethod.GET], paths: [PathMatch.prefix('/api/')] });
    previous = svc;
  });
  return Testing.synth(chart);
}

const configs = fc.uniqueArray(serviceConfig, { minLength: 1, maxLength: 4, selector: (c) => c.name });

describe('property: valid construct configurations synthesize objects that pass every check', () => {
  test('random meshes of TracedService + CanaryRoute + CircuitBreaker + ZeroTrustPolicy + allowFrom', () => {
    fc.assert(
      fc.property(configs, fc.integer({ min: 0, max: 100 }), (cs, sampling) => {
        const objects = build(cs, sampling);
        const errors = validateManifests(objects.map((manifest) => ({ manifest }))).filter((f) => f.level === 'error');
        expect(errors.map((f) => `${f.code} ${f.kind}/${f.name} ${f.message}`)).toEqual([]);
        // and the intent is really there: one VirtualService and one DestinationRule per service
        expect(objects.filter((o) => o.kind === 'VirtualService')).toHaveLength(cs.length);
        expect(objects.filter((o) => o.kind === 'DestinationRule')).toHaveLength(cs.length);
      }),
      { numRuns: 60 },
    );
  });
});

/** One invalid property each: [name of the property the message must name, a function that builds with it]. */
const INVALID: Array<[string, fc.Arbitrary<() => unknown>]> = [
  ['props.port', fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65536 })).map((port) => () => build([{ ...base(), port }], 10))],
  ['props.replicas', fc.integer({ max: -1 }).map((replicas) => () => build([{ ...base(), replicas }], 10))],
  ['props.name', fc.stringMatching(/^[A-Z_][A-Za-z_]{0,8}$/).map((name) => () => build([{ ...base(), name }], 10))],
  ['props.tracing.samplingPercentage', fc.oneof(fc.double({ max: -0.001, noNaN: true }), fc.double({ min: 100.001, noNaN: true, noDefaultInfinity: true })).map((s) => () => build([base()], s))],
  ['shares', fc.integer({ min: 1, max: 99 }).map((p) => () => Destination.split([{ version: 'v1', percent: p }, { version: 'v2', percent: 100 - p + 1 }]))],
  ['pattern', fc.constantFrom('(?=a)b', '(a)\\1', '(?<!x)y', '').map((re) => () => HeaderMatch.regex('x-user-id', re))],
  ['name', fc.stringMatching(/^[a-z]{1,4}[ :()\/][a-z]{1,4}$/).map((h) => () => HeaderMatch.exact(h, 'v'))],
  ['token', fc.constantFrom('5xx, reset', ' 5xx', 'bogus-token', '5xx,,reset').map((t) => () => RetryOn.parse(t))],
  ['perTryTimeout', fc.double({ min: 0.01, max: 0.99, noNaN: true }).map((m) => () => RetryPolicy.of({ attempts: 2, perTryTimeout: Duration.millis(m) }))],
  ['maxEjectionPercent', fc.integer({ min: 101, max: 10000 }).map((v) => () => OutlierDetection.of({ maxEjectionPercent: v }))],
];

function base(): ServiceConfig {
  return { name: 'svc', versions: ['v1', 'v2'], port: 8080, replicas: 2, split: [90, 10], canaryHeader: 'x-canary', canaryValue: 'true', timeoutMs: 10000, attempts: 3, maxConnections: 100, consecutive5xx: 5, maxEjection: 10 };
}

describe('property: invalid construct input is always rejected, naming the property', () => {
  test.each(INVALID)('%s', (property, arb) => {
    fc.assert(
      fc.property(arb, (make) => {
        let message = '';
        try {
          make();
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).toContain(`${property}: `);
        expect(message).toMatch(/is invalid: /);
      }),
      { numRuns: 40 },
    );
  });
});
