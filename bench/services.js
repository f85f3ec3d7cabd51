'use strict';
/**
 * The benchmark's mesh: N services, each a TracedService with two versions.
 * (Grows with the constructs: CanaryRoute, CircuitBreaker and one allowFrom edge per service.)
 */
const path = require('path');
const lib = require(path.resolve(__dirname, '..', 'lib/src'));

function buildLibraryApp(n, outdir) {
  const app = new lib.MeshApp({ outdir, log: () => undefined });
  const chart = new lib.MeshChart(app, 'bench');
  const mesh = new lib.Mesh(chart, 'Mesh', {
    tracing: { provider: lib.ExtensionProvider.openTelemetry({ name: 'otel', service: 'otel-collector.observability.svc.cluster.local' }), samplingPercentage: 1 },
  });
  const ns = new lib.MeshNamespace(chart, 'Ns', { mesh, name: 'bench' });
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    new lib.TracedService(chart, name, {
      namespace: ns,
      name,
      imageRepository: `registry.example.com/${name}`,
      versions: [{ name: 'v1' }, { name: 'v2' }],
    });
  }
  return app;
}

module.exports = { buildLibraryApp };
