import { Duration } from 'cdk8s';
import { RetryIntent } from '../model';
import { fail } from '../private/errors';
import { istioDurationOf } from '../rules/duration';
import { knownHttpStatus, RETRY_ON_POLICIES, retryOnToken } from '../rules/http';
import { INT32_MAX } from '../rules/numbers';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

const NAMED = new Map<string, RetryOn>();

const RETRY_ON_BRAND = brandSymbol('RetryOn');

/**
 * One `retryOn` condition. Rendered comma-joined without spaces, as Istio requires.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export class RetryOn {
  /** Whether `x` is a RetryOn (works across copies of this package). */
  public static isRetryOn(x: unknown): x is RetryOn {
    return hasBrand(x, RETRY_ON_BRAND);
  }

  /** `RetryOn.isRetryOn(x)`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is RetryOn {
    return hasBrand(x, RETRY_ON_BRAND);
  }

  /** Any 5xx response, connect failure or reset. */
  public static readonly FIVE_XX = RetryOn.named('5xx');
  /** 502, 503 or 504. */
  public static readonly GATEWAY_ERROR = RetryOn.named('gateway-error');
  /** The upstream did not respond (disconnect, reset, read timeout). */
  public static readonly RESET = RetryOn.named('reset');
  /** Like RESET, but only before the request was sent upstream. */
  public static readonly RESET_BEFORE_REQUEST = RetryOn.named('reset-before-request');
  /** The connection to the upstream failed. */
  public static readonly CONNECT_FAILURE = RetryOn.named('connect-failure');
  /** A retriable 4xx (currently 409). */
  public static readonly RETRIABLE_4XX = RetryOn.named('retriable-4xx');
  /** The upstream reset the stream with REFUSED_STREAM. */
  public static readonly REFUSED_STREAM = RetryOn.named('refused-stream');
  /** A status listed in the `x-envoy-retriable-status-codes` header. */
  public static readonly RETRIABLE_STATUS_CODES = RetryOn.named('retriable-status-codes');
  /** The response carries a header listed in `x-envoy-retriable-header-names`. */
  public static readonly RETRIABLE_HEADERS = RetryOn.named('retriable-headers');
  /**
   * The upstream answered with `x-envoy-ratelimited`, which Envoy's global rate limit filter sets; a
   * LocalRateLimit's 429 does not carry it.
   */
  public static readonly ENVOY_RATELIMITED = RetryOn.named('envoy-ratelimited');
  /** An HTTP/3 request failed after connecting. */
  public static readonly HTTP3_POST_CONNECT_FAILURE = RetryOn.named('http3-post-connect-failure');
  /** gRPC status CANCELLED. */
  public static readonly CANCELLED = RetryOn.named('cancelled');
  /** gRPC status DEADLINE_EXCEEDED. */
  public static readonly DEADLINE_EXCEEDED = RetryOn.named('deadline-exceeded');
  /** gRPC status INTERNAL. */
  public static readonly INTERNAL = RetryOn.named('internal');
  /** gRPC status RESOURCE_EXHAUSTED. */
  public static readonly RESOURCE_EXHAUSTED = RetryOn.named('resource-exhausted');
  /** gRPC status UNAVAILABLE. */
  public static readonly UNAVAILABLE = RetryOn.named('unavailable');

  /** Retry on one HTTP status code; Istio accepts only codes Go's net/http knows (e.g. 503). */
  public static statusCode(code: number): RetryOn {
    if (knownHttpStatus(code)) {
      fail('RetryOn.statusCode', 'code', code, 'a numeric retryOn token must be a known HTTP status code', 'e.g. RetryOn.statusCode(503)');
    }
    return new RetryOn(String(code));
  }

  /**
   * Parses one token as written in Istio YAML (`5xx`, `503`). Unknown tokens and tokens padded with
   * spaces are rejected: Istio rejects `retryOn: "5xx, reset"`.
   */
  public static of(token: string): RetryOn {
    if (typeof token !== 'string' || token.trim() !== token || token.length === 0) {
      fail('RetryOn.of', 'token', token, 'a retryOn token must be non-empty and carry no spaces', 'write "5xx,reset", not "5xx, reset"');
    }
    const named = NAMED.get(token);
    if (named) return named;
    if (retryOnToken(token)) {
      fail('RetryOn.of', 'token', token, `unknown retryOn token; allowed: ${RETRY_ON_POLICIES.join(', ')} or a known HTTP status code`, 'use a RetryOn constant such as RetryOn.FIVE_XX, or RetryOn.statusCode(503)');
    }
    if (/^[0-9]+$/.test(token)) return RetryOn.statusCode(Number(token));
    // Any other token Istio reads with strconv.Atoi as a known status ("+503"): kept as written.
    return new RetryOn(token);
  }

  /** Parses a comma-separated retryOn list, e.g. `'5xx,reset'`, token by token. */
  public static parse(list: string): RetryOn[] {
    if (typeof list !== 'string' || list.length === 0) {
      fail('RetryOn.parse', 'list', list, 'a retryOn list must be a non-empty comma-separated string', "e.g. RetryOn.parse('5xx,reset,connect-failure')");
    }
    return list.split(',').map((t) => RetryOn.of(t));
  }

  private static named(token: string): RetryOn {
    const r = new RetryOn(token);
    NAMED.set(token, r);
    return r;
  }

  private constructor(
    /** The token as Istio writes it. */
    public readonly token: string,
  ) {
    addBrand(this, RETRY_ON_BRAND);
  }

  /** The token. */
  public toString(): string {
    return this.token;
  }
}

