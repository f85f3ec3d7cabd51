import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CONSTRUCT_ERROR_CODE, constructErrorFindings, constructSynthError, failedSynthError, formatFindings, MeshSynthError } from './mesh-synth-error';
import * as fs from 'fs';
import { brandSymbol, hasBrand } from './private/brand';
import { runSynthHooks } from './private/synth-hooks';
import { isCdk8sStdoutDir, lastGoodDir, restoreIfMissing, saveLastGood } from './synth/output';
import { MeshValidator, ValidationOptions } from './validation';
import { applyConstructSuppressions, collectExternalPrincipals } from './validation/suppress';
import { Finding, SourcedManifest } from './validation/types';
import { collectFindings } from './warnings';

/**
 * Validation under a plain cdk8s `App` (what `cdk8s init` gives): a {@link Mesh} in such an app
 * makes `app.synth()` and `app.synthYaml()` validate every chart's objects first, with the same
 * checks, findings and "nothing was written" guarantee as {@link MeshApp}, and the same last good
 * output: under `cdk8s synth` (whose CLI removes the output folder before it runs the app) a failed
 * synth leaves the previous good output in place. A MeshApp does all this by itself, so nothing is
 * installed there. `Testing.synth(chart)` is not affected: use
 * `MeshTesting.synth(chart)` in tests to get the findings.
 */

/** What a Mesh asks of the app it is in. */
export interface PlainAppValidationOptions {
  /** `false` turns validation off (said once at synth); options configure the checks. */
  readonly validation: boolean | ValidationOptions;
  /** The construct path of the mesh that set them, for the message. */
  readonly meshPath: string;
}

const INSTALLED = new WeakMap<IConstruct, PlainAppValidationOptions>();
const MESH_APP = brandSymbol('MeshApp');

/**
 * Makes the plain cdk8s App at `root` validate at synth. The first Mesh of an app decides the
 * options; a MeshApp (or anything that is not a cdk8s App) is left alone.
 */
export function installPlainAppValidation(root: IConstruct, options: PlainAppValidationOptions): void {
  if (hasBrand(root, MESH_APP) || INSTALLED.has(root)) return;
  const app = root as unknown as { synth?: () => void; synthYaml?: () => string; outdir?: unknown };
  if (typeof app.synth !== 'function' || typeof app.synthYaml !== 'function' || typeof app.outdir !== 'string') return;
  INSTALLED.set(root, options);
  const synth = app.synth;
  const synthYaml = app.synthYaml;
  const outdir = app.outdir;
  // As MeshApp: the last good output is kept under node_modules/.cache and put back as soon as the
  // app has a mesh when `cdk8s synth` has just removed the output folder, so any failure (a construct
  // error while the app is still being built, a failed synth) leaves it in place.
  const keep = isCdk8sStdoutDir(outdir) ? undefined : lastGoodDir(outdir);
  const restoredAtStart = keep !== undefined && restoreIfMissing(outdir, keep);
  // Instance properties shadow cdk8s's App.prototype methods for this app only.
  Object.defineProperty(root, 'synth', {
    configurable: true, writable: true, enumerable: false,
    value: function synthValidated(this: unknown): void {
      try {
        validatePlainApp(root);
      } catch (e) {
        throw failedSynthError(e, outdir, keep, restoredAtStart);
      }
      // the folder the CLI removed holds the restored output: cdk8s writes a fresh one, as intended
      if (restoredAtStart) fs.rmSync(outdir, { recursive: true, force: true });
      try {
        synth.call(root);
      } catch (e) {
        throw failedSynthError(e, outdir, keep, restoredAtStart);
      }
      if (keep) saveLastGood(outdir, keep);
    },
  });
  Object.defineProperty(root, 'synthYaml', {
    configurable: true, writable: true, enumerable: false,
    value: function synthYamlValidated(this: unknown): string {
      validatePlainApp(root);
      return synthYaml.call(root);
    },
  });
}

