'use strict';
/**
 * The benchmark's mesh: N services in one namespace. Each service is a TracedService with two
 * versions, a CanaryRoute (header canary, then a 90/10 split, timeout and retries), a CircuitBreaker
 * (connection pool and outlier detection) and one allowFrom edge (service i is called by service i-1).
 * One ZeroTrustPolicy gives the namespace its default deny.
 */
const path = require('path');
const { Duration } = require('cdk8s');
const lib = require(path.resolve(__dirname, '..', 'lib/src'));

function buildLibraryApp(n, outdir) {
  const app = new lib.MeshApp({ outdir, log: () => undefined });
  const chart = new lib.MeshChart(app, 'bench');
  const mesh = new lib.Mesh(chart, 'Mesh', {
    tracing: { provider: lib.ExtensionProvider.openTelemetry({ name: 'otel', service: 'otel-collector.observability.svc.cluster.local' }), samplingPercentage: 1 },
  });
  const ns = new lib.MeshNamespace(chart, 'Ns', { mesh, name: 'bench' });
  new lib.ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, meshMtls: lib.MtlsMode.STRICT, namespaces: [{ namespace: ns, defaultDeny: true }] });
  const retries = lib.RetryPolicy.of({ attempts: 2, perTryTimeout: Duration.seconds(2), retryOn: [lib.RetryOn.FIVE_XX, lib.RetryOn.RESET] });
  const pool = lib.ConnectionPool.of({ tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 100, http2MaxRequests: 100 } });
  const outliers = lib.OutlierDetection.of({ consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50 });
  let previous;
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    const svc = new lib.TracedService(chart, name, {
      namespace: ns,
      name,
      imageRepository: `registry.example.com/${name}`,
      versions: [{ name: 'v1' }, { name: 'v2' }],
    });
    new lib.CanaryRoute(chart, `${name}-route`, {
      service: svc,
      timeout: Duration.seconds(10),
      retries,
      rules: [{ name: 'canary', match: [{ headers: [lib.HeaderMatch.exact('x-canary', 'true')] }], destination: lib.Destination.version('v2') }],
      defaultDestination: lib.Destination.split([{ version: 'v1', percent: 90 }, { version: 'v2', percent: 10 }]),
    });
    new lib.CircuitBreaker(chart, `${name}-breaker`, { service: svc, connectionPool: pool, outlierDetection: outliers });
    if (previous) {
      svc.allowFrom(previous, { methods: [lib.HttpMethod.GET, lib.HttpMethod.POST], paths: [lib.PathMatch.prefix('/api/')] });
    }
    previous = svc;
  }
  return app;
}

module.exports = { buildLibraryApp };
