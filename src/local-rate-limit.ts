import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { primaryPort, sourceOwner } from './model';
import { portProtocol } from './rules/protocol';
import { renderDuration } from './rules/duration';
import { fail } from './private/errors';
import { nameHint } from './private/hints';
import { dns1123Label } from './rules/names';
import { httpToken } from './rules/http';
import { IMeshService, requireMeshService } from './mesh-service';
import { RateLimitDescriptor, TokenBucket } from './values/rate-limit';
import { addBrand, brandSymbol, hasBrand } from './private/brand';
import { declaredPort } from './service-port';

/** The response header a rate-limited request carries. */
export interface RateLimitResponseHeader {
  /** Header name, an RFC 7230 token. */
  readonly name: string;
  /** Header value, non-empty. */
  readonly value: string;
}

/** Properties of a {@link LocalRateLimit}. */
export interface LocalRateLimitProps {
  /** The service whose pods limit their inbound requests. */
  readonly service: IMeshService;
  /**
   * The Service port whose requests are limited (its container port's inbound listener), for a
   * service with several ports. An HTTP port (HTTP, HTTP2, gRPC): the limit is an HTTP filter.
   * @default - the primary port
   */
  readonly port?: number;
  /**
   * The default bucket, **per pod**: every request that matches no descriptor takes a token from it.
   * With 3 replicas and 100 req/s per pod, the service admits up to 300 req/s.
   * @example TokenBucket.of({ maxTokens: 100, tokensPerFill: 100, fillInterval: Duration.seconds(1) })
   */
  readonly tokenBucket: TokenBucket;
  /**
   * Request classes with buckets of their own (per path prefix or per header value). Their fill
   * intervals must be multiples of the default bucket's.
   * @default - none: one bucket for all requests
   */
  readonly descriptors?: RateLimitDescriptor[];
  /**
   * Header added to every 429 response. Envoy's local rate limiter adds only this header (it never
   * sets `x-envoy-ratelimited`, which only the global rate limit filter sets), so a caller's
   * `RetryOn.ENVOY_RATELIMITED` does not retry local 429s.
   * @default { name: 'x-local-rate-limit', value: 'true' }
   */
  readonly responseHeader?: RateLimitResponseHeader;
  /**
   * Prefix of the Envoy stats (`<prefix>.http_local_rate_limit.rate_limited`, ...).
   * @default 'http_local_rate_limiter'
   */
  readonly statPrefix?: string;
  /**
   * Name of the EnvoyFilter.
   * @default `<service>-local-ratelimit`
   */
  readonly name?: string;
}

const LOCAL_RATE_LIMIT_BRAND = brandSymbol('LocalRateLimit');

/**
 * Local rate limiting for a service (a TracedService or any {@link IMeshService}): Envoy's `local_ratelimit` HTTP filter on the inbound
 * sidecar of every pod of the service, inserted before the router, enforcing 100% of the time and
 * answering 429 with a response header. The limit is **per pod** (per Envoy instance): the service as a
 * whole admits replicas × the bucket's rate. It writes into the mesh model; the mesh renders one
 * `EnvoyFilter` (networking.istio.io/v1alpha3, the only version of that API), child id `Resource`.
 *
 * @see https://istio.io/latest/docs/tasks/policy-enforcement/rate-limit/#local-rate-limit
 */
export class LocalRateLimit extends Construct {
  /** Whether `x` is a LocalRateLimit (works across copies of this package). */
  public static isLocalRateLimit(x: unknown): x is LocalRateLimit {
    return hasBrand(x, LOCAL_RATE_LIMIT_BRAND);
  }

  /** `x instanceof LocalRateLimit`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is LocalRateLimit {
    return hasBrand(x, LOCAL_RATE_LIMIT_BRAND);
  }

  /** The EnvoyFilter. */
  public readonly envoyFilter: ApiObject;

