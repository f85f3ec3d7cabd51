import { Duration } from 'cdk8s';
import { ProgressiveIntent } from '../model';
import { fail } from '../private/errors';
import { flaggerDurationOf as checkFlaggerDuration } from '../rules/duration';
import { AnalysisWebhook, WebhookType } from './analysis-webhook';
import { MetricCheck } from './metric-check';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

/** What every analysis states. */
export interface AnalysisOptions {
  /**
   * How often Flagger runs one step: checks the metrics, calls the webhooks, then shifts traffic
   * (whole seconds, at least 1s).
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Failed checks after which Flagger rolls the canary back (an integer of at least 1).
   * @default 5
   */
  readonly threshold?: number;
  /**
   * Metrics checked at every step; names unique.
   * @default - none (the analysis then only runs webhooks; synth warns CI2002)
   */
  readonly metrics?: MetricCheck[];
  /**
   * Webhooks Flagger calls (tests, gates, notifications); names unique.
   * @default - none
   */
  readonly webhooks?: AnalysisWebhook[];
  /**
   * How long a rollout may make no progress before Flagger rolls it back
   * (`progressDeadlineSeconds`; whole seconds, at least 1s).
   * @default - Flagger's default (600s)
   */
  readonly progressDeadline?: Duration;
}

/** Options of {@link CanaryAnalysis.weighted}: `stepWeight` with `maxWeight`, or `stepWeights`. */
export interface WeightedAnalysisOptions extends AnalysisOptions {
  /**
   * Percent of traffic added to the canary at each step (1..100, at most `maxWeight`). Needs `maxWeight`.
   * @default - use `stepWeights`
   */
  readonly stepWeight?: number;
  /**
   * The canary's share at which Flagger promotes (1..100). Only with `stepWeight`.
   * @default - required with `stepWeight`
   */
  readonly maxWeight?: number;
  /**
   * Explicit canary shares, one per step, strictly increasing, each 1..100; the last is the
   * share at which Flagger promotes.
   * @example [1, 5, 10, 25, 50]
   * @default - use `stepWeight` and `maxWeight`
   */
  readonly stepWeights?: number[];
}

/** Options of {@link CanaryAnalysis.abTesting}. */
export interface AbTestingAnalysisOptions extends AnalysisOptions {
  /**
   * Steps the A/B test runs before promotion (an integer of at least 1). The requests the
   * CanaryRoute's rules send to the canary version go to the canary for the whole test.
   */
  readonly iterations: number;
}

const CANARY_ANALYSIS_BRAND = brandSymbol('CanaryAnalysis');

/**
 * The automated analysis Flagger runs when a CanaryRoute is delivered progressively
 * (`progressive` of {@link CanaryRouteProps}): a weighted canary that shifts traffic step by step,
 * or an A/B test that sends the requests matched by the route's rules to the canary.
 * @see https://docs.flagger.app/usage/deployment-strategies
 */
export class CanaryAnalysis implements IIntentConvertible<AnalysisSettings> {
  /** Whether `x` is a CanaryAnalysis (works across copies of this package). */
  public static isCanaryAnalysis(x: unknown): x is CanaryAnalysis {
    return hasBrand(x, CANARY_ANALYSIS_BRAND);
  }

  /** `CanaryAnalysis.isCanaryAnalysis(x)`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is CanaryAnalysis {
    return hasBrand(x, CANARY_ANALYSIS_BRAND);
  }

  /**
   * A weighted canary: the canary gets `stepWeight` more percent at every step that passes, up to
   * `maxWeight` (or the `stepWeights`, in order), then Flagger promotes it.
   * @example CanaryAnalysis.weighted({ stepWeight: 10, maxWeight: 50, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] })
   */
  public static weighted(options: WeightedAnalysisOptions): CanaryAnalysis {
    const where = 'CanaryAnalysis.weighted';
    const common = checkCommon(where, options);
    const { stepWeight, maxWeight, stepWeights } = options;
    if (stepWeights !== undefined) {
      if (stepWeight !== undefined || maxWeight !== undefined) {
        fail(where, 'options.stepWeights', stepWeights, 'stepWeights cannot be combined with stepWeight or maxWeight (its last step is the maximum)',
          'state either stepWeight + maxWeight or stepWeights');
      }
      if (!Array.isArray(stepWeights) || stepWeights.length === 0) {
        fail(where, 'options.stepWeights', stepWeights, 'stepWeights needs at least one step', 'e.g. [5, 10, 25, 50]');
      }
      stepWeights.forEach((w, i) => {
        checkWeight(where, `options.stepWeights[${i}]`, w);
        if (i > 0 && w <= stepWeights[i - 1]) {
          fail(where, `options.stepWeights[${i}]`, w, `steps must increase strictly (the step before is ${stepWeights[i - 1]})`, 'list the weights in increasing order, e.g. stepWeights: [5, 10, 25, 50]');
        }
      });
      return new CanaryAnalysis({ ...common, stepWeights: [...stepWeights] });
    }
    if (stepWeight === undefined) {
      fail(where, 'options.stepWeight', undefined, 'a weighted canary needs stepWeight (with maxWeight) or stepWeights',
        'e.g. { stepWeight: 10, maxWeight: 50 }');
    }
    checkWeight(where, 'options.stepWeight', stepWeight);
    if (maxWeight === undefined) {
      fail(where, 'options.maxWeight', undefined, 'stepWeight needs maxWeight, the canary share at which Flagger promotes', 'e.g. maxWeight: 50');
    }
    checkWeight(where, 'options.maxWeight', maxWeight);
    if (stepWeight > maxWeight) {
      fail(where, 'options.stepWeight', stepWeight, `stepWeight must not exceed maxWeight (${maxWeight})`, `lower stepWeight, or raise maxWeight to at least ${stepWeight}`);
    }
    return new CanaryAnalysis({ ...common, maxWeight, stepWeight });
  }

