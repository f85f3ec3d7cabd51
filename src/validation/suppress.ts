/**
 * Turning a finding code off, always with a reason: on a construct (applies to every object under
 * it), in validator options, or with an annotation on the object itself.
 */
import { codeUnitOrder } from '../private/order';
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { addSynthHook, runSynthHooks } from '../private/synth-hooks';
import { ANALYZE_SUPPRESS_ANNOTATION, analyzeSuppressCode, analyzeSuppressUnhonoured } from '../rules/annotations';
import { fail } from '../private/errors';
import { Finding } from './types';

const KEY = 'cdk8s-istio/suppress';

/**
 * The annotation that suppresses codes on one object: `"IST0118: reason; CI3001: other reason"`. Read by
 * lint, the plugin and synth. Its domain ends in `istio.io`, so Istio's IST0108 reports it as an unknown
 * annotation on a Namespace, Service, Pod or Deployment: there, use {@link ANALYZE_SUPPRESS_ANNOTATION}.
 */
export const SUPPRESS_ANNOTATION = 'validation.cdk8s-istio.io/suppress';

/**
 * Istio's own per-object suppression annotation, `galley.istio.io/analyze-suppress`: comma-separated codes
 * (no spaces), or `*`. `istioctl analyze`, `cdk8s-istio lint`, the cdk8s plugin and synth all drop the listed
 * codes on the object that carries it. Synth writes it on every object a {@link Validation.suppress} covers.
 */
export { ANALYZE_SUPPRESS_ANNOTATION } from '../rules/annotations';

/**
 * The annotation synth writes beside {@link ANALYZE_SUPPRESS_ANNOTATION} on an object a
 * {@link Validation.suppress} covers: the reasons, as JSON `{"<code>": "<reason>"}` (reasons of several
 * suppressions of one code joined with `; `). For the reader only: the codes of Istio's annotation are what
 * the checks honour. Its prefix is outside `istio.io`, so Istio's IST0108 leaves it alone on every kind.
 */
export const SUPPRESS_REASONS_ANNOTATION = 'cdk8s-istio/suppress-reasons';

// The annotation the renderers write on AuthorizationPolicies naming declared external principals.
export { EXTERNAL_PRINCIPALS_ANNOTATION } from '../private/annotations';

/** One suppressed finding code. */
export interface Suppression {
  /** The finding code, e.g. `IST0118` or `CI3001`. */
  readonly code: string;
  /** Why it is fine to ignore it. Required: a suppression without a reason is an error (CI9001). */
  readonly reason: string;
  /**
   * The object it applies to, as `Kind/namespace/name`; each part may be `*`.
   * @default - every object
   */
  readonly object?: string;
}

/** Suppressions recorded on a construct and everything under it. */
export class Suppressions {
  /** The suppressions of `scope`. */
  public static of(scope: IConstruct): Suppressions {
    return new Suppressions(scope);
  }

  private constructor(private readonly scope: IConstruct) {}

  /**
   * Turns `code` off for every object synthesized under this construct, and for warnings the
   * constructs under it record. The reason is printed with the suppression count.
   */
  public suppress(code: string, reason: string): void {
    // synth writes the code into Istio's annotation, where a space or a comma would change what it says
    const bad = analyzeSuppressCode(code);
    if (bad) fail(this.scope, 'suppress.code', code, bad, typeof code === 'string' && code.trim() !== code ? `write ${JSON.stringify(code.trim())}` : 'suppress one code per call, e.g. \'IST0118\'');
    this.scope.node.addMetadata(KEY, { code, reason });
    carryIntoOutput(this.scope);
  }
}

const CARRIED_ROOTS = new WeakSet<IConstruct>();

/**
 * Makes synth write the construct suppressions into the objects they cover (see
 * {@link writeSuppressionAnnotations}), once per app: as an annotate step of the app's synth hooks
 * (MeshApp, MeshTesting, a plain App with a Mesh), and from a construct validation of the first
 * suppressing scope, which cdk8s runs before it collects objects under any App or `Testing.synth` (the
 * hooks are idempotent).
 */
function carryIntoOutput(scope: IConstruct): void {
  const root = scope.node.root;
  if (CARRIED_ROOTS.has(root)) return;
  CARRIED_ROOTS.add(root);
  addSynthHook(root, () => writeSuppressionAnnotations(root), 'annotate');
  scope.node.addValidation({
    validate: () => {
      runSynthHooks(root);
      return [];
    },
  });
}

