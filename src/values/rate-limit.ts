import { Duration } from 'cdk8s';
import type { RateLimitDescriptorIntent, TokenBucketIntent } from '../model';
import { istioDurationOf as checkIstioDuration } from '../rules/duration';
import { localRateLimitFillInterval, MIN_FILL_INTERVAL_MS } from '../rules/envoy';
import { UINT32_MAX } from '../rules/numbers';
import { fail } from '../private/errors';
import { httpToken } from '../rules/http';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';
import { HttpMethod } from './http-method';

/** Envoy's local rate limiter refuses fill intervals under 50ms. */
export { MIN_FILL_INTERVAL_MS };

/** Options of {@link TokenBucket.of}. */
export interface TokenBucketOptions {
  /** Bucket size: the burst one pod admits, 1..4294967295. The bucket starts full. */
  readonly maxTokens: number;
  /**
   * Tokens added every `fillInterval`, 1..4294967295.
   * @default 1 (Envoy's default)
   */
  readonly tokensPerFill?: number;
  /** How often tokens are added: at least 50ms, with millisecond precision. */
  readonly fillInterval: Duration;
}

const TOKEN_BUCKET_BRAND = brandSymbol('TokenBucket');

/**
 * An Envoy token bucket: each request takes one token; with none left the request gets 429.
 * The sustained rate is `tokensPerFill / fillInterval`, the burst `maxTokens`.
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/type/v3/token_bucket.proto
 */
export class TokenBucket implements IIntentConvertible<TokenBucketIntent> {
  /** Whether `x` is a TokenBucket (works across copies of this package). */
  public static isTokenBucket(x: unknown): x is TokenBucket {
    return hasBrand(x, TOKEN_BUCKET_BRAND);
  }

  /** `x instanceof TokenBucket`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is TokenBucket {
    return hasBrand(x, TOKEN_BUCKET_BRAND);
  }

  /**
   * A token bucket.
   * @example TokenBucket.of({ maxTokens: 100, tokensPerFill: 100, fillInterval: Duration.seconds(1) }) // 100 req/s per pod
   */
  public static of(options: TokenBucketOptions): TokenBucket {
    const where = 'TokenBucket.of';
    const { maxTokens, fillInterval } = options ?? ({} as TokenBucketOptions);
    const tokensPerFill = options?.tokensPerFill ?? 1;
    checkTokens(where, 'maxTokens', maxTokens);
    checkTokens(where, 'tokensPerFill', tokensPerFill);
    const bad = fillInterval === undefined ? 'fillInterval is required' : checkIstioDuration(fillInterval);
    if (bad) fail(where, 'fillInterval', fillInterval, bad, 'e.g. fillInterval: Duration.seconds(1)');
    const tooFast = localRateLimitFillInterval(fillInterval.toMilliseconds({ integral: false }));
    if (tooFast) fail(where, 'fillInterval', fillInterval, tooFast, 'e.g. fillInterval: Duration.seconds(1)');
    return new TokenBucket(maxTokens, tokensPerFill, fillInterval);
  }

  private constructor(
    /** Bucket size. */
    public readonly maxTokens: number,
    /** Tokens added per fill. */
    public readonly tokensPerFill: number,
    /** Fill interval. */
    public readonly fillInterval: Duration,
  ) {
    addBrand(this, TOKEN_BUCKET_BRAND);
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}): durations in milliseconds. */
  public toIntent(): TokenBucketIntent {
    return { maxTokens: this.maxTokens, tokensPerFill: this.tokensPerFill, fillInterval: this.fillInterval.toMilliseconds() };
  }
}

const RATE_LIMIT_DESCRIPTOR_BRAND = brandSymbol('RateLimitDescriptor');

/** Options of {@link RateLimitDescriptor.pathPrefix} and {@link RateLimitDescriptor.header}. */
export interface RateLimitDescriptorOptions {
  /**
   * Only requests with this method belong to the class (Envoy's `:method` pseudo-header, exact).
   * @default - any method
   */
  readonly method?: HttpMethod;
}

/**
 * A request class with its own token bucket, e.g. one path prefix or one header value, optionally
 * for one method. A request takes tokens from the bucket of the **first** descriptor it matches (in
 * the order given) and from no other; a request that matches none takes them from the default
 * bucket. (Envoy itself would charge every matching descriptor: the renderer makes the classes
 * exclusive.)
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/local_rate_limit_filter#using-rate-limit-descriptors-for-local-rate-limiting
 */
