import { Duration } from 'cdk8s';
import { HttpPoolIntent, TcpPoolIntent } from '../model';
import { compact } from '../private/compact';
import { checkOptional } from '../rules/check';
import { istioDurationOf } from '../rules/duration';
import { nonNegativeInt32 } from '../rules/numbers';
import { fail } from '../private/errors';
import { BOOLEAN_HINT } from '../private/hints';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

const H2_UPGRADE_POLICY_BRAND = brandSymbol('H2UpgradePolicy');

/**
 * Whether HTTP/1.1 connections to the upstream are upgraded to HTTP/2.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-HTTPSettings-H2UpgradePolicy
 */
export class H2UpgradePolicy {
  /** Whether `x` is a H2UpgradePolicy (works across copies of this package). */
  public static isH2UpgradePolicy(x: unknown): x is H2UpgradePolicy {
    return hasBrand(x, H2_UPGRADE_POLICY_BRAND);
  }

  /** `H2UpgradePolicy.isH2UpgradePolicy(x)`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is H2UpgradePolicy {
    return hasBrand(x, H2_UPGRADE_POLICY_BRAND);
  }

  /** Use the mesh-wide default (`h2UpgradePolicy` in mesh config, DO_NOT_UPGRADE unless changed). */
  public static readonly DEFAULT = new H2UpgradePolicy('DEFAULT');
  /** Never upgrade. */
  public static readonly DO_NOT_UPGRADE = new H2UpgradePolicy('DO_NOT_UPGRADE');
  /** Upgrade to HTTP/2. Cannot be combined with `useClientProtocol`. */
  public static readonly UPGRADE = new H2UpgradePolicy('UPGRADE');
  private constructor(
    /** The Istio enum value. */
    public readonly value: string,
  ) {
    addBrand(this, H2_UPGRADE_POLICY_BRAND);
  }
  /** The Istio enum value. */
  public toString(): string {
    return this.value;
  }
}

/**
 * TCP connection pool settings (HTTP and TCP upstreams).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-TCPSettings
 */
export interface TcpPoolOptions {
  /**
   * Maximum connections to each upstream host, 0..2147483647 (0 means Istio's default).
   * @default 2^32-1 (Istio's default: effectively unlimited)
   */
  readonly maxConnections?: number;
  /**
   * TCP connect timeout, at least 1ms with millisecond precision.
   * @default Duration.seconds(10) (Istio's default)
   */
  readonly connectTimeout?: Duration;
  /**
   * Idle time after which a TCP connection is closed, at least 1ms with millisecond precision.
   * @default Duration.hours(1) (Istio's default)
   */
  readonly idleTimeout?: Duration;
}

/**
 * HTTP connection pool settings.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-HTTPSettings
 */
export interface HttpPoolOptions {
  /**
   * Maximum requests queued while waiting for a connection, 0..2147483647 (0 means Istio's default).
   * @default 2^32-1 (Istio's default)
   */
  readonly http1MaxPendingRequests?: number;
  /**
   * Maximum concurrent requests to a destination, 0..2147483647 (0 means Istio's default).
   * @default 2^32-1 (Istio's default)
   */
  readonly http2MaxRequests?: number;
  /**
   * Maximum requests per connection, 0..2147483647; 0 means unlimited, 1 disables keep-alive.
   * @default 0 (unlimited)
   */
  readonly maxRequestsPerConnection?: number;
  /**
   * Maximum outstanding retries across all hosts of the cluster, 0..2147483647.
   * @default 2^32-1 (Istio's default)
   */
  readonly maxRetries?: number;
  /**
   * Idle time after which an upstream connection pool connection is closed, at least 1ms.
   * @default Duration.hours(1) (Envoy's default)
   */
  readonly idleTimeout?: Duration;
  /**
   * HTTP/2 upgrade policy.
   * @default H2UpgradePolicy.DEFAULT
   */
  readonly h2UpgradePolicy?: H2UpgradePolicy;
  /**
   * Use the client's protocol (HTTP/1.1 or HTTP/2) towards the upstream. Not with UPGRADE.
   * @default false
   */
  readonly useClientProtocol?: boolean;
}

/** Options of {@link ConnectionPool.of}. */
export interface ConnectionPoolOptions {
  /** @default - Istio's TCP defaults */
  readonly tcp?: TcpPoolOptions;
  /** @default - Istio's HTTP defaults */
  readonly http?: HttpPoolOptions;
}

const CONNECTION_POOL_BRAND = brandSymbol('ConnectionPool');

/**
 * Connection pool limits, the "circuit breaker" half of a DestinationRule traffic policy. At least
 * one field must be set: Istio rejects `connectionPool: {}`.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings
 */
