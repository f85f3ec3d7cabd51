/**
 * Core Kubernetes kinds (Deployment, Service, ServiceAccount, Namespace, HorizontalPodAutoscaler,
 * PodDisruptionBudget, ConfigMap, Secret) checked as the API server checks them:
 * 1. Kubernetes' own OpenAPI schemas (types, enums, required fields), using the validators that the
 *    `kubernetes-models` package compiles from them (CI1201);
 * 2. unknown fields, as kubectl's strict field validation rejects them (CI1002, core-fields.ts);
 * 3. the API server's validation code: ranges, formats, IPs, selector/label agreement, uniqueness,
 *    quantities (CI1203, core-semantics.ts).
 *
 * `kubernetes-models` 4.5 (CommonJS, Node ≥ 14; version 5 is ES-modules-only and wants Node 22) is
 * loaded lazily, each compiled schema validator by absolute path, so only the kinds present are loaded.
 */
import * as fs from 'fs';
import * as path from 'path';
import { unknownCoreFields } from './core-fields';
import { checkCoreSemantics } from './core-semantics';
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
  'v1/Secret': '_schemas/IoK8sApiCoreV1Secret.js',
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

/**
 * Checks a core kind as the API server does: schema, unknown fields, then its validation code
 * (which, as in the API server, runs only on objects that decode). Returns undefined when the kind
 * is not covered.
 */
export function checkCoreKind(m: any): RawFinding[] | undefined {
  const key = `${m.apiVersion}/${m.kind}`;
  if (!MODELS[key]) return undefined;
  const out = unknownCoreFields(m);
  const cls = modelClass(key);
  if (!cls) {
    out.push({ code: 'CI1202', level: 'warning', message: `${m.kind} not schema-checked: the kubernetes-models validator could not be loaded (${loadError})` });
    return out;
  }
  let decodes = false;
  try {
    if (cls(m)) decodes = true;
    else if (Array.isArray(cls.errors)) out.push(...ajvFindings(cls.errors, 'CI1201', 'CI1201'));
    else out.push({ code: 'CI1201', level: 'error', message: `${m.kind} does not match its schema` });
  } catch (e: any) {
    out.push({ code: 'CI1201', level: 'error', message: `${m.kind}: ${e?.message ?? String(e)}` });
  }
  if (decodes) out.push(...checkCoreSemantics(m));
  return out;
}
