import { MeshApp, MeshChart } from '../src';
import { buildReferenceApp } from './reference-app';

/**
 * The app `cdk8s synth` runs (see cdk8s.yaml): writes the reference app's manifests to dist/.
 * It runs as compiled JavaScript (lib/examples/main.js), so synth never type-checks the imports.
 */
export function main(outdir = process.env.CDK8S_OUTDIR ?? 'dist'): MeshApp {
  const app = new MeshApp({ outdir });
  const chart = new MeshChart(app, 'reference-app');
  buildReferenceApp(chart);
  app.synth();
  return app;
}

if (require.main === module) {
  main();
}
