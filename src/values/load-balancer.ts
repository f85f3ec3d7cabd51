import { Duration } from 'cdk8s';
import { ConsistentHashIntent, LoadBalancerIntent, LocalityLbIntent, RetryBudgetIntent, UpstreamTlsIntent } from '../model';
import { fail } from '../private/errors';
import { brand, hasBrand } from '../private/value-brand';
import { check } from '../rules/check';
import { caBundlePath, clientTlsCredentialConflict } from '../rules/tls';
import { PROXY_SYSTEM_CA_BUNDLE } from './external-service-options';
import { istioDurationOf } from '../rules/duration';
import { headerMatchName } from '../rules/http';
import { wildcardDomain } from '../rules/names';
import { percentage } from '../rules/numbers';
import { localities, localityFailover, localityWeights, SIMPLE_LOAD_BALANCERS } from '../rules/traffic-policy';

const LOAD_BALANCER = Symbol.for('cdk8s-istio.LoadBalancer');
const UPSTREAM_TLS = Symbol.for('cdk8s-istio.UpstreamTls');
const RETRY_BUDGET = Symbol.for('cdk8s-istio.RetryBudget');

/** Options of {@link LoadBalancer.consistentHash}: exactly one hash key. */
export interface ConsistentHashOptions {
  /**
   * Hash on this request header (e.g. a user id).
   * @default - none
   */
  readonly httpHeaderName?: string;
  /**
   * Hash on this cookie; Envoy sets it when absent, with `ttl`.
   * @default - none
   */
  readonly httpCookie?: { readonly name: string; readonly path?: string; readonly ttl?: Duration };
  /**
   * Hash on the source IP.
   * @default false
   */
  readonly useSourceIp?: boolean;
  /**
   * Hash on this query parameter.
   * @default - none
   */
  readonly httpQueryParameterName?: string;
}

/** One locality `distribute` entry: traffic from `from` goes to the localities of `to` by weight. */
export interface LocalityDistribution {
  /** The origin locality, `region/zone/subzone`, a trailing `*` allowed. */
  readonly from: string;
  /** Weights per destination locality, each 1..100, together 100. */
  readonly to: { readonly [locality: string]: number };
}

/** One locality failover entry: when `from`'s endpoints are unhealthy, traffic goes to `to`. */
export interface LocalityFailover {
  /** The origin region. */
  readonly from: string;
  /** The region to fail over to. */
  readonly to: string;
}

/** Options of {@link LoadBalancer.locality}: `distribute` or `failover`, not both. */
export interface LocalityOptions {
  /**
   * Weighted distribution per origin locality.
   * @default - none
   */
  readonly distribute?: LocalityDistribution[];
  /**
   * Region failover. Needs outlier detection in the same policy: without it, Istio never fails over
   * (istio/istio#48084); the CircuitBreaker refuses it.
   * @default - none
   */
  readonly failover?: LocalityFailover[];
}

/**
 * The load balancer of a host (DestinationRule `trafficPolicy.loadBalancer`): a simple algorithm or
 * consistent hashing (session affinity), optionally with locality-aware settings. Checked as
 * istiod checks it (`validateLoadBalancer`, `ValidateLocalityLbSetting`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings
 * @example LoadBalancer.consistentHash({ httpHeaderName: 'x-user-id' })
 */
export class LoadBalancer {
  /** True for a LoadBalancer from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, LOAD_BALANCER);
  }

  /** Round robin. */
  public static roundRobin(): LoadBalancer {
    return LoadBalancer.simple('ROUND_ROBIN');
  }

  /** Least request (Istio's default). */
  public static leastRequest(): LoadBalancer {
    return LoadBalancer.simple('LEAST_REQUEST');
  }

  /** Random. */
  public static random(): LoadBalancer {
    return LoadBalancer.simple('RANDOM');
  }

