/**
 * request.auth.* conditions in the simulator, as Istio 1.30 configures Envoy: claims live in the JWT
 * filter's metadata, `scope` and `permission` strings are split at spaces
 * (pilot/pkg/security/authn, NormalizePayloadInMetadata.SpaceDelimitedClaims), a list claim matches
 * when one element does, and a negated matcher holds when no element (or no claim) matches.
 */
import { MeshSimulator } from '../../src';

const yaml = (when: string) => `
apiVersion: v1
kind: Service
metadata: { name: api, namespace: ns }
spec: { selector: { app: api }, ports: [{ name: http, port: 80, targetPort: 8080 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: ns }
spec:
  selector: { matchLabels: { app: api } }
  template: { metadata: { labels: { app: api } }, spec: { containers: [{ name: api, image: api:1 }] } }
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: jwt, namespace: ns }
spec:
  selector: { matchLabels: { app: api } }
  action: ALLOW
  rules: [{ when: [${when}] }]
`;
const ask = (when: string, claims?: Record<string, unknown>) =>
  MeshSimulator.fromYaml(yaml(when)).authorize({ to: 'api.ns', fromPrincipal: 'cluster.local/ns/ns/sa/x', method: 'GET', path: '/', ...(claims ? { claims } : {}) }).decision;

test.each([
  ['scope split at spaces', '{ key: "request.auth.claims[scope]", values: ["b"] }', { scope: 'a b c' }, 'ALLOW'],
  ['other claims are not split', '{ key: "request.auth.claims[role]", values: ["b"] }', { role: 'a b' }, 'DENY'],
  ['a list claim matches by element', '{ key: "request.auth.claims[groups]", values: ["admins"] }', { groups: ['dev', 'admins'] }, 'ALLOW'],
  ['nested claims', '{ key: "request.auth.claims[realm][role]", values: ["ops"] }', { realm: { role: 'ops' } }, 'ALLOW'],
  ['a missing claim fails values', '{ key: "request.auth.claims[groups]", values: ["admins"] }', { sub: 'x' }, 'DENY'],
  ['no token fails values', '{ key: "request.auth.claims[groups]", values: ["admins"] }', undefined, 'DENY'],
  ['notValues: no element may match', '{ key: "request.auth.claims[groups]", notValues: ["banned"] }', { groups: ['dev', 'banned'] }, 'DENY'],
  ['notValues: a missing claim holds', '{ key: "request.auth.claims[groups]", notValues: ["banned"] }', { sub: 'x' }, 'ALLOW'],
  ['audiences are aud', '{ key: "request.auth.audiences", values: ["shop-api"] }', { aud: ['web', 'shop-api'] }, 'ALLOW'],
  ['presenter is azp', '{ key: "request.auth.presenter", values: ["web"] }', { azp: 'cli' }, 'DENY'],
  ['the principal is iss/sub', '{ key: "request.auth.principal", values: ["https://i/alice"] }', { iss: 'https://i', sub: 'alice' }, 'ALLOW'],
])('GIVEN %s WHEN authorized THEN the decision is as Envoy makes it', (_what, when, claims, decision) => {
  expect(ask(when, claims as Record<string, unknown> | undefined)).toBe(decision);
});
