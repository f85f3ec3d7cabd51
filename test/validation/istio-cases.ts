/**
 * Runs Istio 1.30.3's own analyzer test cases (test/fixtures/istio-analyzer-tests, see its README)
 * through our analyzers, the way Istio's harness (`analyzers_test.go`) runs them: one analyzer per
 * case, only its messages count, and a case passes when the multiset of (code, resource) pairs equals
 * the expected one (gomega `ConsistOf`).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { CLUSTER_SCOPED_KINDS } from '../../src/rules/kinds';
import { analyze, ANALYZERS, OPT_IN_ANALYZERS } from '../../src/validation/analyzers';
import { readManifests } from '../../src/validation/read';

export const CASES_DIR = path.join(__dirname, '..', 'fixtures', 'istio-analyzer-tests');

/** Istio's analyzer test folder beside the repo (../shared), read-only, with the pinned CRDs. */
const SHARED_CASES_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'istio-analyzer-tests');

/**
 * The path of a file of the analyzer tests (`testdata/...`, relative to the cases folder). The
 * vendored copy holds every file except the CustomResourceDefinition inputs, which stay out of the
 * repository (only generated imports/ is committed): those are read from ../shared. A file found in
 * neither place is an error, never a skipped case.
 */
export function caseFile(relative: string): string {
  const vendored = path.join(CASES_DIR, relative);
  if (fs.existsSync(vendored)) return vendored;
  const shared = path.join(SHARED_CASES_DIR, relative);
  if (fs.existsSync(shared)) return shared;
  throw new Error(`analyzer test file ${relative} is neither in ${CASES_DIR} nor in ${SHARED_CASES_DIR}`);
}

/** One case of cases.json. */
export interface IstioCase {
  readonly name: string;
  readonly analyzer: string;
  readonly files: readonly string[];
  readonly meshConfigFile?: string;
  readonly meshNetworksFile?: string;
  readonly skipAll?: boolean;
  readonly expected: ReadonlyArray<readonly [string, string]>;
}

export function istioCases(): IstioCase[] {
  return JSON.parse(fs.readFileSync(path.join(CASES_DIR, 'cases.json'), 'utf8'));
}

/** A case whose expected messages in cases.json differ from Istio's own analyzers_test.go, with Istio's. */
export interface Correction {
  readonly name: string;
  /** Where Istio's expectation is, in istio/istio at 1.30.3. */
  readonly source: string;
  readonly expected: ReadonlyArray<readonly [string, string]>;
}

/** corrections.json: the cases whose cases.json expectation disagrees with analyzers_test.go. */
export function corrections(): Correction[] {
  return JSON.parse(fs.readFileSync(path.join(CASES_DIR, 'corrections.json'), 'utf8'));
}

/**
 * Our analyzer of the same name; the case table names the schema analyzer by how the test builds it.
 */
export function ourAnalyzerName(istio: string): string {
  return istio === 'schemaValidation.CollectionValidationAnalyzer(collections.VirtualService)' ? 'schema.ValidationAnalyzer.VirtualService' : istio;
}

/**
 * `Kind ns/name`, or `Kind name` for an object without namespace (or of a cluster-scoped kind), as
 * Istio's `Origin.FriendlyName()` prints a resource (pkg/config/analysis/legacy/source/kube/origin.go).
 */
export function friendlyName(kind: string | undefined, namespace: string | undefined, name: string | undefined): string {
  return namespace && !CLUSTER_SCOPED_KINDS.has(kind ?? '') ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

/** The outcome of one case. */
export interface CaseResult {
  readonly case: IstioCase;
  /** `CODE Kind ns/name`, sorted. */
  readonly actual: string[];
  readonly expected: string[];
  readonly pass: boolean;
}

/**
 * Runs one case as Istio's harness does (`setupAnalyzerForCase`): the case's files as one set, objects
 * without namespace in no namespace (the harness's default namespace is empty), only `Pod` objects as
 * pods, istioctl's default ingress gateway added, the case's mesh config and mesh networks files, and
 * only the case's analyzer. A case whose analyzer we do not implement fails.
 */
export function runCase(c: IstioCase, options: { readonly lintDefaults?: boolean } = {}): CaseResult {
  const { manifests } = readManifests(c.files.map((f) => caseFile(f)));
  const name = ourAnalyzerName(c.analyzer);
  const implemented = [...ANALYZERS, ...OPT_IN_ANALYZERS].some((a) => a.name === name);
  const yamlFile = (f: string | undefined) => (f ? (jsyaml.load(fs.readFileSync(caseFile(f), 'utf8')) as Record<string, unknown>) : undefined);
  const findings = analyze(manifests.map((m) => m.manifest), {
    analyzers: [name],
    ...(options.lintDefaults ? {} : { defaultNamespace: '', podTemplates: false, defaultResources: true }),
    meshConfig: yamlFile(c.meshConfigFile),
    meshNetworks: yamlFile(c.meshNetworksFile),
  });
  const actual = findings
    .map((f) => `${f.code} ${friendlyName(f.target.kind, f.target.metadata?.namespace, f.target.metadata?.name)}`)
    .sort();
  const expected = c.expected.map(([code, res]) => `${code} ${res}`).sort();
  const pass = implemented && JSON.stringify(actual) === JSON.stringify(expected);
  return { case: c, actual, expected, pass };
}

/** The known failures listed in docs/validation.md (section "Istio's own analyzer tests"): case name → reason. */
export function documentedFailures(): Map<string, string> {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'validation.md'), 'utf8');
  const start = doc.indexOf('### Cases that do not pass');
  if (start < 0) throw new Error('docs/validation.md has no "### Cases that do not pass" section');
  const section = doc.slice(start).split('\n').slice(1);
  const out = new Map<string, string>();
  for (const line of section) {
    if (line.startsWith('#')) break;
    // | case name | `analyzer` | reason |
    const m = /^\| (.+?) \| `([^`]+)` \| (.+) \|$/.exec(line);
    if (m && m[1] !== 'case') out.set(m[1], m[3]);
  }
  return out;
}
