import * as path from 'path';
import { AuthzRequest, ManifestObject, MeshSimulator, parseManifestText, RouteRequest } from '../../src';
import { loadManifestFiles } from '../../src/simulator/load';

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

/** The reference app's route requests: every behaviour of reference-app.md, Traffic. */
export const ROUTE_MATRIX: RouteRequest[] = [
  { host: ORDER_HOST, headers: { 'x-canary': 'true' } },
  { host: ORDER_HOST, headers: { 'x-canary': 'TRUE' } },
  { host: ORDER_HOST, headers: { 'X-Canary': 'true' } },
  { host: ORDER_HOST, headers: { 'x-user-id': '42' } },
  { host: ORDER_HOST, headers: { 'x-user-id': '13' } },
  { host: ORDER_HOST, headers: { 'x-user-id': '' } },
  { host: ORDER_HOST, headers: { 'X-User-Id': '8' } },
  { host: ORDER_HOST },
  { host: ORDER_FQDN, path: '/api/orders/7' },
  { host: PAYMENT_HOST, method: 'POST', path: '/api/payments/42' },
];

/** The reference app's authorization requests: every decision of issue 5. */
export const AUTHZ_MATRIX: AuthzRequest[] = [
  { to: PAYMENT_HOST, fromPrincipal: ORDER, method: 'POST', path: '/api/payments/42' },
  { to: PAYMENT_HOST, fromPrincipal: ORDER, method: 'POST', path: '/api/payments/42', headers: { 'x-user-role': 'guest' } },
  { to: PAYMENT_HOST, fromPrincipal: ORDER, method: 'GET', path: '/api/payments/42' },
  { to: PAYMENT_HOST, fromPrincipal: PAYMENT, method: 'POST', path: '/api/payments/42' },
  { to: PAYMENT_HOST, fromPrincipal: 'cluster.local/ns/staging/sa/order-service', method: 'POST', path: '/api/payments/42' },
  { to: PAYMENT_HOST, plaintext: true, method: 'POST', path: '/api/payments/42' },
  { to: ORDER_HOST, fromPrincipal: INGRESS, method: 'GET', path: '/api/orders' },
  { to: ORDER_HOST, fromPrincipal: INGRESS, method: 'GET', path: '/api/orders/7' },
  { to: ORDER_HOST, fromPrincipal: INGRESS, method: 'POST', path: '/api/orders' },
  { to: ORDER_HOST, fromPrincipal: INGRESS, method: 'DELETE', path: '/api/orders/7' },
  { to: ORDER_HOST, fromPrincipal: PAYMENT, method: 'GET', path: '/api/orders' },
  { to: ORDER_HOST, plaintext: true, method: 'GET', path: '/api/orders' },
];

/** Every answer of a simulator on the reference matrices, for comparing two renderings of one app. */
export function answers(sim: MeshSimulator): unknown {
  return {
    routes: ROUTE_MATRIX.map((r) => {
      const a = sim.route(r);
      return { noRoute: a.noRoute, rule: a.rule, destinations: a.destinations, timeout: a.timeout, retries: a.retries, warnings: a.warnings };
    }),
    authz: AUTHZ_MATRIX.map((r) => {
      const a = sim.authorize(r);
      return { decision: a.decision, policy: a.policy, kind: a.kind, rule: a.rule };
    }),
  };
}
