import * as path from 'path';
import { ManifestObject, MeshSimulator, parseManifestText } from '../../src';
import { loadManifestFiles } from '../../src/simulator/model';

/** The hand-written reference app of reference-app.md. */
export const REFERENCE_DIR = path.join(__dirname, '..', 'fixtures', 'reference');

export const ORDER = 'cluster.local/ns/production/sa/order-service';
export const PAYMENT = 'cluster.local/ns/production/sa/payment-service';
export const INGRESS = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';
export const ORDER_HOST = 'order-service.production';
export const PAYMENT_HOST = 'payment-service.production';
export const ORDER_FQDN = 'order-service.production.svc.cluster.local';
export const PAYMENT_FQDN = 'payment-service.production.svc.cluster.local';

/** The reference app's manifests, parsed. */
export function referenceManifests(): ManifestObject[] {
  return loadManifestFiles([REFERENCE_DIR]);
}

/** GIVEN the reference app, plus any extra YAML documents. */
export function referenceSim(...extraYaml: string[]): MeshSimulator {
  return MeshSimulator.fromManifests([...referenceManifests(), ...extraYaml.flatMap((y) => parseManifestText(y))]);
}

/** A Service `name` in `ns` with one Deployment `name-v1` running as ServiceAccount `name`. */
export function workloadYaml(name: string, ns = 'production', portName = 'http'): string {
  return `
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${ns} }
spec:
  selector: { app: ${name} }
  ports: [{ name: ${portName}, port: 8080, targetPort: 8080 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}-v1, namespace: ${ns} }
spec:
  selector: { matchLabels: { app: ${name}, version: v1 } }
  template:
    metadata: { labels: { app: ${name}, version: v1 } }
    spec: { serviceAccountName: ${name}, containers: [{ name: app, image: x }] }
`;
}
