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
 * loaded lazily, each compiled schema validator by absolute path, so only the kinds present are loaded
 * (by a small loader: see loadSchemaModule).
 */
import * as fs from 'fs';
import * as path from 'path';
import { compileCommonJs, ModuleBundle } from '../private/compile-cache';
import { unknownCoreFields } from './core-fields';
import { coreValidateModule } from './core-formats';
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

function nativeRequire(from: string = __filename): NodeRequire {
  // Jest replaces `require` and the `module` builtin; process.getBuiltinModule gives Node's own loader.
  const mod = (process as any).getBuiltinModule?.('module') ?? require('module');
  return mod.createRequire(from);
}

function modelClass(key: string): any {
  if (loaded.has(key)) return loaded.get(key);
  let cls: any = null;
  const r = modelsRoot();
  if (r) {
    const file = path.join(r, MODELS[key]);
    try {
      let exports: any;
      try {
        exports = loadSchemaModule(r, file);
      } catch {
        exports = nativeRequire()(file);
      }
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

/** Modules loaded by {@link loadSchemaModule}, by absolute file name. */
const schemaModules = new Map<string, { exports: any }>();
/** The code cache's bundle of these modules (compile-cache.ts ModuleBundle); null without a cache folder. */
let bundle: ModuleBundle | null | undefined;
let apimachinerySchemas: string | undefined;
let validateModule: { readonly formats: Record<string, unknown> } | undefined;
/** The format tables behind {@link validateModule}, each loaded on first use. */
let ajvFormats: Record<string, unknown> | undefined;
let packageFormats: Record<string, unknown> | undefined;

/**
 * Loads one of kubernetes-models' compiled schema validators (`_schemas/*.js`, CommonJS) and the
 * schema modules it requires, the way Node would, but without Node's module resolution for each of
 * the ~160 small files a Deployment's validator needs, and with `@kubernetes-models/validate` replaced
 * by the formats those validators use (core-formats.ts), so its ajv-i18n and draft-2019 format
 * dependencies are not loaded. Same code, same exports; about a third of the cost of `require` in a
 * fresh process. Any other `require` goes to Node. Throws when a file cannot be loaded (the caller
 * then uses `require`). With a code cache folder the modules' code comes from one bundle of every
 * module earlier processes loaded, checked against each file's stat (compile-cache.ts ModuleBundle),
 * rather than from ~160 files; the code is the same either way, and so are the exports.
 */
function loadSchemaModule(modelsDir: string, file: string): any {
  const hit = schemaModules.get(file);
  if (hit) return hit.exports;
  const module = { exports: {} as any };
  // registered before it runs, as Node does, so a cycle sees the partial exports
  schemaModules.set(file, module);
  try {
    const dir = path.dirname(file);
    // the same wrapper as Node's, compiled from the package's code cache when it has this file (compile-cache.ts)
    const name = () => `kubernetes-models/${path.relative(modelsDir, file)}`;
    if (bundle === undefined) bundle = ModuleBundle.open('kubernetes-models') ?? null;
    const fn = bundle ? bundle.wrapper(file, name) : compileCommonJs(fs.readFileSync(file, 'utf8'), file, name());
    const req = (spec: string): any => {
      if (spec.startsWith('./')) {
        return loadSchemaModule(modelsDir, childPath(dir, spec.endsWith('.js') ? spec.slice(2) : `${spec.slice(2)}.js`));
      }
      if (spec.startsWith('@kubernetes-models/apimachinery/_schemas/')) {
        apimachinerySchemas ??= path.dirname(nativeRequire(path.join(modelsDir, 'package.json')).resolve('@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1ObjectMeta'));
        return loadSchemaModule(modelsDir, childPath(apimachinerySchemas, `${spec.slice('@kubernetes-models/apimachinery/_schemas/'.length)}.js`));
      }
      if (spec === '@kubernetes-models/validate') {
        // resolved from the package, so these are the modules it would load itself; each table once
        // (the validators look a format up every time a module loads, and resolving costs ~0.1 ms)
        const fromPackage = () => nativeRequire(nativeRequire(file).resolve('@kubernetes-models/validate'));
        validateModule ??= coreValidateModule(
          () => (ajvFormats ??= fromPackage()('ajv-formats/dist/formats.js').fullFormats as Record<string, unknown>),
          () => (packageFormats ??= fromPackage()('@kubernetes-models/validate').formats as Record<string, unknown>),
        );
        return validateModule;
      }
      return nativeRequire(file)(spec);
    };
    fn.call(module.exports, module.exports, req, module, file, dir);
    return module.exports;
  } catch (e) {
    schemaModules.delete(file);
    throw e;
  }
}

/**
 * `path.join(dir, name)`; for a plain file name (what the validators require: a sibling) without
 * path.join's normalization, which costs more than the rest of a `require` from the bundle.
 */
function childPath(dir: string, name: string): string {
  return /^[\w-][\w.-]*$/.test(name) && !dir.endsWith(path.sep) ? `${dir}${path.sep}${name}` : path.join(dir, name);
}

/**
 * The compiled schema validator of a core kind, loaded by {@link loadSchemaModule} (`loader`) or by
 * Node's `require` (`require`), for tests that compare the two; also the files the loader has loaded,
 * and those of them whose code came from the code cache's bundle.
 * @internal
 */
export function _coreValidator(key: string, via: 'loader' | 'require'): { validate: any; files: string[]; bundled: string[] } {
  const r = modelsRoot();
  if (!r || !MODELS[key]) throw new Error(`${key}: no kubernetes-models validator`);
  const file = path.join(r, MODELS[key]);
  const exports = via === 'loader' ? loadSchemaModule(r, file) : nativeRequire()(file);
  const files = [...schemaModules.keys()];
  return { validate: exports.validate, files, bundled: files.filter((f) => bundle?.has(f)) };
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