  /** Consistent hashing on exactly one key. */
  public static consistentHash(options: ConsistentHashOptions): LoadBalancer {
    const where = 'LoadBalancer.consistentHash';
    const o = options ?? {};
    const keys = (['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'] as const).filter((k) => o[k] !== undefined && o[k] !== false);
    if (keys.length !== 1) {
      fail(where, 'options', keys.join(',') || 'none', 'consistent hashing needs exactly one hash key (httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName; istiod keeps one of a oneof)', "e.g. { httpHeaderName: 'x-user-id' }");
    }
    const out: { -readonly [K in keyof ConsistentHashIntent]: ConsistentHashIntent[K] } = {};
    if (o.httpHeaderName !== undefined) {
      check(where, 'httpHeaderName', o.httpHeaderName, headerMatchName, "e.g. httpHeaderName: 'x-user-id'", 'a header name:');
      out.httpHeaderName = o.httpHeaderName;
    }
    if (o.httpCookie !== undefined) {
      const c = o.httpCookie;
      if (typeof c.name !== 'string' || c.name === '') fail(where, 'httpCookie.name', c.name, 'a cookie name is required (istiod: "name required for HttpCookie")', "e.g. httpCookie: { name: 'session', ttl: Duration.hours(1) }");
      if (c.ttl !== undefined) {
        if (!(c.ttl instanceof Duration)) fail(where, 'httpCookie.ttl', c.ttl, 'must be a cdk8s Duration', 'e.g. ttl: Duration.hours(1)');
        check(where, 'httpCookie.ttl', c.ttl, istioDurationOf, 'e.g. ttl: Duration.hours(1)');
      }
      out.httpCookie = { name: c.name, ...(c.path !== undefined ? { path: c.path } : {}), ...(c.ttl !== undefined ? { ttl: c.ttl.toMilliseconds() } : {}) };
    }
    if (o.useSourceIp) out.useSourceIp = true;
    if (o.httpQueryParameterName !== undefined) {
      if (typeof o.httpQueryParameterName !== 'string' || o.httpQueryParameterName === '') fail(where, 'httpQueryParameterName', o.httpQueryParameterName, 'must be a non-empty string', "e.g. httpQueryParameterName: 'user'");
      out.httpQueryParameterName = o.httpQueryParameterName;
    }
    return new LoadBalancer({ consistentHash: out });
  }

  private static simple(name: string): LoadBalancer {
    if (!SIMPLE_LOAD_BALANCERS.includes(name)) fail('LoadBalancer', 'simple', name, `must be one of ${SIMPLE_LOAD_BALANCERS.join(', ')}`, 'use LoadBalancer.roundRobin(), leastRequest() or random()');
    return new LoadBalancer({ simple: name });
  }

  private constructor(private readonly _intent: LoadBalancerIntent) {
    brand(this, LOAD_BALANCER);
  }

  /**
   * This load balancer with locality-aware settings: weighted `distribute` or region `failover`.
   * @example LoadBalancer.leastRequest().withLocality({ failover: [{ from: 'eu-west1', to: 'eu-central1' }] })
   */
  public withLocality(options: LocalityOptions): LoadBalancer {
    const where = 'LoadBalancer.withLocality';
    const o = options ?? {};
    const distribute = o.distribute ?? [];
    const failover = o.failover ?? [];
    if (distribute.length === 0 && failover.length === 0) fail(where, 'options', o, 'locality settings need distribute or failover entries', "e.g. failover: [{ from: 'us-east1', to: 'us-west1' }]");
    if (distribute.length > 0 && failover.length > 0) fail(where, 'options', 'distribute,failover', 'istiod refuses distribute and failover together (ValidateLocalityLbSetting)', 'choose one');
    const froms = distribute.map((d) => d.from);
    const badFrom = localities(froms);
    if (badFrom) fail(where, 'distribute[].from', froms, badFrom, "write region/zone/subzone, e.g. from: 'us-east1/us-east1-b/*'");
    distribute.forEach((d, i) => {
      const to = d.to ?? {};
      const badTo = localities(Object.keys(to)) ?? localityWeights(to);
      if (badTo) fail(where, `distribute[${i}].to`, to, badTo, "e.g. to: { 'us-east1/us-east1-b/*': 80, 'us-east1/us-east1-c/*': 20 }");
    });
    failover.forEach((f, i) => {
      const bad = localityFailover(f.from, f.to);
      if (bad) fail(where, `failover[${i}]`, f, bad, "name two different regions, e.g. { from: 'us-east1', to: 'us-west1' }");
    });
    const loc: LocalityLbIntent = {
      ...(distribute.length > 0 ? { distribute: distribute.map((d) => ({ from: d.from, to: { ...d.to } })) } : {}),
      ...(failover.length > 0 ? { failover: failover.map((f) => ({ from: f.from, to: f.to })) } : {}),
    };
    return new LoadBalancer({ ...this._intent, localityLbSetting: loc });
  }

