import { Duration } from 'cdk8s';
import { MetricCheckIntent } from '../model';
import { istioDurationOf as checkIstioDuration } from '../rules/duration';
import { fail } from '../private/errors';
import { nameHint, namespaceHint } from '../private/hints';
import { flaggerDurationOf as checkFlaggerDuration } from '../rules/duration';
import { dns1123Label } from '../rules/names';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

/** Options of {@link MetricCheck.requestSuccessRate}. */
export interface RequestSuccessRateOptions {
  /**
   * The lowest acceptable share of non-5xx responses, in percent: more than 0, at most 100.
   * @example 99
   */
  readonly minPercent: number;
  /**
   * The window the rate is computed over (whole seconds, at least 1s).
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
}

/** Options of {@link MetricCheck.requestDuration}. */
export interface RequestDurationOptions {
  /**
   * The highest acceptable P99 request duration (at least 1ms, whole milliseconds).
   * @example Duration.millis(500)
   */
  readonly maxP99: Duration;
  /**
   * The window the percentile is computed over (whole seconds, at least 1s).
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
}

/** Options of {@link MetricCheck.template}. */
export interface TemplateMetricOptions {
  /** The metric name shown in Flagger's events (a DNS-1123 label, not a builtin name). */
  readonly name: string;
  /** The Flagger `MetricTemplate` that holds the query. */
  readonly templateName: string;
  /**
   * Namespace of the MetricTemplate.
   * @default - the Canary's namespace
   */
  readonly templateNamespace?: string;
  /**
   * Lowest acceptable value.
   * @default - no lower bound
   */
  readonly min?: number;
  /**
   * Highest acceptable value.
   * @default - no upper bound
   */
  readonly max?: number;
  /**
   * The window of the query (whole seconds, at least 1s).
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
}

const BUILTINS = ['request-success-rate', 'request-duration'];

const METRIC_CHECK_BRAND = brandSymbol('MetricCheck');

/**
 * A metric Flagger checks at every analysis step; a step fails when the value leaves its range.
 * @see https://docs.flagger.app/usage/metrics
 */
export class MetricCheck implements IIntentConvertible<MetricCheckIntent> {
  /** Whether `x` is a MetricCheck (works across copies of this package). */
  public static isMetricCheck(x: unknown): x is MetricCheck {
    return hasBrand(x, METRIC_CHECK_BRAND);
  }

  /** `x instanceof MetricCheck`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is MetricCheck {
    return hasBrand(x, METRIC_CHECK_BRAND);
  }

  /**
   * Flagger's builtin `request-success-rate` (percent of non-5xx responses of the canary).
   * @example MetricCheck.requestSuccessRate({ minPercent: 99 })
   */
  public static requestSuccessRate(options: RequestSuccessRateOptions): MetricCheck {
    const where = 'MetricCheck.requestSuccessRate';
    const min = options?.minPercent;
    if (typeof min !== 'number' || !Number.isFinite(min) || min <= 0 || min > 100) {
      fail(where, 'options.minPercent', min, 'a success rate threshold is a percent greater than 0 and at most 100',
        'e.g. 99 (a threshold of 0 would never fail)');
    }
    return new MetricCheck({ name: 'request-success-rate', interval: interval(where, options.interval), min });
  }

  /**
   * Flagger's builtin `request-duration`: the canary's P99 request duration, in milliseconds.
   * @example MetricCheck.requestDuration({ maxP99: Duration.millis(500) })
   */
  public static requestDuration(options: RequestDurationOptions): MetricCheck {
    const where = 'MetricCheck.requestDuration';
    const bad = checkIstioDuration(options?.maxP99);
    if (bad) fail(where, 'options.maxP99', options?.maxP99, bad, 'e.g. Duration.millis(500)');
    return new MetricCheck({ name: 'request-duration', interval: interval(where, options.interval), max: options.maxP99.toMilliseconds() });
  }

  /** A metric defined by a Flagger `MetricTemplate` (Prometheus, Datadog, ... query), with a range. */
  public static template(options: TemplateMetricOptions): MetricCheck {
    const where = 'MetricCheck.template';
    const badName = typeof options?.name === 'string' ? dns1123Label(options.name) : 'must be a string';
    if (badName) fail(where, 'options.name', options?.name, `a metric name ${badName}`, nameHint(options?.name, dns1123Label, 'error-rate'));
    if (BUILTINS.includes(options.name)) {
      fail(where, 'options.name', options.name, 'this is a Flagger builtin metric name', `use MetricCheck.${options.name === 'request-duration' ? 'requestDuration' : 'requestSuccessRate'}`);
    }
    const badTemplate = typeof options.templateName === 'string' ? dns1123Label(options.templateName) : 'must be a string';
    if (badTemplate) fail(where, 'options.templateName', options.templateName, `a MetricTemplate name ${badTemplate}`, nameHint(options.templateName, dns1123Label, 'error-rate'));
    if (options.templateNamespace !== undefined) {
      const badNs = dns1123Label(options.templateNamespace);
      if (badNs) fail(where, 'options.templateNamespace', options.templateNamespace, `a namespace ${badNs}`, `${namespaceHint(options.templateNamespace, dns1123Label)}, or leave templateNamespace out for the canary's namespace`);
    }
    for (const p of ['min', 'max'] as const) {
      const v = options[p];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) fail(where, `options.${p}`, v, 'must be a finite number', `e.g. ${p}: ${p === 'min' ? 0 : 1}`);
    }
    if (options.min === undefined && options.max === undefined) {
      fail(where, 'options', 'no min or max', 'a metric check without a range can never fail', 'set min, max or both');
    }
    if (options.min !== undefined && options.max !== undefined && options.min > options.max) {
      fail(where, 'options.min', options.min, `min must not exceed max (${options.max}), or no value could pass`, `swap them: min: ${options.max}, max: ${options.min}`);
    }
    return new MetricCheck({
      name: options.name,
      interval: interval(where, options.interval),
      ...(options.min !== undefined ? { min: options.min } : {}),
      ...(options.max !== undefined ? { max: options.max } : {}),
      templateRef: { name: options.templateName, ...(options.templateNamespace ? { namespace: options.templateNamespace } : {}) },
    });
  }

  private constructor(private readonly intent: MetricCheckIntent) {
    addBrand(this, METRIC_CHECK_BRAND);
  }

  /** The metric name. */
  public get name(): string {
    return this.intent.name;
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): MetricCheckIntent {
    return this.intent;
  }
}

/** The checked interval, in milliseconds. */
function interval(where: string, d: Duration | undefined): number {
  const v = d ?? Duration.minutes(1);
  const bad = checkFlaggerDuration(v);
  if (bad) fail(where, 'options.interval', v, bad, 'e.g. Duration.minutes(1)');
  return v.toMilliseconds();
}
