import { Duration } from 'cdk8s';
import type { RateLimitDescriptorIntent, TokenBucketIntent } from '../model';
import { istioDurationOf as checkIstioDuration } from '../rules/duration';
import { localRateLimitFillInterval, MIN_FILL_INTERVAL_MS } from '../rules/envoy';
import { UINT32_MAX } from '../rules/numbers';
import { fail } from '../private/errors';
import { httpToken } from '../rules/http';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

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
    if (bad) fail(where, 'fillInterval', fillInterval, bad);
    const tooFast = localRateLimitFillInterval(fillInterval.toMilliseconds({ integral: false }));
    if (tooFast) fail(where, 'fillInterval', fillInterval, tooFast);
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

/**
 * A request class with its own token bucket, e.g. one path prefix or one header value. A request
 * that matches a descriptor takes tokens from the descriptor's bucket only; other requests take
 * them from the default bucket.
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
   * Requests whose path starts with `prefix` (the query string is part of the path).
   * @example RateLimitDescriptor.pathPrefix('/api/payments', TokenBucket.of({ maxTokens: 20, tokensPerFill: 20, fillInterval: Duration.seconds(1) }))
   */
  public static pathPrefix(prefix: string, bucket: TokenBucket): RateLimitDescriptor {
    const where = 'RateLimitDescriptor.pathPrefix';
    if (typeof prefix !== 'string' || !prefix.startsWith('/')) {
      fail(where, 'prefix', prefix, "a path prefix must start with '/'", "e.g. '/api/payments'");
    }
    checkBucket(where, bucket);
    return new RateLimitDescriptor(':path', 'prefix', prefix, `path-prefix:${prefix}`, bucket);
  }

  /** Requests whose header `name` equals `value` exactly (e.g. one tenant or plan). */
  public static header(name: string, value: string, bucket: TokenBucket): RateLimitDescriptor {
    const where = 'RateLimitDescriptor.header';
    const bad = httpToken(name);
    if (bad) fail(where, 'name', name, `a header name ${bad}`);
    if (typeof value !== 'string' || value.length === 0) fail(where, 'value', value, 'a header value must be a non-empty string');
    checkBucket(where, bucket);
    return new RateLimitDescriptor(name.toLowerCase(), 'exact', value, `header:${name.toLowerCase()}=${value}`, bucket);
  }

  private constructor(
    /** The header the descriptor looks at (`:path` for paths). */
    public readonly header: string,
    /** `prefix` or `exact`. */
    public readonly matchKind: string,
    /** The compared value. */
    public readonly matchValue: string,
    /** The descriptor entry value Envoy matches, unique per request class. */
    public readonly key: string,
    /** The descriptor's own bucket. */
    public readonly bucket: TokenBucket,
  ) {
    addBrand(this, RATE_LIMIT_DESCRIPTOR_BRAND);
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): RateLimitDescriptorIntent {
    return { header: this.header, matchKind: this.matchKind, matchValue: this.matchValue, key: this.key, bucket: this.bucket.toIntent() };
  }
}

function checkTokens(where: string, property: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > UINT32_MAX) fail(where, property, v, `must be an integer in 1..${UINT32_MAX}`);
}

function checkBucket(where: string, b: TokenBucket): void {
  if (!TokenBucket.isTokenBucket(b)) fail(where, 'bucket', b, 'must be a TokenBucket', 'e.g. TokenBucket.of({ maxTokens: 10, tokensPerFill: 10, fillInterval: Duration.seconds(1) })');
}