  constructor(scope: Construct, id: string, props: LocalRateLimitProps) {
    super(scope, id);
    addBrand(this, LOCAL_RATE_LIMIT_BRAND);
    if (!props) fail(this, 'props', props, 'props are required', "pass props with the service and a token bucket, e.g. { service: order, tokenBucket: TokenBucket.of({ maxTokens: 100, tokensPerFill: 100, fillInterval: Duration.seconds(1) }) }");
    requireMeshService(this, 'props.service', props.service);
    const svc = props.service;
    const noSidecars = svc.mesh.renderer.capabilities.noSidecars;
    if (noSidecars) {
      fail(this, 'props.service', svc.name, `local rate limiting is an EnvoyFilter on the inbound sidecar, and ${noSidecars}`,
        'use the sidecar data plane for this service, or rate limit at a waypoint or gateway');
    }
    // The filter goes into the HTTP connection manager of the inbound listener, which Istio builds only
    // for an HTTP port or a port whose protocol it sniffs (pilot/pkg/networking/core/listener_inbound.go
    // at 1.30.3): on a TCP, TLS or database port the patch matches nothing and the limit never applies.
    const declared = svc.mesh.model.service(svc.ref);
    const servicePort = declared ? (props.port !== undefined ? declaredPort(this, 'props.port', declared, props.port) : primaryPort(declared)) : undefined;
    const protocol = servicePort ? portProtocol(servicePort.port, servicePort.name, servicePort.protocol, servicePort.appProtocol) : 'UnsupportedProtocol';
    if (servicePort && !['HTTP', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-Web', 'UnsupportedProtocol'].includes(protocol)) {
      fail(this, props.port !== undefined ? 'props.port' : 'props.service', props.port ?? svc.name, `port ${servicePort.name} is ${protocol} to Istio, and the local rate limit is an HTTP filter: Envoy's inbound listener for that port has no HTTP connection manager, so the EnvoyFilter would never apply`,
        "name the port 'http' (or 'http-<suffix>', 'grpc', 'http2') if the service speaks HTTP");
    }
    if (!(TokenBucket.isTokenBucket(props.tokenBucket))) {
      fail(this, 'props.tokenBucket', props.tokenBucket, 'must be a TokenBucket', 'e.g. TokenBucket.of({ maxTokens: 100, tokensPerFill: 100, fillInterval: Duration.seconds(1) })');
    }
    const descriptors = props.descriptors ?? [];
    const keys = new Set<string>();
    const fill = props.tokenBucket.fillInterval.toMilliseconds();
    descriptors.forEach((d, i) => {
      if (!(RateLimitDescriptor.isRateLimitDescriptor(d))) fail(this, `props.descriptors[${i}]`, d, 'must be a RateLimitDescriptor', "e.g. RateLimitDescriptor.pathPrefix('/api', bucket)");
      if (keys.has(d.key)) fail(this, `props.descriptors[${i}]`, d.key, 'descriptors must be unique', 'give each path prefix or header one descriptor');
      keys.add(d.key);
      const own = d.bucket.fillInterval.toMilliseconds();
      if (own % fill !== 0) {
        fail(this, `props.descriptors[${i}].bucket.fillInterval`, d.bucket.fillInterval,
          `a descriptor's fill interval must be a multiple of the default bucket's (${renderDuration(props.tokenBucket.fillInterval)}), as Envoy requires`, `use a multiple of it, e.g. Duration.millis(${fill * 2}), or shorten props.tokenBucket.fillInterval`);
      }
    });
    const responseHeader = props.responseHeader ?? { name: 'x-local-rate-limit', value: 'true' };
    const badHeader = httpToken(responseHeader.name);
    if (badHeader) fail(this, 'props.responseHeader.name', responseHeader.name, `a header name ${badHeader}`, "e.g. 'x-local-rate-limit' (the default)");
    if (typeof responseHeader.value !== 'string' || responseHeader.value.length === 0) {
      fail(this, 'props.responseHeader.value', responseHeader.value, 'a header value must be a non-empty string', "e.g. 'true' (the default)");
    }
    const statPrefix = props.statPrefix ?? 'http_local_rate_limiter';
    if (!/^[A-Za-z0-9_.-]+$/.test(statPrefix)) {
      fail(this, 'props.statPrefix', statPrefix, 'a stat prefix must be non-empty letters, digits, "_", "-" or "."', "e.g. 'orders_rate_limiter', or leave statPrefix out for 'http_local_rate_limiter'");
    }
    const name = props.name ?? `${svc.name}-local-ratelimit`;
    const badName = dns1123Label(name);
    if (badName) fail(this, 'props.name', name, `the EnvoyFilter name ${badName}`, nameHint(name, dns1123Label, 'orders-local-ratelimit'));

    const owner = sourceOwner(this.node.path);
    svc.mesh.registerOwner(owner, this);
    svc.mesh.model.addLocalRateLimit(svc.ref, {
      name,
      bucket: props.tokenBucket.toIntent(),
      descriptors: descriptors.map((d) => d.toIntent()),
      statPrefix,
      responseHeader: { name: responseHeader.name, value: responseHeader.value },
      ...(props.port !== undefined ? { port: servicePort!.targetPort } : {}),
      source: this.node.path,
    });
    // The EnvoyFilter always exists: create it now, so ApiObject.of(limit) works at once.
    this.envoyFilter = svc.mesh.objectOf(owner, 'Resource')!;
  }
}