/**
 * Validates every chart of the plain App at `root` as one deployable set (a plain App writes all
 * charts to one folder). Throws a {@link MeshSynthError} on error findings, before anything is
 * written; prints warnings and infos once to stderr.
 */
export function validatePlainApp(root: IConstruct): Finding[] {
  const options = INSTALLED.get(root);
  if (!options) return [];
  if (options.validation === false) {
    // The constructs' own checks (cdk8s runs them next and would throw a plain Error) are findings of a
    // MeshSynthError also with validation off, which turns off the checks of the output only.
    runSynthHooks(root);
    const constructErrors = constructErrorFindings(root.node.findAll());
    if (constructErrors.length > 0) throw constructSynthError(constructErrors);
    if (!WARNED_OFF.has(root)) {
      WARNED_OFF.add(root);
      process.stderr.write(`cdk8s-istio: validation is off (validation: false on ${options.meshPath}); the output is not checked\n`);
    }
    return [];
  }
  const { findings } = synthValidated(root, options.validation === true ? {} : options.validation);
  const errors = findings.filter((f) => f.level === 'error');
  if (errors.some((f) => f.code === CONSTRUCT_ERROR_CODE)) throw constructSynthError(errors);
  const others = findings.filter((f) => f.level !== 'error');
  if (others.length > 0) process.stderr.write(`${formatFindings(others)}\n`);
  if (errors.length > 0) {
    throw new MeshSynthError(`Synth failed with ${errors.length} validation error(s); nothing was written:\n${formatFindings(errors)}`, errors);
  }
  return findings;
}

const WARNED_OFF = new WeakSet<IConstruct>();

/**
 * The manifests of `charts` (every chart under `root` by default) and their findings, validated as one
 * set: the construct warnings, the built-in validator (external principals the constructs declared
 * included) and the construct suppressions, exactly as MeshApp applies them to one output folder.
 * When a construct's own check fails, its errors are the findings (code `CI0001`) and there are no
 * manifests, as MeshApp stops there too.
 */
export function synthValidated(root: IConstruct, options: ValidationOptions = {}, charts?: readonly Chart[]): { manifests: any[]; findings: Finding[] } {
  runSynthHooks(root);
  const all = root.node.findAll();
  // a construct error stops synth before any object is resolved (cdk8s would throw a plain Error): no manifests
  const constructErrors = constructErrorFindings(all);
  if (constructErrors.length > 0) return { manifests: [], findings: constructErrors };
  const sourced: SourcedManifest[] = [];
  const manifests: any[] = [];
  for (const chart of charts ?? all.filter((c): c is Chart => Chart.isChart(c))) {
    // toJson runs cdk8s's validations (and the meshes' render step) first, as a synth would
    const json = chart.toJson();
    // each object's construct path (as MeshApp reports it), by identity: the objects exist once rendered
    const paths = new Map<string, string>();
    for (const o of chart.node.findAll()) {
      if (ApiObject.isApiObject(o)) paths.set(objectKey(o.apiVersion, o.kind, o.metadata.namespace, o.name), o.node.path);
    }
    for (const m of json) {
      manifests.push(m);
      sourced.push({ manifest: m, path: paths.get(objectKey(m?.apiVersion, m?.kind, m?.metadata?.namespace, m?.metadata?.name)) ?? chart.node.path });
    }
  }
  const validator = new MeshValidator(options).withExternalPrincipals(collectExternalPrincipals(root, all));
  const findings: Finding[] = collectFindings(root, all).map((f) => ({ code: f.code, level: f.level, message: f.message, path: f.path }));
  findings.push(...validator.validate(sourced));
  return { manifests, findings: applyConstructSuppressions(root, findings, all) };
}

function objectKey(apiVersion: unknown, kind: unknown, namespace: unknown, name: unknown): string {
  return `${apiVersion}\u0000${kind}\u0000${namespace ?? ''}\u0000${name}`;
}
