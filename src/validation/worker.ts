/**
 * Worker-thread entry of {@link ValidationWorker}: loads the validation layer (schemas, ahead-of-time
 * validators, CEL programs) while the main thread is still building and resolving constructs, then
 * validates the deployable sets it is sent and answers on the same port.
 */
// First, as in the entry points: the library's modules load from its V8 code cache (private/compile-cache.ts).
import '../private/compile-cache-install';
import { parentPort, workerData } from 'worker_threads';
import { SetValidation, validateManifests } from './index';
import type { ValidationOptions } from './index';
import type { SourcedManifest } from './types';

/**
 * Messages from the main thread: a set begins, a chunk of it arrives, or every set is complete. A set
 * begun with `crossObject: false` is answered with its per-object findings only (the main thread runs
 * the analyzers meanwhile and joins both, see SetValidation.complete).
 */
type Request =
  | { readonly type: 'begin'; readonly set: string; readonly options: ValidationOptions; readonly crossObject?: boolean }
  | { readonly type: 'add'; readonly set: string; readonly chunk: SourcedManifest[] }
  | { readonly type: 'finish' };

/**
 * A small valid set with the kinds the library emits most. Validating it once at start-up loads the
 * lazily loaded parts (schema validators, CEL programs, Kubernetes' core schemas) and warms the JIT
 * while the main thread is still resolving constructs, so the real set meets a warm validator.
 */
function warmUp(): void {
  const labels = { app: 'warm', version: 'v1' };
  const meta = { name: 'warm', namespace: 'warm' };
  const set: SourcedManifest[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'warm', labels: { 'istio-injection': 'enabled' } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta },
    { apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { selector: { app: 'warm' }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'warm-v1', namespace: 'warm', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { 'sidecar.istio.io/proxyCPU': '100m' } },
          spec: {
            serviceAccountName: 'warm',
            containers: [{ name: 'warm', image: 'example/warm:v1', ports: [{ containerPort: 8080 }], env: [{ name: 'A', value: 'b' }], resources: { requests: { cpu: '1m' }, limits: { cpu: '2m' } }, readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 } }],
          },
        },
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: meta,
      spec: {
        hosts: ['warm'],
        http: [
          { match: [{ headers: { 'x-a': { exact: 'b' } } }], route: [{ destination: { host: 'warm', subset: 'v1' }, weight: 100 }], timeout: '1s', retries: { attempts: 1, perTryTimeout: '1s', retryOn: '5xx' } },
          { route: [{ destination: { host: 'warm', subset: 'v1' }, weight: 100 }] },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: meta,
      spec: {
        host: 'warm',
        trafficPolicy: { connectionPool: { tcp: { maxConnections: 1, connectTimeout: '1s' }, http: { http2MaxRequests: 1 } }, outlierDetection: { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '1s', maxEjectionPercent: 1 } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }],
      },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: meta,
      spec: {
        selector: { matchLabels: { app: 'warm' } },
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/warm/sa/warm'] } }], to: [{ operation: { methods: ['GET'], paths: ['/x/*'] } }], when: [{ key: 'request.headers[x-a]', values: ['b'] }] }],
      },
    },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta, spec: { selector: { matchLabels: { app: 'warm' } }, mtls: { mode: 'STRICT' } } },
  ].map((manifest) => ({ manifest }));
  validateManifests(set, {});
}

const port = workerData?.port ?? parentPort;
const signal: Int32Array = workerData?.signal;

try {
  warmUp();
} catch {
  // warming up is an optimisation only; the real request reports any problem
}

const sets = new Map<string, { readonly validation: SetValidation; readonly crossObject: boolean }>();
let failure: string | undefined;

port.on('message', (req: Request) => {
  try {
    if (req.type === 'begin') {
      sets.set(req.set, { validation: new SetValidation(req.options), crossObject: req.crossObject !== false });
      return;
    }
    if (req.type === 'add') {
      sets.get(req.set)!.validation.add(req.chunk);
      return;
    }
  } catch (e) {
    failure = failure ?? (e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e));
    return;
  }
  // finish: run the cross-object checks of every set and answer once
  let reply: unknown;
  try {
    reply = failure ? { error: failure } : { findings: [...sets].map(([key, s]) => [key, s.crossObject ? s.validation.finish() : s.validation.perObjectFindings()]) };
  } catch (e) {
    reply = { error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
  }
  sets.clear();
  failure = undefined;
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