export class RateLimitDescriptor implements IIntentConvertible<RateLimitDescriptorIntent> {
  /** Whether `x` is a RateLimitDescriptor (works across copies of this package). */
  public static isRateLimitDescriptor(x: unknown): x is RateLimitDescriptor {
    return hasBrand(x, RATE_LIMIT_DESCRIPTOR_BRAND);
  }

  /** `x instanceof RateLimitDescriptor`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is RateLimitDescriptor {
    return hasBrand(x, RATE_LIMIT_DESCRIPTOR_BRAND);
  }

  /**
   * Requests whose path is `prefix` or lies below it, by whole segments: `/api/payments` matches
   * `/api/payments`, `/api/payments/42` and `/api/payments?x=1`, not `/api/paymentsXYZ` (as
   * Gateway API's `PathPrefix`). A prefix ending in `/` matches the paths that start with it.
   * @example RateLimitDescriptor.pathPrefix('/api/payments', TokenBucket.of({ maxTokens: 20, tokensPerFill: 20, fillInterval: Duration.seconds(1) }), { method: HttpMethod.POST })
   */
  public static pathPrefix(prefix: string, bucket: TokenBucket, options: RateLimitDescriptorOptions = {}): RateLimitDescriptor {
    const where = 'RateLimitDescriptor.pathPrefix';
    if (typeof prefix !== 'string' || !prefix.startsWith('/')) {
      fail(where, 'prefix', prefix, "a path prefix must start with '/'", "e.g. '/api/payments'");
    }
    if (/[?#\s\u0000-\u001f\u007f]/.test(prefix)) {
      fail(where, 'prefix', prefix, 'a path prefix holds no query ("?"), fragment ("#"), whitespace or control characters', "e.g. RateLimitDescriptor.pathPrefix('/api', bucket)");
    }
    checkBucket(where, bucket);
    const method = checkMethod(where, options);
    return new RateLimitDescriptor(':path', 'path-prefix', prefix, `${method ? `${method} ` : ''}path-prefix:${prefix}`, bucket, method);
  }

  /** Requests whose header `name` equals `value` exactly (e.g. one tenant or plan). */
  public static header(name: string, value: string, bucket: TokenBucket, options: RateLimitDescriptorOptions = {}): RateLimitDescriptor {
    const where = 'RateLimitDescriptor.header';
    const bad = httpToken(name);
    if (bad) fail(where, 'name', name, `a header name ${bad}`, "e.g. RateLimitDescriptor.header('x-user-tier', 'free', bucket)");
    if (typeof value !== 'string' || value.length === 0) fail(where, 'value', value, 'a header value must be a non-empty string', "e.g. RateLimitDescriptor.header('x-user-tier', 'free', bucket)");
    checkBucket(where, bucket);
    const method = checkMethod(where, options);
    return new RateLimitDescriptor(name.toLowerCase(), 'exact', value, `${method ? `${method} ` : ''}header:${name.toLowerCase()}=${value}`, bucket, method);
  }

  private constructor(
    /** The header the descriptor looks at (`:path` for paths). */
    public readonly header: string,
    /** `path-prefix` (`:path`, by whole segments) or `exact`. */
    public readonly matchKind: string,
    /** The compared value. */
    public readonly matchValue: string,
    /** The descriptor entry value Envoy matches, unique per request class. */
    public readonly key: string,
    /** The descriptor's own bucket. */
    public readonly bucket: TokenBucket,
    /** The method the class is limited to; undefined for any method. */
    public readonly method: string | undefined,
  ) {
    addBrand(this, RATE_LIMIT_DESCRIPTOR_BRAND);
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): RateLimitDescriptorIntent {
    return { header: this.header, matchKind: this.matchKind, matchValue: this.matchValue, key: this.key, bucket: this.bucket.toIntent(), ...(this.method ? { method: this.method } : {}) };
  }
}

function checkMethod(where: string, options: RateLimitDescriptorOptions | undefined): string | undefined {
  const method = options?.method;
  if (method === undefined) return undefined;
  if (!(method instanceof HttpMethod)) fail(where, 'options.method', method, 'must be an HttpMethod', 'e.g. HttpMethod.POST');
  return method.value;
}

function checkTokens(where: string, property: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > UINT32_MAX) fail(where, property, v, `must be an integer in 1..${UINT32_MAX}`, `e.g. ${property}: 100`);
}

function checkBucket(where: string, b: TokenBucket): void {
  if (!TokenBucket.isTokenBucket(b)) fail(where, 'bucket', b, 'must be a TokenBucket', 'e.g. TokenBucket.of({ maxTokens: 10, tokensPerFill: 10, fillInterval: Duration.seconds(1) })');
}
