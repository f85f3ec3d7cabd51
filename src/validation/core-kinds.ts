/**
 * Core Kubernetes kinds (Deployment, Service, ServiceAccount, Namespace, HorizontalPodAutoscaler,
 * PodDisruptionBudget, ConfigMap) checked against Kubernetes' own OpenAPI schemas, using the
 * validators that the `kubernetes-models` package compiles from them.
 *
 * `kubernetes-models` 4.5 (CommonJS, Node ≥ 14; version 5 is ES-modules-only and wants Node 22) is
 * loaded lazily, each compiled schema validator by absolute path, so only the kinds present are loaded.
 * Those schemas allow unknown fields; kubectl's strict field validation is not reproduced for core kinds.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ajvFindings, RawFinding } from './report-ajv';

// The compiled validator of each kind's OpenAPI schema. Calling it directly (rather than building a
// model instance and calling `.validate()`, which copies the object first) gives the same verdict at a
// third of the cost.
const MODELS: Record<string, string> = {
  'apps/v1/Deployment': '_schemas/IoK8sApiAppsV1Deployment.js',
  'v1/Service': '_schemas/IoK8sApiCoreV1Service.js',
  'v1/ServiceAccount': '_schemas/IoK8sApiCoreV1ServiceAccount.js',
  'v1/Namespace': '_schemas/IoK8sApiCoreV1Namespace.js',
  'v1/ConfigMap': '_schemas/IoK8sApiCoreV1ConfigMap.js',
  'autoscaling/v2/HorizontalPodAutoscaler': '_schemas/IoK8sApiAutoscalingV2HorizontalPodAutoscaler.js',
  'policy/v1/PodDisruptionBudget': '_schemas/IoK8sApiPolicyV1PodDisruptionBudget.js',
};

const loaded = new Map<string, any>();
let root: string | null | undefined;
let loadError: string | undefined;

function modelsRoot(): string | null {
  if (root !== undefined) return root;
  root = null;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', 'kubernetes-models');
    if (fs.existsSync(path.join(candidate, 'package.json'))) {
      root = candidate;
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  return root;
}

function nativeRequire(): NodeRequire {
  // Jest replaces `require` and the `module` builtin; process.getBuiltinModule gives Node's own loader.
  const mod = (process as any).getBuiltinModule?.('module') ?? require('module');
  return mod.createRequire(__filename);
}

function modelClass(key: string): any {
  if (loaded.has(key)) return loaded.get(key);
  let cls: any = null;
  const r = modelsRoot();
  if (r) {
    try {
      const exports = nativeRequire()(path.join(r, MODELS[key]));
      cls = typeof exports.validate === 'function' ? exports.validate : null;
      if (!cls) loadError = `${MODELS[key]} exports no validate function`;
    } catch (e) {
      loadError = e instanceof Error ? e.message.split('\n')[0] : String(e);
    }
  } else {
    loadError = 'kubernetes-models is not installed';
  }
  loaded.set(key, cls);
  return cls;
}

/** The core kinds checked here, as `apiVersion/Kind`. */
export const CORE_KINDS: readonly string[] = Object.keys(MODELS);

/** Whether `apiVersion`/`kind` is one of {@link CORE_KINDS}. */
export function isCoreKind(apiVersion: string, kind: string): boolean {
  return MODELS[`${apiVersion}/${kind}`] !== undefined;
}

/** Checks a core kind against Kubernetes' schema. Returns undefined when the kind is not covered. */
export function checkCoreKind(m: any): RawFinding[] | undefined {
  const key = `${m.apiVersion}/${m.kind}`;
  if (!MODELS[key]) return undefined;
  const cls = modelClass(key);
  if (!cls) {
    return [{ code: 'CI1202', level: 'warning', message: `${m.kind} not schema-checked: the kubernetes-models validator could not be loaded (${loadError})` }];
  }
  try {
    if (cls(m)) return [];
    if (Array.isArray(cls.errors)) return ajvFindings(cls.errors, 'CI1201', 'CI1201');
    return [{ code: 'CI1201', level: 'error', message: `${m.kind} does not match its schema` }];
  } catch (e: any) {
    return [{ code: 'CI1201', level: 'error', message: `${m.kind}: ${e?.message ?? String(e)}` }];
  }
}