  /** Whether the settings fail over between regions (they then need outlier detection). */
  public get failsOver(): boolean {
    return (this._intent.localityLbSetting?.failover?.length ?? 0) > 0;
  }

  /** @internal */
  public toIntent(): LoadBalancerIntent {
    return this._intent;
  }
}

/** Options of {@link UpstreamTls.simple} and {@link UpstreamTls.mutual}. */
export interface UpstreamTlsOptions {
  /**
   * SNI sent in the handshake.
   * @default - none
   */
  readonly sni?: string;
  /**
   * Names the server certificate must carry.
   * @default - none
   */
  readonly subjectAltNames?: string[];
  /**
   * The Secret (in the client's namespace) with the CA certificate (SIMPLE) or the client key,
   * certificate and CA (MUTUAL).
   * @default - none: the system CA (SIMPLE)
   */
  readonly credentialName?: string;
  /**
   * The CA bundle, a file inside the proxy, that verifies the server's certificate (SIMPLE without
   * `credentialName`; with a credential the Secret carries the CA, and istiod refuses both).
   * @default - for SIMPLE without `credentialName`: `PROXY_SYSTEM_CA_BUNDLE`, the proxy image's system
   * bundle — what istiod verifies against when none is set (pilot/pkg/networking/core/cluster_tls.go,
   * `CaCertificatePath` "system"), stated in the DestinationRule so Istio's analyzer (IST0128) sees the
   * server certificate is verified
   */
  readonly caCertificates?: string;
}

/**
 * TLS from the client proxy to the upstream (DestinationRule `trafficPolicy.tls`). Inside the mesh
 * Istio's auto mTLS needs none of this; use it for a service that terminates TLS itself.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
 * @example UpstreamTls.simple({ sni: 'legacy.example.com' })
 */
export class UpstreamTls {
  /** True for an UpstreamTls from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, UPSTREAM_TLS);
  }

  /** Istio mutual TLS (the mesh's certificates). */
  public static istioMutual(options: Pick<UpstreamTlsOptions, 'sni' | 'subjectAltNames'> = {}): UpstreamTls {
    return UpstreamTls.of('ISTIO_MUTUAL', options);
  }

  /** TLS to a server that has its own certificate. */
  public static simple(options: UpstreamTlsOptions = {}): UpstreamTls {
    return UpstreamTls.of('SIMPLE', options);
  }

  /** Mutual TLS with a client certificate from `credentialName`. */
  public static mutual(options: UpstreamTlsOptions & { readonly credentialName: string }): UpstreamTls {
    if (!options || typeof options.credentialName !== 'string' || options.credentialName === '') {
      fail('UpstreamTls.mutual', 'credentialName', options?.credentialName, 'MUTUAL needs the Secret with the client key and certificate (istiod: client certificate required for mutual tls)', "e.g. 'payments-client-cert'");
    }
    return UpstreamTls.of('MUTUAL', options);
  }

  /** Plaintext to the upstream (no TLS, not even Istio's auto mTLS). */
  public static disable(): UpstreamTls {
    return UpstreamTls.of('DISABLE', {});
  }

