import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { serviceOwner, TrafficPolicyIntent } from './model';
import { fail, validationMessage } from './private/errors';
import { BOOLEAN_HINT, versionHint } from './private/hints';
import { IMeshService, requireMeshService } from './mesh-service';
import { ConnectionPool } from './values/connection-pool';
import { OutlierDetection } from './values/outlier-detection';
import { addBrand, brandSymbol, hasBrand } from './private/brand';
import { LoadBalancer, RetryBudget, UpstreamTls } from './values/load-balancer';
import { localityFailoverProblem } from './model/locality-failover';
import { declaredPort } from './service-port';

/** Properties of a {@link CircuitBreaker}. */
export interface CircuitBreakerProps {
  /** The service whose host is protected. */
  readonly service: IMeshService;
  /**
   * Protect one version only (its DestinationRule subset). The subset inherits every host-level field
   * it does not set itself.
   * @default - the whole host
   */
  readonly version?: string;
  /**
   * Protect one port of the service only (DestinationRule `portLevelSettings`), e.g. a gRPC port with
   * its own HTTP/2 limits. A port the service declares; not together with `version` (Istio would
   * replace the port settings for that subset), and not on a host with per-version policies.
   * @example 9090
   * @default - every port of the host
   */
  readonly port?: number;
  /**
   * Connection pool limits.
   * @default - Istio's defaults (effectively unlimited)
   */
  readonly connectionPool?: ConnectionPool;
  /**
   * Outlier detection (ejection of failing hosts).
   * @default - no outlier detection
   */
  readonly outlierDetection?: OutlierDetection;
  /**
   * The load balancer: an algorithm or consistent hashing, and locality settings. Locality failover
   * needs `outlierDetection` in the same policy (refused without it: Istio would never fail over).
   * @example LoadBalancer.consistentHash({ httpHeaderName: 'x-user-id' })
   * @default - Istio's default (LEAST_REQUEST, locality-aware when outlier detection is set)
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * TLS to the upstream (for a service that terminates TLS itself).
   * @default - Istio's auto mTLS inside the mesh
   */
  readonly tls?: UpstreamTls;
  /**
   * A limit on concurrent retries relative to active requests.
   * @default - Envoy's default budget
   */
  readonly retryBudget?: RetryBudget;
  /**
   * Marks these settings as defaults another CircuitBreaker of the same host (or version) may
   * override field by field: for a wrapper construct whose app should be able to change, say, the
   * connection pool without an "already set by" error. Where both set a field, the breaker that is
   * not overridable wins, whichever is created first (docs/extending.md).
   * @default false
   */
  readonly overridable?: boolean;
}

const CIRCUIT_BREAKER_BRAND = brandSymbol('CircuitBreaker');

/**
 * Connection pool limits and outlier detection for a service (a TracedService or any {@link IMeshService}), for the whole host or one version.
 * Writes a traffic policy into the mesh model (`mesh.model.addTrafficPolicy`, keyed by the service);
 * the mesh renders it into the host's single DestinationRule, next to the subsets a CanaryRoute
 * derives. Several CircuitBreakers may contribute different fields, the same field twice is an error.
 *
 * @example
 * new CircuitBreaker(chart, 'PaymentBreaker', {
 *   service: payment,
 *   connectionPool: ConnectionPool.of({ tcp: { maxConnections: 50 } }),
 *   outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 3 }),
 * });
 */
export class CircuitBreaker extends Construct {
  /** Whether `x` is a CircuitBreaker (works across copies of this package). */
  public static isCircuitBreaker(x: unknown): x is CircuitBreaker {
    return hasBrand(x, CIRCUIT_BREAKER_BRAND);
  }

  /** `x instanceof CircuitBreaker`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is CircuitBreaker {
    return hasBrand(x, CIRCUIT_BREAKER_BRAND);
  }

  /** The protected service. */
  public readonly service: IMeshService;
  /** The protected version, or undefined for the whole host. */
  public readonly version?: string;
  /** The protected port, or undefined for every port. */
  public readonly port?: number;