/**
 * Writes every construct suppression of the app `root` onto the objects it covers (each `ApiObject` at
 * or under the suppressing construct, as the synth filter matches findings by construct path), so that
 * `cdk8s-istio lint` of the output, the cdk8s plugin and `istioctl analyze` drop the same findings synth
 * dropped: the codes go into Istio's {@link ANALYZE_SUPPRESS_ANNOTATION} (merged with codes the object
 * already lists, sorted), the reasons into {@link SUPPRESS_REASONS_ANNOTATION}. A suppression without a
 * reason is not written (it fails synth, CI9001). Idempotent.
 */
export function writeSuppressionAnnotations(root: IConstruct): void {
  const all = root.node.findAll();
  const sups = collectSuppressions(root, all).filter((s) => typeof s.reason === 'string' && s.reason.trim() !== '' && typeof s.code === 'string' && s.code !== '');
  if (sups.length === 0) return;
  for (const c of all) {
    if (!ApiObject.isApiObject(c)) continue;
    const p = c.node.path;
    const covering = sups.filter((s) => p === s.path || p.startsWith(s.path + '/'));
    if (covering.length === 0) continue;
    const current = (c.metadata.toJson().annotations ?? {}) as Record<string, string>;
    const codes = new Set((current[ANALYZE_SUPPRESS_ANNOTATION] ?? '').split(',').filter((x) => x !== ''));
    const reasons = new Map<string, string[]>();
    for (const s of covering) {
      codes.add(s.code);
      const list = reasons.get(s.code) ?? [];
      if (!list.includes(s.reason.trim())) list.push(s.reason.trim());
      reasons.set(s.code, list);
    }
    c.metadata.addAnnotation(ANALYZE_SUPPRESS_ANNOTATION, [...codes].sort(codeUnitOrder).join(','));
    const json: Record<string, string> = {};
    for (const code of [...reasons.keys()].sort(codeUnitOrder)) json[code] = reasons.get(code)!.join('; ');
    c.metadata.addAnnotation(SUPPRESS_REASONS_ANNOTATION, JSON.stringify(json));
  }
}

const EXTERNAL_KEY = 'cdk8s-istio/external-principal';

/** Entry points for validation settings on constructs. */
export class Validation {
  /** Same as `Suppressions.of(scope).suppress(code, reason)`. */
  public static suppress(scope: IConstruct, code: string, reason: string): void {
    Suppressions.of(scope).suppress(code, reason);
  }

  /**
   * Declares a principal that lives outside this app (e.g. the ingress gateway's service account),
   * so that AuthorizationPolicies may name it without a CI3002 error. {@link MeshApp} passes every
   * declaration in its tree to its {@link MeshValidator}s.
   * @example Validation.declareExternalPrincipal(this, 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account')
   */
  public static declareExternalPrincipal(scope: IConstruct, principal: string): void {
    scope.node.addMetadata(EXTERNAL_KEY, principal);
  }
}

/** Every principal declared external under `root`, sorted and deduplicated. */
export function collectExternalPrincipals(root: IConstruct, nodes: readonly IConstruct[] = root.node.findAll()): string[] {
  const out = new Set<string>();
  for (const c of nodes) {
    for (const m of c.node.metadata) if (m.type === EXTERNAL_KEY && typeof m.data === 'string') out.add(m.data);
  }
  return [...out].sort();
}

/** A suppression recorded on a construct, with its path. */
export interface ConstructSuppression {
  readonly code: string;
  readonly reason: string;
  readonly path: string;
}

/** Every suppression recorded under `root`. */
export function collectSuppressions(root: IConstruct, nodes: readonly IConstruct[] = root.node.findAll()): ConstructSuppression[] {
  const out: ConstructSuppression[] = [];
  for (const c of nodes) {
    for (const m of c.node.metadata) {
      if (m.type === KEY) out.push({ ...(m.data as { code: string; reason: string }), path: c.node.path });
    }
  }
  return out;
}

/**
 * Removes the findings that construct suppressions cover (a finding whose construct path is at or
 * under the suppression's construct), and reports suppressions without a reason as CI9001 errors.
 * A validation finding that repeats a construct's warning is left out as well (see
 * {@link withoutRepeatedWarnings}).
 */