export class ConnectionPool implements IIntentConvertible<{ tcp?: TcpPoolIntent; http?: HttpPoolIntent }> {
  /** Whether `x` is a ConnectionPool (works across copies of this package). */
  public static isConnectionPool(x: unknown): x is ConnectionPool {
    return hasBrand(x, CONNECTION_POOL_BRAND);
  }

  /** `ConnectionPool.isConnectionPool(x)`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is ConnectionPool {
    return hasBrand(x, CONNECTION_POOL_BRAND);
  }

  /**
   * A connection pool.
   * @example ConnectionPool.of({ tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 100, h2UpgradePolicy: H2UpgradePolicy.DEFAULT } })
   */
  public static of(options: ConnectionPoolOptions): ConnectionPool {
    const where = 'ConnectionPool.of';
    const t = options?.tcp ?? {};
    const h = options?.http ?? {};
    checkOptional(where, 'tcp.maxConnections', t.maxConnections, nonNegativeInt32, 'e.g. maxConnections: 100, or leave it out for Istio\'s default');
    checkOptional(where, 'tcp.connectTimeout', t.connectTimeout, istioDurationOf, 'e.g. Duration.seconds(10), or leave it out for Istio\'s default');
    checkOptional(where, 'tcp.idleTimeout', t.idleTimeout, istioDurationOf, 'e.g. Duration.hours(1), or leave it out for Istio\'s default');
    checkOptional(where, 'http.http1MaxPendingRequests', h.http1MaxPendingRequests, nonNegativeInt32, 'e.g. http1MaxPendingRequests: 100, or leave it out for Istio\'s default');
    checkOptional(where, 'http.http2MaxRequests', h.http2MaxRequests, nonNegativeInt32, 'e.g. http2MaxRequests: 1000, or leave it out for Istio\'s default');
    checkOptional(where, 'http.maxRequestsPerConnection', h.maxRequestsPerConnection, nonNegativeInt32, 'e.g. maxRequestsPerConnection: 10, or leave it out (0: unlimited)');
    checkOptional(where, 'http.maxRetries', h.maxRetries, nonNegativeInt32, 'e.g. maxRetries: 3, or leave it out for Istio\'s default');
    checkOptional(where, 'http.idleTimeout', h.idleTimeout, istioDurationOf, 'e.g. Duration.hours(1), or leave it out for Istio\'s default');
    if (h.h2UpgradePolicy !== undefined && !(H2UpgradePolicy.isH2UpgradePolicy(h.h2UpgradePolicy))) {
      fail(where, 'http.h2UpgradePolicy', h.h2UpgradePolicy, 'must be an H2UpgradePolicy', 'e.g. H2UpgradePolicy.DEFAULT');
    }
    if (h.useClientProtocol !== undefined && typeof h.useClientProtocol !== 'boolean') {
      fail(where, 'http.useClientProtocol', h.useClientProtocol, 'must be a boolean', BOOLEAN_HINT);
    }
    if (h.h2UpgradePolicy?.value === H2UpgradePolicy.UPGRADE.value && h.useClientProtocol) {
      fail(where, 'http.useClientProtocol', true, 'useClientProtocol cannot be combined with h2UpgradePolicy UPGRADE (Istio rejects it)', 'drop one of the two');
    }
    const tcp = compact<TcpPoolIntent>({ maxConnections: t.maxConnections, connectTimeout: t.connectTimeout?.toMilliseconds(), idleTimeout: t.idleTimeout?.toMilliseconds() });
    const http = compact<HttpPoolIntent>({
      http1MaxPendingRequests: h.http1MaxPendingRequests,
      http2MaxRequests: h.http2MaxRequests,
      maxRequestsPerConnection: h.maxRequestsPerConnection,
      maxRetries: h.maxRetries,
      idleTimeout: h.idleTimeout?.toMilliseconds(),
      h2UpgradePolicy: h.h2UpgradePolicy?.value,
      useClientProtocol: h.useClientProtocol,
    });
    if (!tcp && !http) {
      fail(where, 'options', options, 'a connection pool needs at least one setting (Istio rejects `connectionPool: {}`)', 'e.g. { tcp: { maxConnections: 100 } }');
    }
    return new ConnectionPool(tcp, http);
  }

  private constructor(
    private readonly _tcp: TcpPoolIntent | undefined,
    private readonly _http: HttpPoolIntent | undefined,
  ) {
    addBrand(this, CONNECTION_POOL_BRAND);
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): { tcp?: TcpPoolIntent; http?: HttpPoolIntent } {
    return { ...(this._tcp ? { tcp: this._tcp } : {}), ...(this._http ? { http: this._http } : {}) };
  }
}