  /**
   * An A/B test: for `iterations` steps, the requests the CanaryRoute's rules send to the canary
   * version (header or cookie matches) go to the canary; everything else stays on the primary.
   * @example CanaryAnalysis.abTesting({ iterations: 10, metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })] })
   */
  public static abTesting(options: AbTestingAnalysisOptions): CanaryAnalysis {
    const where = 'CanaryAnalysis.abTesting';
    const common = checkCommon(where, options);
    if (!Number.isInteger(options.iterations) || options.iterations < 1) {
      fail(where, 'options.iterations', options.iterations, 'iterations must be an integer of at least 1', 'e.g. iterations: 10');
    }
    const gated = (options.webhooks ?? []).find((w) => w.type === WebhookType.CONFIRM_TRAFFIC_INCREASE.value);
    if (gated) {
      fail(where, 'options.webhooks', gated.name, 'a confirm-traffic-increase webhook gates weight steps, and an A/B test has none',
        'use confirm-rollout or confirm-promotion');
    }
    return new CanaryAnalysis({ ...common, iterations: options.iterations });
  }

  private constructor(private readonly settings: AnalysisSettings) {
    addBrand(this, CANARY_ANALYSIS_BRAND);
  }

  /** Whether this is an A/B test (iterations and matches) rather than a weighted canary. */
  public get isAbTesting(): boolean {
    return this.settings.iterations !== undefined;
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): AnalysisSettings {
    return this.settings;
  }
}

/** The analysis as stated, before the route adds versions and matches (read by CanaryRoute). */
export type AnalysisSettings = Omit<ProgressiveIntent, 'canaryVersion' | 'stableVersion' | 'matches'>;

function checkCommon(where: string, options: AnalysisOptions): AnalysisSettings {
  if (!options || typeof options !== 'object') fail(where, 'options', options, 'must be an object', "e.g. { interval: Duration.minutes(1), stepWeight: 10, maxWeight: 50 }");
  const interval = options.interval ?? Duration.minutes(1);
  const badInterval = checkFlaggerDuration(interval);
  if (badInterval) fail(where, 'options.interval', interval, badInterval, 'e.g. Duration.minutes(1)');
  const threshold = options.threshold ?? 5;
  if (!Number.isInteger(threshold) || threshold < 1) {
    fail(where, 'options.threshold', threshold, 'threshold must be an integer of at least 1 (failed checks before rollback)', 'e.g. threshold: 5 (the default)');
  }
  let progressDeadline: Duration | undefined;
  if (options.progressDeadline !== undefined) {
    const bad = checkFlaggerDuration(options.progressDeadline);
    if (bad) fail(where, 'options.progressDeadline', options.progressDeadline, bad, 'e.g. Duration.minutes(10), or leave progressDeadline out for the default');
    progressDeadline = options.progressDeadline;
    if (progressDeadline.toSeconds() < interval.toSeconds()) {
      fail(where, 'options.progressDeadline', progressDeadline, `the progress deadline must be at least one interval (${interval.toHumanString()})`, `e.g. Duration.minutes(${Math.max(10, Math.ceil(interval.toSeconds() / 60))})`);
    }
  }
  const metrics = options.metrics ?? [];
  if (!Array.isArray(metrics)) fail(where, 'options.metrics', metrics, 'must be an array of MetricCheck', 'e.g. metrics: [MetricCheck.requestSuccessRate({ minPercent: 99 })]');
  const names = new Set<string>();
  metrics.forEach((m, i) => {
    if (!(MetricCheck.isMetricCheck(m))) fail(where, `options.metrics[${i}]`, m, 'must be a MetricCheck', 'e.g. MetricCheck.requestSuccessRate({ minPercent: 99 })');
    if (names.has(m.name)) fail(where, `options.metrics[${i}]`, m.name, 'metric names must be unique (Flagger reports results by name)', 'give each metric check its own name, or drop the repeated one');
    names.add(m.name);
  });
  const webhooks = options.webhooks ?? [];
  if (!Array.isArray(webhooks)) fail(where, 'options.webhooks', webhooks, 'must be an array of AnalysisWebhook', "e.g. webhooks: [AnalysisWebhook.of({ name: 'load-test', url: 'http://flagger-loadtester.test/' })]");
  const hooks = new Set<string>();
  webhooks.forEach((w, i) => {
    if (!(AnalysisWebhook.isAnalysisWebhook(w))) fail(where, `options.webhooks[${i}]`, w, 'must be an AnalysisWebhook', "e.g. AnalysisWebhook.of({ name: 'load-test', url: 'http://flagger-loadtester.test/' })");
    if (hooks.has(w.name)) fail(where, `options.webhooks[${i}]`, w.name, 'webhook names must be unique', 'give each webhook its own name, or drop the repeated one');
    hooks.add(w.name);
  });
  return {
    interval: interval.toMilliseconds(),
    threshold,
    metrics: metrics.map((m) => m.toIntent()),
    webhooks: webhooks.map((w) => w.toIntent()),
    ...(progressDeadline ? { progressDeadline: progressDeadline.toMilliseconds() } : {}),
  };
}

function checkWeight(where: string, property: string, w: number): void {
  if (!Number.isInteger(w) || w < 1 || w > 100) fail(where, property, w, 'a weight is an integer percent in 1..100', 'e.g. 10');
}
