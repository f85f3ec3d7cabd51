/**
 * A service taking a name or pod label Flagger generates for a progressive service of its namespace
 * is refused at synth (Flagger v1.44.0: pkg/router/kubernetes_default.go creates Services `<apex>`,
 * `<apex>-primary` selecting `app: <apex>-primary` and `<apex>-canary`; pkg/router/istio.go
 * DestinationRules `<apex>-primary`/`<apex>-canary`; pkg/canary/deployment_controller.go relabels the
 * primary pods `app: <apex>-primary`; the library's PodDisruptionBudget for the primary selects them).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  CanaryAnalysis, CanaryRoute, Destination, MeshApp, MeshChart, MeshNamespace, MeshService, MeshSynthError, MeshTesting, MetricCheck, TracedService,
} from '../src';
import { buildOrderWorkload } from '../examples/reference-app';

const IMAGE = 'registry.example.com/other';

function progressiveRoute(scope: Construct, order: TracedService): CanaryRoute {
  return new CanaryRoute(scope, 'OrderRoute', {
    service: order,
    defaultDestination: Destination.version('v1'),
    progressive: CanaryAnalysis.weighted({ stepWeight: 10, maxWeight: 50, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] }),
  });
}

/** GIVEN order-service (v1, v2) delivered by Flagger and a second TracedService `name`, declared before or after the route. */
function withService(name: string, order: 'route first' | 'service first', scope: Chart = Testing.chart()) {
  const { production, order: svc } = buildOrderWorkload(scope);
  let other: TracedService;
  if (order === 'route first') {
    progressiveRoute(scope, svc);
    other = new TracedService(scope, 'Other', { namespace: production, name, imageRepository: IMAGE, versions: [{ name: 'v1' }], replicas: 2 });
  } else {
    other = new TracedService(scope, 'Other', { namespace: production, name, imageRepository: IMAGE, versions: [{ name: 'v1' }], replicas: 2 });
    progressiveRoute(scope, svc);
  }
  return { chart: scope, production, other };
}

