import { Duration } from 'cdk8s';
import { AnalysisWebhookIntent } from '../model';
import { fail } from '../private/errors';
import { flaggerDurationOf as checkFlaggerDuration } from '../rules/duration';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

const WEBHOOK_TYPE_BRAND = brandSymbol('WebhookType');

/**
 * When Flagger calls a webhook during a release.
 * @see https://docs.flagger.app/usage/webhooks
 */
export class WebhookType {
  /** Whether `x` is a WebhookType (works across copies of this package). */
  public static isWebhookType(x: unknown): x is WebhookType {
    return hasBrand(x, WEBHOOK_TYPE_BRAND);
  }

  /** `WebhookType.isWebhookType(x)`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is WebhookType {
    return hasBrand(x, WEBHOOK_TYPE_BRAND);
  }

  /** Before traffic is routed to the canary; a failure holds the rollout (gate: must return 200 to start). */
  public static readonly CONFIRM_ROLLOUT = new WebhookType('confirm-rollout');
  /** Before traffic is shifted to the canary; failures count against the threshold (e.g. smoke tests). */
  public static readonly PRE_ROLLOUT = new WebhookType('pre-rollout');
  /** At every analysis step, e.g. a load test; failures count against the threshold. */
  public static readonly ROLLOUT = new WebhookType('rollout');
  /** Before the canary is promoted; a failure holds the promotion (manual gate). */
  public static readonly CONFIRM_PROMOTION = new WebhookType('confirm-promotion');
  /** After promotion or rollback, e.g. a notification; failures are only logged. */
  public static readonly POST_ROLLOUT = new WebhookType('post-rollout');
  /** On every Flagger event. */
  public static readonly EVENT = new WebhookType('event');
  /** While the analysis runs; a 200 response rolls the canary back (manual abort). */
  public static readonly ROLLBACK = new WebhookType('rollback');
  /** Before each weight increase (weighted canaries only); a failure holds the step. */
  public static readonly CONFIRM_TRAFFIC_INCREASE = new WebhookType('confirm-traffic-increase');

  private constructor(
    /** The type as Flagger writes it. */
    public readonly value: string,
  ) {
    addBrand(this, WEBHOOK_TYPE_BRAND);
  }

  /** The type. */
  public toString(): string {
    return this.value;
  }
}

/** Options of {@link AnalysisWebhook.of}. */
export interface AnalysisWebhookOptions {
  /** A name, unique within the analysis. */
  readonly name: string;
  /**
   * When Flagger calls it.
   * @default WebhookType.ROLLOUT
   */
  readonly type?: WebhookType;
  /**
   * An absolute http(s) URL, e.g. the Flagger load tester `http://flagger-loadtester.test/`.
   */
  readonly url: string;
  /**
   * How long Flagger waits for an answer (whole seconds, at least 1s).
   * @default - Flagger's default (10s)
   */
  readonly timeout?: Duration;
  /**
   * String metadata sent in the webhook payload (e.g. `cmd` for the load tester).
   * @default - none
   */
  readonly metadata?: { readonly [key: string]: string };
}

const ANALYSIS_WEBHOOK_BRAND = brandSymbol('AnalysisWebhook');

/**
 * A webhook Flagger calls during the analysis: gates (confirm-*), tests (pre-rollout, rollout),
 * notifications (post-rollout, event) or a manual abort (rollback).
 * @see https://docs.flagger.app/usage/webhooks
 */
export class AnalysisWebhook implements IIntentConvertible<AnalysisWebhookIntent> {
  /** Whether `x` is an AnalysisWebhook (works across copies of this package). */
  public static isAnalysisWebhook(x: unknown): x is AnalysisWebhook {
    return hasBrand(x, ANALYSIS_WEBHOOK_BRAND);
  }

  /** `AnalysisWebhook.isAnalysisWebhook(x)`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is AnalysisWebhook {
    return hasBrand(x, ANALYSIS_WEBHOOK_BRAND);
  }

  /**
   * A webhook.
   * @example AnalysisWebhook.of({ name: 'load-test', url: 'http://flagger-loadtester.test/', timeout: Duration.seconds(5), metadata: { cmd: 'hey -z 1m -q 10 -c 2 http://order-service-canary.production:8080/api/orders' } })
   */
  public static of(options: AnalysisWebhookOptions): AnalysisWebhook {
    const where = 'AnalysisWebhook.of';
    if (typeof options?.name !== 'string' || !/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(options.name) || options.name.length > 253) {
      fail(where, 'options.name', options?.name, 'a webhook name is a non-empty string of letters, digits, ".", "_" or "-"', "e.g. 'load-test'");
    }
    const type = options.type ?? WebhookType.ROLLOUT;
    if (!(WebhookType.isWebhookType(type))) fail(where, 'options.type', type, 'must be a WebhookType', 'e.g. WebhookType.PRE_ROLLOUT');
    checkUrl(where, options.url);
    if (options.timeout !== undefined) {
      const bad = checkFlaggerDuration(options.timeout);
      if (bad) fail(where, 'options.timeout', options.timeout, bad, 'e.g. Duration.seconds(15)');
    }
    let metadata: Record<string, string> | undefined;
    if (options.metadata !== undefined) {
      if (typeof options.metadata !== 'object' || options.metadata === null || Array.isArray(options.metadata)) {
        fail(where, 'options.metadata', options.metadata, 'metadata is a map of strings', "e.g. metadata: { cmd: 'hey -z 1m http://orders.shop:8080/' }");
      }
      metadata = {};
      for (const k of Object.keys(options.metadata).sort()) {
        const v = options.metadata[k];
        if (k.length === 0) fail(where, 'options.metadata', k, 'metadata keys must be non-empty', "name the entry, e.g. { cmd: '...' }");
        if (typeof v !== 'string') fail(where, `options.metadata.${k}`, v, 'metadata values must be strings (the CRD allows strings only)', `write the value as a string, e.g. ${JSON.stringify(String(v))}`);
        metadata[k] = v;
      }
    }
    return new AnalysisWebhook({
      name: options.name,
      type: type.value,
      url: options.url,
      ...(options.timeout ? { timeout: options.timeout.toMilliseconds() } : {}),
      ...(metadata ? { metadata } : {}),
    });
  }

  private constructor(private readonly intent: AnalysisWebhookIntent) {
    addBrand(this, ANALYSIS_WEBHOOK_BRAND);
  }

  /** The webhook name. */
  public get name(): string {
    return this.intent.name;
  }

  /** The webhook type (`rollout`, `pre-rollout`, ...). */
  public get type(): string {
    return this.intent.type;
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): AnalysisWebhookIntent {
    return this.intent;
  }
}

function checkUrl(where: string, url: string): void {
  const hint = "an absolute URL such as 'http://flagger-loadtester.test/'";
  if (typeof url !== 'string' || url.length === 0 || /\s/.test(url)) fail(where, 'options.url', url, 'a webhook URL must be a non-empty string without spaces', hint);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(where, 'options.url', url, 'not an absolute URL', hint);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    fail(where, 'options.url', url, `Flagger calls webhooks over HTTP; the scheme must be http or https, not "${parsed.protocol.replace(/:$/, '')}"`, hint);
  }
  if (!parsed.hostname) fail(where, 'options.url', url, 'the URL has no host', hint);
}
