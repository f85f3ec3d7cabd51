/**
 * The validation layer: every object of one deployable set checked the way `kubectl apply` against
 * an Istio 1.30 cluster plus `istioctl analyze` would check it.
 *
 * Code scheme: CI1xxx API server (CI10xx CRD schema and metadata, CI11xx CEL, CI12xx core kinds),
 * CI2xxx istiod webhook (CI26xx mesh config), CI3xxx our cross-object checks, CI9xxx validation settings; ISTxxxx are
 * Istio's own analyzer codes.
 */
import { analyze } from './analyzers';
import type { IstioMeshConfig } from './analyzers';
import { checkCel } from './cel';
import { checkCoreKind } from './core-kinds';
import { compareFindings, RawFinding } from './report';
import { checkMeshConfigManifest } from './mesh-config-manifests';
import { checkMetadata, checkSchema } from './schema';
import { analyzeSuppressWarnings, objectMatches, parseSuppressAnnotation, Suppression, SUPPRESS_ANNOTATION } from './suppress';
import { ANALYZE_SUPPRESS_ANNOTATION, analyzeSuppresses } from '../rules/annotations';
import { Finding, IManifestValidator, SourcedManifest } from './types';
import { checkWebhook } from './webhook';
import { withoutFollowOnFindings } from './follow-on';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';

/** Which families of checks run. Each defaults to true. */
export interface ValidationChecks {
  /** CRD structural schema and metadata (CI10xx). */
  readonly schema?: boolean;
  /** CEL `x-kubernetes-validations` rules (CI11xx). */
  readonly cel?: boolean;
  /** Core kinds against Kubernetes' schemas (CI12xx). */
  readonly coreKinds?: boolean;
  /** istiod webhook rules (CI2xxx). */
  readonly webhook?: boolean;
  /** Cross-object checks (ISTxxxx, CI3xxx). */
  readonly analyzers?: boolean;
}

/** Options of {@link validateManifests} and {@link MeshValidator}. */
export interface ValidationOptions {
  /** Codes turned off, each with a reason (a missing reason is itself an error, CI9001). */
  readonly suppress?: readonly Suppression[];
  /**
   * Principals that AuthorizationPolicies may name although no ServiceAccount in the set declares
   * them, e.g. `cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account`.
   * `*` prefix/suffix patterns are allowed.
   * @default - none
   */
  readonly externalPrincipals?: readonly string[];
  /**
   * The mesh root namespace.
   * @default - the mesh config's rootNamespace, else 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The namespace the analyzers place objects in whose manifest names none, like `istioctl analyze -n`.
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * The mesh config the analyzers run with, parsed (`cdk8s-istio lint --mesh-config FILE`); it wins over
   * mesh config found in the set.
   * @default - the set's (IstioOperator spec.meshConfig, ConfigMap istio key mesh), else Istio's defaults
   */
  readonly meshConfig?: IstioMeshConfig;
  /**
   * The mesh networks the analyzers run with, parsed (`cdk8s-istio lint --mesh-networks FILE`).
   * @default - key `meshNetworks` of the set's mesh ConfigMap, if any
   */
  readonly meshNetworks?: Readonly<Record<string, unknown>>;
  /**
   * The cluster DNS suffix the analyzers complete short hosts with.
   * @default 'cluster.local'
   */
  readonly domainSuffix?: string;
  /**
   * Which families of checks run.
   * @default - all
   */
  readonly checks?: ValidationChecks;
}

function withObject(f: RawFinding, src: SourcedManifest): Finding {
  const m = src.manifest ?? {};
  return {
    code: f.code,
    level: f.level,
    message: f.message,
    kind: typeof m.kind === 'string' ? m.kind : undefined,
    namespace: typeof m.metadata?.namespace === 'string' ? m.metadata.namespace : undefined,
    name: typeof m.metadata?.name === 'string' ? m.metadata.name : undefined,
    ...(src.path !== undefined ? { path: src.path } : {}),
    ...(src.file !== undefined ? { file: src.file } : {}),
    ...(src.document !== undefined ? { document: src.document } : {}),
    ...(src.item !== undefined ? { item: src.item } : {}),
  };
}