describe('Flagger\'s <x>-primary and <x>-canary names are refused for other services of the namespace', () => {
  test.each(['route first', 'service first'] as const)('GIVEN a TracedService order-service-primary beside progressive order-service (%s) WHEN synthesized THEN one error names its path, props.name, the value, the rule and a hint; nothing is written', (order) => {
    // GIVEN
    const { chart } = withService('order-service-primary', order);
    // WHEN
    const { manifests, errors } = MeshTesting.synth(chart);
    // THEN
    expect(manifests).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'CI0001', path: 'test/Other' });
    expect(errors[0].message).toBe('props.name: "order-service-primary" is invalid: order-service in namespace production is delivered progressively by Flagger (test/OrderRoute), '
      + 'which generates the Service and DestinationRule order-service-primary there and would replace this service\'s own; it also labels its primary pods app: order-service-primary, '
      + 'so its Services order-service and order-service-primary and the primary\'s PodDisruptionBudget would select this service\'s pods. '
      + 'Hint: rename order-service-primary (e.g. "order-service-main"), or deliver order-service without progressive');
  });

  test.each(['route first', 'service first'] as const)('GIVEN a TracedService order-service-canary (%s) THEN it is refused: Flagger\'s Service and DestinationRule of that name would replace its own', (order) => {
    const { chart } = withService('order-service-canary', order);
    const { errors } = MeshTesting.synth(chart);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'test/Other', message: expect.stringMatching(/^props\.name: "order-service-canary" is invalid: order-service in namespace production is delivered progressively by Flagger \(test\/OrderRoute\), which generates the Service and DestinationRule order-service-canary there.*Hint: rename order-service-canary/) });
    expect(errors[0].message).not.toMatch(/labels its primary pods/);
  });

  test('GIVEN MeshApp WHEN synth() THEN MeshSynthError carries the construct path, and nothing is written', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'flagger-clash-'));
    const app = new MeshApp({ outdir });
    withService('order-service-primary', 'service first', new MeshChart(app, 'shop'));
    let thrown: unknown;
    try { app.synth(); } catch (e) { thrown = e; }
    expect(MeshSynthError.isMeshSynthError(thrown)).toBe(true);
    expect((thrown as Error).message).toContain('[shop/Other] props.name: "order-service-primary" is invalid: order-service in namespace production is delivered progressively by Flagger');
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('GIVEN a service deployed elsewhere whose pods carry app: order-service-primary under another name THEN its selector is refused', () => {
    const chart = Testing.chart();
    const { production, order } = buildOrderWorkload(chart);
    MeshService.fromAttributes(chart, 'Legacy', { namespace: production, name: 'legacy', serviceAccount: 'legacy', port: 8080, versions: ['v1'], selector: { app: 'order-service-primary' } });
    progressiveRoute(chart, order);
    const { errors } = MeshTesting.synth(chart);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'test/Legacy', message: expect.stringMatching(/^attrs\.selector: "app: order-service-primary" is invalid: order-service in namespace production is delivered progressively by Flagger \(test\/OrderRoute\), which labels its primary pods app: order-service-primary: .*PodDisruptionBudget would select this service's pods too\. Hint: /) });
  });

  test('GIVEN Deployments and a Service the app writes itself, adopted as order-service-canary THEN the adopted Service is refused', () => {
    const chart = Testing.chart();
    const { production, order } = buildOrderWorkload(chart);
    progressiveRoute(chart, order);
    const sa = new kplus.ServiceAccount(chart, 'CanarySa', { metadata: { name: 'order-service-canary', namespace: 'production' } });
    const deployment = new kplus.Deployment(chart, 'CanaryV1', { metadata: { name: 'order-service-canary-v1', namespace: 'production' }, serviceAccount: sa, replicas: 1, containers: [{ image: 'registry.example.com/c:1.0.0', portNumber: 8080 }] });
    deployment.podMetadata.addLabel('app', 'order-service-canary');
    deployment.podMetadata.addLabel('version', 'v1');
    const svc = new kplus.Service(chart, 'CanaryService', { metadata: { name: 'order-service-canary', namespace: 'production' }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] });
    svc.selectLabel('app', 'order-service-canary');
    MeshService.fromWorkloads(chart, 'Adopted', { namespace: production, service: svc, deployments: [deployment] });
    const { errors } = MeshTesting.synth(chart);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'test/Adopted', message: expect.stringMatching(/^props\.service: "order-service-canary" is invalid: order-service in namespace production is delivered progressively by Flagger \(test\/OrderRoute\), which generates the Service and DestinationRule order-service-canary there and would replace this service's own\. Hint: rename order-service-canary/) });
  });

  test('GIVEN the same names when order-service is not progressive, or in another namespace THEN nothing is refused', () => {
    // not progressive: a fixed route
    const a = Testing.chart();
    const { production, order } = buildOrderWorkload(a);
    new CanaryRoute(a, 'OrderRoute', { service: order, defaultDestination: Destination.version('v1') });
    new TracedService(a, 'Other', { namespace: production, name: 'order-service-primary', imageRepository: IMAGE, versions: [{ name: 'v1' }], replicas: 2 });
    expect(MeshTesting.synth(a).errors).toEqual([]);
    // progressive, and a name that only starts like Flagger's
    const b = withService('order-service-primary2', 'route first');
    expect(MeshTesting.synth(b.chart).errors).toEqual([]);
    // progressive, and order-service-primary in another namespace (Flagger writes only into order-service's)
    const c = Testing.chart();
    const w = buildOrderWorkload(c);
    progressiveRoute(c, w.order);
    const staging = new MeshNamespace(c, 'Staging', { mesh: w.mesh, name: 'staging' });
    new TracedService(c, 'Other', { namespace: staging, name: 'order-service-primary', imageRepository: IMAGE, versions: [{ name: 'v1' }], replicas: 2 });
    expect(MeshTesting.synth(c).errors).toEqual([]);
  });
});