/** Options of {@link RetryPolicy.of}. */
export interface RetryPolicyOptions {
  /**
   * Retries allowed for one request (not counting the first try), 0..2147483647. With 0, retries are
   * off and neither `perTryTimeout` nor `retryOn` may be set.
   */
  readonly attempts: number;
  /**
   * Timeout of each try, at least 1ms with millisecond precision.
   * @default - the route timeout
   */
  readonly perTryTimeout?: Duration;
  /**
   * The conditions that trigger a retry.
   * @default - Istio's: connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes
   */
  readonly retryOn?: RetryOn[];
}

const RETRY_POLICY_BRAND = brandSymbol('RetryPolicy');

/**
 * How a route retries failed requests.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export class RetryPolicy implements IIntentConvertible<RetryIntent> {
  /** Whether `x` is a RetryPolicy (works across copies of this package). */
  public static isRetryPolicy(x: unknown): x is RetryPolicy {
    return hasBrand(x, RETRY_POLICY_BRAND);
  }

  /** `RetryPolicy.isRetryPolicy(x)`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is RetryPolicy {
    return hasBrand(x, RETRY_POLICY_BRAND);
  }

  /**
   * A retry policy.
   * @example RetryPolicy.of({ attempts: 3, perTryTimeout: Duration.seconds(3), retryOn: [RetryOn.FIVE_XX, RetryOn.RESET] })
   */
  public static of(options: RetryPolicyOptions): RetryPolicy {
    const where = 'RetryPolicy.of';
    const { attempts, perTryTimeout, retryOn } = options ?? ({} as RetryPolicyOptions);
    if (!Number.isInteger(attempts) || attempts < 0 || attempts > INT32_MAX) {
      fail(where, 'attempts', attempts, `attempts must be an integer in 0..${INT32_MAX}`, 'e.g. attempts: 3');
    }
    if (perTryTimeout !== undefined) {
      const bad = istioDurationOf(perTryTimeout);
      if (bad) fail(where, 'perTryTimeout', perTryTimeout, bad, 'e.g. perTryTimeout: Duration.seconds(2)');
    }
    if (attempts === 0 && (perTryTimeout !== undefined || (retryOn !== undefined && retryOn.length > 0))) {
      fail(where, 'attempts', attempts, 'with attempts 0 (retries off), neither perTryTimeout nor retryOn may be set', 'use RetryPolicy.none(), or set attempts to at least 1');
    }
    const seen = new Set<string>();
    for (const [i, r] of (retryOn ?? []).entries()) {
      if (!(RetryOn.isRetryOn(r))) fail(where, `retryOn[${i}]`, r, 'must be a RetryOn', 'e.g. RetryOn.FIVE_XX or RetryOn.of("5xx")');
      if (seen.has(r.token)) fail(where, `retryOn[${i}]`, r.token, 'retryOn tokens must be unique', 'drop the repeated token');
      seen.add(r.token);
    }
    return new RetryPolicy({ attempts, retryOn: (retryOn ?? []).map((r) => r.token), ...(perTryTimeout ? { perTryTimeout: perTryTimeout.toMilliseconds() } : {}) }, perTryTimeout);
  }

  /** No retries at all (`attempts: 0`), overriding Istio's default of 2 retries. */
  public static none(): RetryPolicy {
    return new RetryPolicy({ attempts: 0, retryOn: [] });
  }

  private constructor(private readonly _intent: RetryIntent, private readonly _perTryTimeout?: Duration) {
    addBrand(this, RETRY_POLICY_BRAND);
  }

  /** Retries allowed. */
  public get attempts(): number {
    return this._intent.attempts;
  }

  /** Per-try timeout, if set. */
  public get perTryTimeout(): Duration | undefined {
    return this._perTryTimeout;
  }

  /** The retryOn tokens in order. */
  public get retryOn(): string[] {
    return [...this._intent.retryOn];
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): RetryIntent {
    return this._intent;
  }
}