  constructor(scope: Construct, id: string, props: CircuitBreakerProps) {
    super(scope, id);
    addBrand(this, CIRCUIT_BREAKER_BRAND);
    if (!props) fail(this, 'props', props, 'props are required', "pass props with the service and a policy, e.g. { service: order, connectionPool: ConnectionPool.of({ tcp: { maxConnections: 100 } }) }");
    const declared = requireMeshService(this, 'props.service', props.service);
    this.service = props.service;
    this.version = props.version;
    if (props.port !== undefined) {
      declaredPort(this, 'props.port', declared, props.port);
      if (props.version !== undefined) {
        fail(this, 'props.port', props.port, 'a policy is either for one port of the whole host or for one version, not both: Istio replaces a subset\'s policy as a whole, port settings included',
          'drop `version` or `port`');
      }
      this.port = props.port;
    }
    if (props.version !== undefined && !this.service.versions.includes(props.version)) {
      fail(this, 'props.version', props.version, `version "${props.version}" is not a version of ${this.service.name} (it runs ${this.service.versions.join(', ')})`, versionHint(this.service.versions));
    }
    if (props.connectionPool !== undefined && !(ConnectionPool.isConnectionPool(props.connectionPool))) {
      fail(this, 'props.connectionPool', props.connectionPool, 'must be a ConnectionPool', 'e.g. ConnectionPool.of({ tcp: { maxConnections: 100 } })');
    }
    if (props.outlierDetection !== undefined && !(OutlierDetection.isOutlierDetection(props.outlierDetection))) {
      fail(this, 'props.outlierDetection', props.outlierDetection, 'must be an OutlierDetection', 'e.g. OutlierDetection.of({ consecutive5xxErrors: 5 })');
    }
    if (props.loadBalancer !== undefined && !(props.loadBalancer instanceof LoadBalancer)) {
      fail(this, 'props.loadBalancer', props.loadBalancer, 'must be a LoadBalancer', "e.g. LoadBalancer.consistentHash({ httpHeaderName: 'x-user-id' })");
    }
    if (props.tls !== undefined && !(props.tls instanceof UpstreamTls)) fail(this, 'props.tls', props.tls, 'must be an UpstreamTls', 'e.g. UpstreamTls.simple()');
    if (props.retryBudget !== undefined && !(props.retryBudget instanceof RetryBudget)) fail(this, 'props.retryBudget', props.retryBudget, 'must be a RetryBudget', 'e.g. RetryBudget.of({ percent: 20 })');
    if (!props.connectionPool && !props.outlierDetection && !props.loadBalancer && !props.tls && !props.retryBudget) {
      fail(this, 'props', 'no policy', 'a circuit breaker needs a connectionPool, an outlierDetection, a loadBalancer, tls or a retryBudget (Istio rejects `trafficPolicy: {}`)', 'e.g. connectionPool: ConnectionPool.of({ tcp: { maxConnections: 100 } }), or drop the CircuitBreaker');
    }
    if (props.loadBalancer?.failsOver) this.checkFailoverAtSynth();
    const policy: TrafficPolicyIntent = {
      ...(props.connectionPool?.toIntent() ?? {}),
      ...(props.outlierDetection ? { outlierDetection: props.outlierDetection.toIntent() } : {}),
      ...(props.loadBalancer ? { loadBalancer: props.loadBalancer.toIntent() } : {}),
      ...(props.tls ? { tls: props.tls.toIntent() } : {}),
      ...(props.retryBudget ? { retryBudget: props.retryBudget.toIntent() } : {}),
    };
    if (props.overridable !== undefined && typeof props.overridable !== 'boolean') fail(this, 'props.overridable', props.overridable, 'must be a boolean', BOOLEAN_HINT);
    this.service.mesh.model.addTrafficPolicy(this.service.ref, policy, this.node.path, props.version, { overridable: props.overridable === true, ...(props.port !== undefined ? { port: props.port } : {}) });
  }

  /**
   * Locality failover needs outlier detection in the policy the DestinationRule finally carries, which
   * several CircuitBreakers may write (one the pool and outlier detection, another the load balancer),
   * in any order: judged on the merged policy at synth.
   */
  private checkFailoverAtSynth(): void {
    this.node.addValidation({
      validate: () => {
        const problem = localityFailoverProblem(this.service.mesh.model.host(this.service.ref), { version: this.version, port: this.port });
        const scope = this.port !== undefined ? ` for port ${this.port}` : this.version !== undefined ? ` for version ${this.version} or for the whole host` : '';
        return problem ? [validationMessage('props.loadBalancer', 'locality failover', problem,
          `set outlierDetection${scope}, in this CircuitBreaker or another one of ${this.service.name}, e.g. OutlierDetection.of({ consecutive5xxErrors: 5 })`)] : [];
      },
    });
  }

  /**
   * The DestinationRule carrying this policy, as an escape hatch: the host's (shared with CanaryRoute
   * subsets) or, with the Gateway API and a `version`, the per-version Service's. Undefined when the
   * host is delivered progressively: Flagger's Canary carries the policy and Flagger creates the
   * DestinationRules; and for a whole-host policy with Gateway API routes that send every request to a
   * version of a one-port Service (the per-version DestinationRules carry it, the Service host's is dead).
   */
  public get destinationRule(): ApiObject | undefined {
    const mesh = this.service.mesh;
    const owner = serviceOwner(this.service);
    // Whichever the renderer emits: a per-version Service's own DestinationRule (Gateway API), else the host's.
    return (this.version !== undefined ? mesh.objectOf(owner, `DestinationRule-${this.version}`) : undefined) ?? mesh.objectOf(owner, 'DestinationRule');
  }
}