/** Per-object checks: API server (schema, CEL, core kinds) and webhook. */
function checkObject(m: any, checks: ValidationChecks): RawFinding[] {
  if (!m || typeof m !== 'object' || Array.isArray(m)) {
    return [{ code: 'CI1004', level: 'error', message: `a manifest must be a mapping with apiVersion, kind and metadata, not ${m === null || m === undefined ? 'null' : Array.isArray(m) ? 'a list' : `a ${typeof m}`}` }];
  }
  if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string' || !m.apiVersion || !m.kind) {
    const field = typeof m.apiVersion !== 'string' || !m.apiVersion ? 'apiVersion' : 'kind';
    const v = m[field];
    // present with the wrong type is not "missing" (consumer trial F7)
    return [{ code: 'CI1004', level: 'error', message: v === undefined || v === null || v === '' ? `${field}: required field is missing` : `${field}: ${JSON.stringify(v)} is invalid: must be a string` }];
  }
  const out: RawFinding[] = [];
  if (checks.schema !== false) out.push(...checkMetadata(m));
  const core = checks.coreKinds !== false ? checkCoreKind(m) : undefined;
  if (core) {
    out.push(...core);
  } else if (checks.schema !== false || checks.cel !== false) {
    const structural = checkSchema(m);
    if (structural === undefined) {
      // IstioOperator has no pinned schema, but its profile and mesh config are checked (CI26xx).
      if (!(m.kind === 'IstioOperator' && m.apiVersion.startsWith('install.istio.io/'))) {
        out.push({ code: 'CI1000', level: 'info', message: `${m.apiVersion} ${m.kind} is not a kind the pinned schemas know: only metadata was checked` });
      }
    } else {
      if (checks.schema !== false) out.push(...structural);
      // As with a broken structural schema the API server never reaches CEL, and CEL on
      // mistyped values only produces "not evaluated" noise.
      if (checks.cel !== false && structural.length === 0) out.push(...checkCel(m));
    }
  }
  if (checks.webhook !== false) out.push(...checkWebhook(m), ...checkMeshConfigManifest(m));
  return out;
}

/**
 * Validates one deployable set of manifests: structural schema and CEL for the pinned CRDs,
 * Kubernetes' schemas for core kinds, istiod's webhook rules, and the cross-object analyzer checks.
 * Findings come back in a stable order (file, kind, namespace, name, level, code, message).
 */
export function validateManifests(manifests: readonly SourcedManifest[], options: ValidationOptions = {}): Finding[] {
  const v = new SetValidation(options);
  v.add(manifests);
  return v.finish();
}

/** How a {@link SetValidation} splits its work. */
export interface SetValidationMode {
  /**
   * Run the per-object checks (schema, CEL, core kinds, webhook, duplicate names) as objects are
   * added. `false` only collects the objects, for a caller that gets their per-object findings from
   * elsewhere (the validation worker) and passes them to {@link SetValidation.complete}.
   * @default true
   */
  readonly perObject?: boolean;
}

/**
 * Validation of one deployable set that arrives in chunks: per-object checks (schema, CEL, core kinds,
 * webhook) run as each chunk is added, the cross-object analyzers and suppressions once at the end.
 * `validateManifests` is this with a single chunk, so both give the same findings.
 *
 * The two halves can run in different threads over the same objects in the same order: one
 * instance's {@link perObjectFindings} and another's {@link crossObjectFindings}, joined by
 * {@link complete}, are exactly what {@link finish} gives (MeshApp runs the analyzers on the main
 * thread while the worker finishes the per-object checks).
 */
export class SetValidation {
  private readonly checks: ValidationChecks;
  private readonly findings: Finding[] = [];
  private readonly manifests: SourcedManifest[] = [];
  private readonly bySource = new Map<any, SourcedManifest>();
  private readonly identities = new Map<string, SourcedManifest>();
  private readonly unavailable = new Set<string>();
  private readonly perObject: boolean;

  constructor(private readonly options: ValidationOptions = {}, mode: SetValidationMode = {}) {
    this.checks = options.checks ?? {};
    this.perObject = mode.perObject ?? true;
  }

  /** Runs the per-object checks on more objects of the set. */
  public add(chunk: readonly SourcedManifest[]): void {
    const findings = this.findings;
    for (const src of chunk) {
      this.manifests.push(src);
      this.bySource.set(src.manifest, src);
      if (!this.perObject) continue;
      const m = src.manifest;
      if (m && typeof m === 'object' && typeof m.kind === 'string' && typeof m.metadata?.name === 'string') {
        const id = `${String(m.apiVersion).split('/').length > 1 ? String(m.apiVersion).split('/')[0] : ''}|${m.kind}|${m.metadata.namespace ?? ''}|${m.metadata.name}`;
        const first = this.identities.get(id);
        if (first) {
          const where = first.path ?? first.file;
          findings.push(withObject({ code: 'CI1007', level: 'error', message: `metadata.name: another ${m.kind} named ${JSON.stringify(m.metadata.name)} is already in this set${where ? ` (${where})` : ''}; the later one would overwrite it` }, src));
        } else this.identities.set(id, src);
      }
      for (const f of checkObject(src.manifest, this.checks)) {
        // An unavailable core-kind validator is reported once per kind, not once per object.
        if (f.code === 'CI1202') {
          if (this.unavailable.has(m?.kind)) continue;
          this.unavailable.add(m?.kind);
        }
        findings.push(withObject(f, src));
      }
    }
  }

  /** The findings of the per-object checks so far, unsuppressed and in the order they were found. */
  public perObjectFindings(): Finding[] {
    return [...this.findings];
  }

