/**
 * Known differences between our lint / simulator and Istio's own code, each with its reason.
 * The conformance tests assert that these lists equal the differences they observe, so an entry
 * whose difference is fixed fails the test until it is removed (the list cannot rot).
 *
 * `onlyIstio`: (code, resource) pairs Istio's analyzers report and our lint does not;
 * `onlyOurs`: pairs our lint reports and Istio does not. Pairs are `CODE Kind ns/name`
 * (`Kind name` for an object without namespace), on the Istio codes our lint implements.
 */

/** A documented difference on one analyzer test case. */
export interface KnownCaseDifference {
  readonly onlyIstio: readonly string[];
  readonly onlyOurs: readonly string[];
  /** Why they differ: our bug (say so), a version difference, or a limit of the comparison. */
  readonly reason: string;
}

/** Differences on Istio's analyzer test data (test/conformance/analyzer-cases.test.ts), by case name. */
export const ANALYZER_CASE_DIFFERENCES: Readonly<Record<string, KnownCaseDifference>> = {
  "GatewayAPICRDVersionBelowMinimum": {
    onlyIstio: [],
    onlyOurs: ["IST0176 CustomResourceDefinition tlsroutes.gateway.networking.k8s.io"],
    reason:
      'VERSION DIFFERENCE (the harness, not us): IST0176 comes from k8sgateway.CRDVersionAnalyzer ' +
      '(pkg/config/analysis/analyzers/k8sgateway/crdversion.go), added on the release-1.30 branch by "[release-1.30] add istioctl ' +
      'analyzer for gateway api crds below minimum version" (#60361) and present at 1.30.3 (56df41f6); the harness\'s Istio, master at ' +
      'b01690e6db7d (the closest commit the Go module proxy serves, conformance/istio/README.md), predates it and has no such analyzer. ' +
      'Our lint reports what Istio 1.30.3\'s own test expects for this case (cases.json, test/validation/istio-analyzer-cases.test.ts).',
  },
};

/** The differential test's default seed and number of random sets (known-difference rules must all fire with these). */
export const DEFAULT_SEED = 20261130;
export const DEFAULT_RUNS = 200;

/** One difference the differential test observed. */
export interface DifferentialObservation {
  /** validation: our CI1/CI2 error on an object Istio accepts; lint: a (code, resource) pair one side lacks; route: different answers. */
  readonly kind: 'validation' | 'lint' | 'route';
  readonly side?: 'onlyIstio' | 'onlyOurs';
  /** `CODE Kind ns/name` for lint observations. */
  readonly pair?: string;
  readonly caseIndex: number;
  /** The generated set (objects and requests). */
  readonly case: { readonly objects: readonly any[]; readonly requests: readonly any[] };
  readonly request?: any;
  readonly istio?: any;
  readonly ours?: any;
  readonly detail: string;
}

/** A documented class of differences on random sets: which observations it explains, and why. */
export interface DifferentialRule {
  readonly id: string;
  /** Why our code and Istio's differ; "our bug" when it is ours to fix. */
  readonly reason: string;
  readonly explains: (o: DifferentialObservation) => boolean;
}

/** Known differences on random sets (test/conformance/differential.test.ts). */
export const DIFFERENTIAL_RULES: readonly DifferentialRule[] = [];

/**
 * Warning/Error findings of Istio's analyzers on the synthesized sets that are accepted, with the
 * reason (test/conformance/dist.test.ts): `<folder>: CODE Kind ns/name` → why. Everything else
 * Istio reports at Warning or Error fails the test.
 */
export const ACCEPTED_DIST_FINDINGS: Readonly<Record<string, string>> = {
  '.: IST0133 EnvoyFilter production/payment-service-local-ratelimit':
    'Istio\'s webhook warns on every EnvoyFilter ("EnvoyFilter exposes internal implementation details that may change at any time", pkg/config/validation/envoyfilter); ' +
    'the reference app\'s payment-service local rate limit needs one, Istio 1.30 has no first-class API for it (docs/traffic.md).',
};
