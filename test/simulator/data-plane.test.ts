/**
 * Which data plane captures a workload is stated once (src/manifests/data-plane.ts) and shared by the
 * analyzers and the simulator. These cases follow Istio 1.30.3:
 * - pkg/config/analysis/analyzers/util/in_mesh.go (`inMesh`: istio-proxy container, then the pod's
 *   `sidecar.istio.io/inject` label, then annotation, then the namespace's `istio-injection` label);
 * - cni/pkg/util/podutil_test.go `TestPodRedirectionEnabled` and manifests/charts/istio-cni/values.yaml
 *   `ambient.enablementSelectors` (a pod labelled ambient, or a pod not labelled `none` in an ambient
 *   namespace; never a pod with a sidecar).
 */
import { ManifestIndex, podInAmbient, podInSidecarMesh } from '../../src/manifests';
import { MeshSimulator } from '../../src';

const ORDER = 'cluster.local/ns/production/sa/order-service';

function setYaml(nsLabels: string, podLabels: string, podAnnotations = '{}'): string {
  return `
apiVersion: v1
kind: Namespace
metadata: { name: production, labels: ${nsLabels} }
---
apiVersion: v1
kind: Service
metadata: { name: inventory-service, namespace: production }
spec: { selector: { app: inventory-service }, ports: [{ name: http, port: 8080, targetPort: 8080 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: inventory-service-v1, namespace: production }
spec:
  selector: { matchLabels: { app: inventory-service } }
  template:
    metadata: { labels: ${podLabels}, annotations: ${podAnnotations} }
    spec: { serviceAccountName: inventory-service, containers: [{ name: app, image: x }] }
`;
}

describe('data plane of a workload: one rule for analyzers and simulator', () => {
  test.each([
    // [case, namespace labels, pod labels, pod annotations, sidecar?, ambient?, enforcedBy]
    ['injected namespace', '{ istio-injection: enabled }', '{ app: inventory-service }', '{}', true, false, 'sidecar'],
    ['the pod label opts out of an injected namespace and into ambient', '{ istio-injection: enabled }', '{ app: inventory-service, sidecar.istio.io/inject: "false", istio.io/dataplane-mode: ambient }', '{}', false, true, 'ztunnel'],
    ['the pod annotation opts out of an injected namespace and into ambient', '{ istio-injection: enabled }', '{ app: inventory-service, istio.io/dataplane-mode: ambient }', '{ sidecar.istio.io/inject: "false" }', false, true, 'ztunnel'],
    ['ambient namespace', '{ istio.io/dataplane-mode: ambient }', '{ app: inventory-service }', '{}', false, true, 'ztunnel'],
    ['ambient namespace, pod opted out with dataplane-mode none', '{ istio.io/dataplane-mode: ambient }', '{ app: inventory-service, istio.io/dataplane-mode: none }', '{}', false, false, 'sidecar'],
    ['ambient namespace, pod asks for a sidecar', '{ istio.io/dataplane-mode: ambient }', '{ app: inventory-service, sidecar.istio.io/inject: "true" }', '{}', true, false, 'sidecar'],
  ])('%s', (_case, ns, labels, annotations, sidecar, ambient, enforcedBy) => {
    // GIVEN the namespace and pod template
    const yaml = setYaml(ns, labels, annotations);
    const sim = MeshSimulator.fromYaml(yaml);
    const index: ManifestIndex = sim.model;
    const w = index.workloads.find((x) => x.name === 'inventory-service-v1')!;
    // THEN the shared judgement is Istio's, and the simulator's enforcement point follows it
    expect(podInSidecarMesh(index, w)).toBe(sidecar);
    expect(podInAmbient(index, w)).toBe(ambient);
    expect(sim.authorize({ to: 'inventory-service.production', fromPrincipal: ORDER }).enforcedBy).toBe(enforcedBy);
  });
});
