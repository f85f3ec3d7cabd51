#!/usr/bin/env node
/**
 * Cost of the validation layer over a large deployable set.
 *
 *   npx tsc --build tsconfig.json && node bench/validation.js [services]
 *
 * Builds `services` (default 1000) services of 7 objects each (ServiceAccount, Service, two
 * Deployments, DestinationRule, VirtualService, AuthorizationPolicy) = 7,000 objects, all valid,
 * then times: the first call in a fresh process (loading the schema data and ahead-of-time
 * validators, planning CEL programs lazily), the median of 5 warm calls, and each family of checks
 * alone (CPU time, which a busy machine disturbs less than wall time). Prints a summary and JSON.
 */
'use strict';
const path = require('path');
const lib = path.join(__dirname, '..', 'lib', 'src', 'validation');
const { validateManifests } = require(lib);

function service(ns, i, n) {
  const name = `svc-${i}`;
  const caller = `svc-${(i + 1) % n}`;
  const dep = (v) => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${name}-${v}`, namespace: ns, labels: { app: name, version: v } },
    spec: {
      replicas: 2, selector: { matchLabels: { app: name, version: v } },
      template: { metadata: { labels: { app: name, version: v } }, spec: { serviceAccountName: name, containers: [{ name, image: `example/${name}:${v}`, ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '200m', memory: '256Mi' } } }] } },
    },
  });
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] } },
    dep('v1'),
    dep('v2'),
    {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: ns },
      spec: {
        host: name,
        trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 100, http2MaxRequests: 100 } }, outlierDetection: { consecutive5xxErrors: 3, interval: '30s', baseEjectionTime: '60s', maxEjectionPercent: 50 } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: ns },
      spec: {
        hosts: [name],
        http: [
          { match: [{ headers: { 'x-canary': { exact: 'true' } } }], route: [{ destination: { host: name, subset: 'v2' } }], timeout: '10s', retries: { attempts: 3, perTryTimeout: '3s', retryOn: '5xx,reset' } },
          { route: [{ destination: { host: name, subset: 'v1' }, weight: 90 }, { destination: { host: name, subset: 'v2' }, weight: 10 }], timeout: '10s', retries: { attempts: 3, perTryTimeout: '3s', retryOn: '5xx,reset' } },
        ],
      },
    },
    {
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns },
      spec: { selector: { matchLabels: { app: name } }, rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/${caller}`] } }], to: [{ operation: { methods: ['GET', 'POST'], paths: ['/api/*'] } }] }] },
    },
  ];
}

function build(n) {
  const objects = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench', labels: { 'istio-injection': 'enabled' } } }];
  for (let i = 0; i < n; i++) objects.push(...service("bench", i, n));
  return objects.map((manifest) => ({ manifest, file: 'bench.yaml' }));
}

function time(fn) {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  const r = fn();
  const u = process.cpuUsage(c);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, cpuMs: (u.user + u.system) / 1000, r };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const n = Number(process.argv[2] ?? 1000);
const set = build(n);
const cold = time(() => validateManifests(set));
if (cold.r.some((f) => f.level === 'error')) {
  console.error(cold.r.slice(0, 5));
  throw new Error('the benchmark set must be valid');
}
const warmRuns = [1, 2, 3, 4, 5].map(() => time(() => validateManifests(set)));
const warm = median(warmRuns.map((r) => r.ms));
const warmCpu = median(warmRuns.map((r) => r.cpuMs));
const only = (checks) => median([1, 2, 3].map(() => time(() => validateManifests(set, { checks })).cpuMs));
const off = { schema: false, cel: false, coreKinds: false, webhook: false, analyzers: false };
const families = {
  schema: only({ ...off, schema: true }),
  cel: only({ ...off, cel: true }),
  coreKinds: only({ ...off, coreKinds: true }),
  webhook: only({ ...off, webhook: true }),
  analyzers: only({ ...off, analyzers: true }),
};
const result = {
  objects: set.length,
  coldMs: Math.round(cold.ms),
  coldCpuMs: Math.round(cold.cpuMs),
  warmMs: Math.round(warm),
  warmCpuMs: Math.round(warmCpu),
  perObjectUs: Math.round((warm / set.length) * 1000 * 10) / 10,
  familiesWarmCpuMs: Object.fromEntries(Object.entries(families).map(([k, v]) => [k, Math.round(v)])),
  rssMb: Math.round(process.memoryUsage().rss / 1e6),
  node: process.version,
};
console.log(`objects ${result.objects}: first call ${result.coldMs} ms wall / ${result.coldCpuMs} ms CPU (includes lazy loading), warm ${result.warmMs} ms wall / ${result.warmCpuMs} ms CPU (${result.perObjectUs} µs/object), RSS ${result.rssMb} MB`);
for (const [k, v] of Object.entries(result.familiesWarmCpuMs)) console.log(`  ${k.padEnd(10)} ${v} ms CPU alone`);
console.log(JSON.stringify(result));