  private static of(mode: string, o: UpstreamTlsOptions): UpstreamTls {
    const where = `UpstreamTls.${mode === 'ISTIO_MUTUAL' ? 'istioMutual' : mode.toLowerCase()}`;
    if (o.sni !== undefined) check(where, 'sni', o.sni, wildcardDomain, "e.g. sni: 'payments.example.com'", 'the SNI');
    if (o.credentialName !== undefined && mode === 'ISTIO_MUTUAL') fail(where, 'credentialName', o.credentialName, 'ISTIO_MUTUAL uses the mesh certificates; a credential is not allowed (istiod)', 'drop credentialName, or use UpstreamTls.mutual with your own client certificate');
    (o.subjectAltNames ?? []).forEach((n, i) => {
      if (typeof n !== 'string' || n === '') fail(where, `subjectAltNames[${i}]`, n, 'must be a non-empty string', "e.g. subjectAltNames: ['spiffe://cluster.local/ns/shop/sa/payments']");
    });
    let caCertificates: string | undefined;
    if (o.caCertificates !== undefined) {
      if (mode !== 'SIMPLE') fail(where, 'caCertificates', o.caCertificates, `${mode} TLS takes no CA bundle here`, mode === 'MUTUAL' ? 'the Secret named by credentialName carries the CA certificate (ca.crt)' : 'use UpstreamTls.simple() to verify a server that has its own certificate');
      const broken = caBundlePath(o.caCertificates) ?? clientTlsCredentialConflict(mode, o.credentialName, ['caCertificates']);
      if (broken) fail(where, 'caCertificates', o.caCertificates, broken, o.credentialName ? 'put the CA certificate into the Secret (ca.crt) and drop caCertificates' : `e.g. PROXY_SYSTEM_CA_BUNDLE ('${PROXY_SYSTEM_CA_BUNDLE}')`);
      caCertificates = o.caCertificates;
    } else if (mode === 'SIMPLE' && o.credentialName === undefined) {
      caCertificates = PROXY_SYSTEM_CA_BUNDLE;
    }
    return new UpstreamTls({
      mode,
      ...(o.sni !== undefined ? { sni: o.sni } : {}),
      ...(o.credentialName !== undefined ? { credentialName: o.credentialName } : {}),
      ...(caCertificates !== undefined ? { caCertificates } : {}),
      ...(o.subjectAltNames && o.subjectAltNames.length > 0 ? { subjectAltNames: [...o.subjectAltNames] } : {}),
    });
  }

  private constructor(private readonly _intent: UpstreamTlsIntent) {
    brand(this, UPSTREAM_TLS);
  }

  /** @internal */
  public toIntent(): UpstreamTlsIntent {
    return this._intent;
  }
}

/** Options of {@link RetryBudget.of}. */
export interface RetryBudgetOptions {
  /**
   * Concurrent retries as a percentage of active and pending requests, 0..100.
   * @default 20 (Envoy's default)
   */
  readonly percent?: number;
  /**
   * Retries always allowed, whatever the percentage.
   * @default 3 (Envoy's default)
   */
  readonly minRetryConcurrency?: number;
}

/**
 * A retry budget (DestinationRule `trafficPolicy.retryBudget`, Istio 1.30): caps concurrent retries
 * relative to active requests, so retries cannot multiply load during an outage.
 * @example RetryBudget.of({ percent: 20, minRetryConcurrency: 3 })
 */
export class RetryBudget {
  /** True for a RetryBudget from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, RETRY_BUDGET);
  }

  /** A retry budget. */
  public static of(options: RetryBudgetOptions = {}): RetryBudget {
    const where = 'RetryBudget.of';
    const o = options ?? {};
    if (o.percent !== undefined) check(where, 'percent', o.percent, percentage, 'a percentage of active requests from 0 to 100, e.g. 20', 'a retry budget percentage');
    if (o.minRetryConcurrency !== undefined && (!Number.isInteger(o.minRetryConcurrency) || o.minRetryConcurrency < 0 || o.minRetryConcurrency > 4294967295)) {
      fail(where, 'minRetryConcurrency', o.minRetryConcurrency, 'must be an integer within 0..4294967295', 'e.g. minRetryConcurrency: 3, or leave it out for Envoy\'s default');
    }
    return new RetryBudget({ ...(o.percent !== undefined ? { percent: o.percent } : {}), ...(o.minRetryConcurrency !== undefined ? { minRetryConcurrency: o.minRetryConcurrency } : {}) });
  }

  private constructor(private readonly _intent: RetryBudgetIntent) {
    brand(this, RETRY_BUDGET);
  }

  /** @internal */
  public toIntent(): RetryBudgetIntent {
    return this._intent;
  }
}
