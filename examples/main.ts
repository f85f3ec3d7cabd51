import { DataPlaneMode, MeshApp, MeshChart, RoutingApi } from '../src';
import { buildEdgeApp } from './edge';
import { buildFeaturesApp } from './features';
import { buildProgressiveApp } from './progressive';
import { AMBIENT_VARIANT, addControlPlane, addMeshReport, buildReferenceApp } from './reference-app';

/**
 * The app `cdk8s synth` runs (see cdk8s.yaml): writes the reference app's manifests to dist/, and
 * the control-plane install overlay and istiod Helm values to dist/control-plane/ (outside what
 * `kubectl apply -f dist/` takes), the mesh cost report to dist/report/, and order-service delivered
 * progressively by Flagger to dist/progressive/, and the edge (ingress gateway, JWT, egress) to dist/edge/.
 * The same intent on an ambient data plane with the Gateway API goes to dist/ambient/, without the
 * retries and the local rate limit, which that combination cannot express (AMBIENT_VARIANT).
 * The features of issue 18 (route effects, delegation, load balancing, secure pods) go to dist/features/.
 * It runs as compiled JavaScript (lib/examples/main.js), so synth never type-checks the imports.
 */
export function main(outdir = process.env.CDK8S_OUTDIR ?? 'dist'): MeshApp {
  const app = new MeshApp({ outdir });
  const chart = new MeshChart(app, 'reference-app');
  const ref = buildReferenceApp(chart);
  const { mesh } = ref;
  addMeshReport(ref);
  addControlPlane(new MeshChart(app, 'control-plane', { outputDir: 'control-plane' }), mesh);
  // order-service delivered progressively by Flagger: an alternative deployable set in dist/progressive/.
  buildProgressiveApp(new MeshChart(app, 'progressive', { outputDir: 'progressive' }));
  const ambient = new MeshChart(app, 'reference-app-ambient', { outputDir: 'ambient' });
  buildReferenceApp(ambient, { dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API }, AMBIENT_VARIANT);
  // The edge (issue 17): ingress gateway with TLS, end-user JWT, egress through the egress gateway,
  // in dist/edge/, with its own control plane (REGISTRY_ONLY, egress gateway) in dist/edge/control-plane/.
  buildEdgeApp(new MeshChart(app, 'edge', { outputDir: 'edge' }), new MeshChart(app, 'edge-control-plane', { outputDir: 'edge/control-plane' }));
  // Issue 18's route, delegation, traffic-policy and pod-security features: dist/features/.
  buildFeaturesApp(new MeshChart(app, 'features', { outputDir: 'features' }));
  app.synth();
  return app;
}

if (require.main === module) {
  // bad input prints its findings without a stack trace and exits 1
  MeshApp.run(() => main());
}
