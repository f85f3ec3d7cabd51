/**
 * Runs Istio 1.30.3's own analyzer test cases (test/fixtures/istio-analyzer-tests, see its README)
 * through our analyzers, the way Istio's harness (`analyzers_test.go`) runs them: one analyzer per
 * case, only its messages count, and a case passes when the multiset of (code, resource) pairs equals
 * the expected one (gomega `ConsistOf`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { analyze } from '../../src/validation/analyzers';
import { readManifests } from '../../src/validation/read';

export const CASES_DIR = path.join(__dirname, '..', 'fixtures', 'istio-analyzer-tests');

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

/**
 * The codes each Istio analyzer reports, read from its source (pkg/config/analysis/analyzers/<folder>/).
 * Only findings with these codes count for a case of that analyzer.
 */
export const ANALYZER_CODES: Readonly<Record<string, readonly string[]>> = {
  'annotations.K8sAnalyzer': ['IST0107', 'IST0108', 'IST0125', 'IST0135'],
  'authn.BlockedCIDRsAnalyzer': ['IST0175'],
  'authz.AuthorizationPoliciesAnalyzer': ['IST0101', 'IST0127'],
  'conditions.ConditionAnalyzer': ['IST0171'],
  'deployment.ApplicationUIDAnalyzer': ['IST0144'],
  'deployment.ServiceAssociationAnalyzer': ['IST0116', 'IST0137'],
  'deprecation.FieldAnalyzer': ['IST0002'],
  'destinationrule.CaCertificateAnalyzer': ['IST0128', 'IST0129'],
  'destinationrule.PodNotSelectedAnalyzer': ['IST0173', 'IST0174'],
  'envoyfilter.EnvoyPatchAnalyzer': ['IST0151', 'IST0152', 'IST0153', 'IST0154', 'IST0155'],
  'externalcontrolplane.ExternalControlPlaneAnalyzer': ['IST0163', 'IST0164'],
  'gateway.CertificateAnalyzer': ['IST0138'],
  'gateway.ConflictingGatewayAnalyzer': ['IST0101', 'IST0145'],
  'gateway.IngressGatewayPortAnalyzer': ['IST0101', 'IST0162'],
  'gateway.SecretAnalyzer': ['IST0101', 'IST0161'],
  'injection.Analyzer': ['IST0102', 'IST0103', 'IST0123', 'IST0148'],
  'injection.ImageAnalyzer': ['IST0158'],
  'injection.ImageAutoAnalyzer': ['IST0146', 'IST0147'],
  'k8sgateway.CRDVersionAnalyzer': ['IST0176'],
  'k8sgateway.SelectorAnalyzer': ['IST0166'],
  'maturity.AlphaAnalyzer': ['IST0136'],
  'multicluster.MeshNetworksAnalyzer': ['IST0126'],
  'schemaValidation.CollectionValidationAnalyzer(collections.VirtualService)': ['IST0106', 'IST0130', 'IST0131', 'IST0133'],
  'service.PortNameAnalyzer': ['IST0118', 'IST0150'],
  'serviceentry.ProtocolAddressesAnalyzer': ['IST0134'],
  'sidecar.SelectorAnalyzer': ['IST0101', 'IST0110', 'IST0111', 'IST0167'],
  'telemetry.DefaultSelectorAnalyzer': ['IST0160'],
  'telemetry.LightstepAnalyzer': ['IST0002'],
  'telemetry.ProviderAnalyzer': ['IST0157'],
  'telemetry.SelectorAnalyzer': ['IST0101', 'IST0159'],
  'virtualservice.ConflictingMeshGatewayHostsAnalyzer': ['IST0109'],
  'virtualservice.DestinationHostAnalyzer': ['IST0101', 'IST0112', 'IST0140'],
  'virtualservice.DestinationRuleAnalyzer': ['IST0101'],
  'virtualservice.GatewayAnalyzer': ['IST0101', 'IST0132', 'IST0165'],
  'virtualservice.JWTClaimRouteAnalyzer': ['IST0149'],
  'webhook.Analyzer': ['IST0139'],
};

/** Kinds Istio's file source treats as cluster-scoped (their namespace is cleared, so no `ns/` in the name). */
const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);

/** `Kind ns/name`, or `Kind name` without namespace, as Istio's `Origin.FriendlyName()` prints a resource. */
export function friendlyName(kind: string | undefined, namespace: string | undefined, name: string | undefined): string {
  return namespace && !CLUSTER_SCOPED.has(kind ?? '') ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

/** The outcome of one case. */
export interface CaseResult {
  readonly case: IstioCase;
  /** `CODE Kind ns/name`, sorted. */
  readonly actual: string[];
  readonly expected: string[];
  readonly pass: boolean;
}

/** Runs one case: the case's files as one set, only its analyzer's codes counted. */
export function runCase(c: IstioCase): CaseResult {
  const { manifests } = readManifests(c.files.map((f) => path.join(CASES_DIR, f)));
  const codes = new Set(ANALYZER_CODES[c.analyzer] ?? []);
  const findings = analyze(manifests.map((m) => m.manifest));
  const actual = findings
    .filter((f) => codes.has(f.code))
    .map((f) => `${f.code} ${friendlyName(f.target?.kind, f.target?.metadata?.namespace, f.target?.metadata?.name)}`)
    .sort();
  const expected = c.expected.map(([code, res]) => `${code} ${res}`).sort();
  const pass = codes.size > 0 && JSON.stringify(actual) === JSON.stringify(expected);
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