export function applyConstructSuppressions(root: IConstruct, findings: readonly Finding[], nodes: readonly IConstruct[] = root.node.findAll()): Finding[] {
  const sups = collectSuppressions(root, nodes);
  findings = withoutRepeatedWarnings(findings);
  if (sups.length === 0) return [...findings];
  const out: Finding[] = [];
  const valid = sups.filter((s) => typeof s.reason === 'string' && s.reason.trim() !== '');
  for (const s of sups) {
    if (!valid.includes(s)) {
      out.push({ code: 'CI9001', level: 'error', path: s.path, message: `suppression of ${s.code} has no reason: give one, e.g. Validation.suppress(scope, '${s.code}', 'why this is fine')` });
    }
  }
  for (const f of findings) {
    const hit = valid.some((s) => s.code === f.code && f.path !== undefined && (f.path === s.path || f.path.startsWith(s.path + '/')));
    if (!hit) out.push(f);
  }
  return out;
}

/**
 * The findings without the validation findings (about an object) that repeat a construct's own
 * warning word for word after the field they name: same code, same text after the first `: `. A
 * construct that warns about its input (e.g. CI3011 at `props.rules[0]`) and lint's check of the object
 * it renders (CI3011 at `spec.http[0]`) state one rule (src/rules) in one text, so synth prints the
 * warning that names the property the user wrote, once.
 */
export function withoutRepeatedWarnings(findings: readonly Finding[]): Finding[] {
  const tail = (m: string) => m.slice(m.indexOf(': ') + 2);
  const said = new Set<string>();
  for (const f of findings) if (f.kind === undefined && f.level !== 'error' && f.message.includes(': ')) said.add(`${f.code}\u0000${tail(f.message)}`);
  if (said.size === 0) return [...findings];
  return findings.filter((f) => f.kind === undefined || !f.message.includes(': ') || !said.has(`${f.code}\u0000${tail(f.message)}`));
}

/** Whether a `Kind/namespace/name` pattern (parts may be `*`) matches the finding's object. */
export function objectMatches(pattern: string | undefined, f: Finding): boolean {
  if (!pattern) return true;
  const [k, ns, n] = pattern.split('/');
  const eq = (p: string | undefined, v: string | undefined) => p === undefined || p === '*' || p === (v ?? '');
  return eq(k, f.kind) && eq(ns, f.namespace) && eq(n, f.name);
}

/** Finding code: an `analyze-suppress` entry Istio does not honour as written (spaces around a code). */
export const WARN_ANALYZE_SUPPRESS_SPACES = 'CI9002';

/**
 * CI9002 warnings for one manifest's `galley.istio.io/analyze-suppress` annotation: each entry with spaces
 * around its code, which `istioctl analyze` compares exactly (pkg/config/analysis/local/istiod_analyze.go
 * `filterMessages`: `strings.Split(value, ",")`, no trimming), so that code is not suppressed there. Lint
 * matches as Istio does (rules/annotations.ts analyzeSuppresses) and says so.
 */
export function analyzeSuppressWarnings(manifest: any): Array<{ code: string; level: 'warning'; message: string }> {
  const value = manifest?.metadata?.annotations?.[ANALYZE_SUPPRESS_ANNOTATION];
  return analyzeSuppressUnhonoured(value).map((u) => ({
    code: WARN_ANALYZE_SUPPRESS_SPACES,
    level: 'warning' as const,
    message: `metadata.annotations[${JSON.stringify(ANALYZE_SUPPRESS_ANNOTATION)}]: entry ${JSON.stringify(u.entry)} of ${JSON.stringify(value)} has spaces around ${u.code}: istioctl analyze (and lint, as it) splits the value at ',' and compares each entry exactly, so ${u.code} is not suppressed. Hint: write ${JSON.stringify(String(value).split(',').map((e) => e.trim()).filter((e) => e !== '').join(','))}`,
  }));
}

/** Parses the suppress annotation: `"CODE: reason; CODE: reason"`. */
export function parseSuppressAnnotation(value: unknown): Array<{ code: string; reason: string }> {
  if (typeof value !== 'string') return [];
  return value
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const i = s.indexOf(':');
      return i < 0 ? { code: s, reason: '' } : { code: s.slice(0, i).trim(), reason: s.slice(i + 1).trim() };
    });
}