  /** The findings of the cross-object analyzers over every object added, unsuppressed. */
  public crossObjectFindings(): Finding[] {
    if (this.checks.analyzers === false) return [];
    const analyzed = analyze(
      this.manifests.map((s) => s.manifest),
      {
        externalPrincipals: this.options.externalPrincipals,
        rootNamespace: this.options.rootNamespace,
        defaultNamespace: this.options.defaultNamespace,
        meshConfig: this.options.meshConfig,
        meshNetworks: this.options.meshNetworks,
        domainSuffix: this.options.domainSuffix,
      },
    );
    return analyzed.map((f) => withObject(f, this.bySource.get(f.target) ?? { manifest: f.target }));
  }

  /** Per-object and cross-object findings of this set joined: suppressions applied, sorted. */
  public complete(perObject: readonly Finding[], crossObject: readonly Finding[]): Finding[] {
    // a later check on a field the schema found mistyped only repeats it (follow-on.ts)
    return applySuppressions(withoutFollowOnFindings([...perObject, ...crossObject]), this.manifests, this.options.suppress ?? []).sort(compareFindings);
  }

  /** Runs the cross-object analyzers over the whole set and returns every finding, suppressed and sorted. */
  public finish(): Finding[] {
    return this.complete(this.findings, this.crossObjectFindings());
  }
}

function applySuppressions(findings: Finding[], manifests: readonly SourcedManifest[], suppress: readonly Suppression[]): Finding[] {
  const out: Finding[] = [];
  const valid: Suppression[] = [];
  for (const s of suppress) {
    if (typeof s.reason !== 'string' || s.reason.trim() === '') {
      out.push({ code: 'CI9001', level: 'error', message: `suppression of ${s.code}${s.object ? ` for ${s.object}` : ''} has no reason: every suppression needs one` });
    } else valid.push(s);
  }
  // Per-object suppressions from the annotations: ours (with reasons), and Istio's analyze-suppress
  // (codes only), honoured as istioctl analyze honours it.
  const annotated = new Map<string, Set<string>>();
  const istioSuppressed = new Map<string, unknown>();
  for (const src of manifests) {
    const istio = src.manifest?.metadata?.annotations?.[ANALYZE_SUPPRESS_ANNOTATION];
    if (istio !== undefined) {
      istioSuppressed.set(objectKey(src.manifest), istio);
      // entries Istio does not honour as written (CI9002), themselves subject to the suppressions below
      for (const w of analyzeSuppressWarnings(src.manifest)) findings.push(withObject(w, src));
    }
    const ann = src.manifest?.metadata?.annotations?.[SUPPRESS_ANNOTATION];
    if (ann === undefined) continue;
    for (const s of parseSuppressAnnotation(ann)) {
      if (!s.reason) {
        out.push(withObject({ code: 'CI9001', level: 'error', message: `metadata.annotations[${JSON.stringify(SUPPRESS_ANNOTATION)}]: suppression of ${s.code} has no reason: write "${s.code}: why this is fine"` }, src));
        continue;
      }
      const key = objectKey(src.manifest);
      annotated.set(key, (annotated.get(key) ?? new Set()).add(s.code));
    }
  }
  for (const f of findings) {
    if (valid.some((s) => s.code === f.code && objectMatches(s.object, f))) continue;
    const key = `${f.kind}/${f.namespace ?? ''}/${f.name ?? ''}`;
    if (annotated.get(key)?.has(f.code)) continue;
    if (istioSuppressed.size > 0 && f.kind !== undefined && analyzeSuppresses(istioSuppressed.get(key), f.code)) continue;
    out.push(f);
  }
  return out;
}

function objectKey(m: any): string {
  return `${m?.kind}/${m?.metadata?.namespace ?? ''}/${m?.metadata?.name ?? ''}`;
}

const MESH_VALIDATOR_BRAND = brandSymbol('MeshValidator');

/**
 * The validator {@link MeshApp} runs over every output folder by default: see
 * {@link validateManifests}.
 */
export class MeshValidator implements IManifestValidator {
  /** Whether `x` is a MeshValidator (works across copies of this package). */
  public static isMeshValidator(x: unknown): x is MeshValidator {
    return hasBrand(x, MESH_VALIDATOR_BRAND);
  }

  /** `x instanceof MeshValidator`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is MeshValidator {
    return hasBrand(x, MESH_VALIDATOR_BRAND);
  }

  /** The options every check runs with. */
  public readonly options: ValidationOptions;

  constructor(options: ValidationOptions = {}) {
    addBrand(this, MESH_VALIDATOR_BRAND);
    this.options = options;
  }

  /** Validates one deployable set. */
  public validate(manifests: readonly SourcedManifest[]): Finding[] {
    return validateManifests(manifests, this.options);
  }

  /** A validator with the same options plus these external principals. */
  public withExternalPrincipals(principals: readonly string[]): MeshValidator {
    if (principals.length === 0) return this;
    return new MeshValidator({ ...this.options, externalPrincipals: [...(this.options.externalPrincipals ?? []), ...principals] });
  }
}

export { celCoverage, resetCelCounters } from './cel';
export type { CelCoverage, CelRuntimeCounters } from './cel';
export { Suppressions, Validation, SUPPRESS_ANNOTATION } from './suppress';
export type { Suppression } from './suppress';
export type { AnalyzerOptions, IstioMeshConfig } from './analyzers';
