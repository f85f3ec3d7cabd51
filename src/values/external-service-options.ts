import { ExternalPortIntent, ExternalProtocol } from '../model';
import { fail } from '../private/errors';
import { port as checkPort } from '../rules/ports';
import { caBundlePath } from '../rules/tls';

const PORT_BRAND = Symbol.for('cdk8s-istio.ExternalPort');
const RESOLUTION_BRAND = Symbol.for('cdk8s-istio.Resolution');
const ORIGINATION_BRAND = Symbol.for('cdk8s-istio.TlsOrigination');
const EGRESS_BRAND = Symbol.for('cdk8s-istio.EgressGatewayMode');

/** The CA bundle of Istio's proxy image, which verifies public server certificates. */
export const PROXY_SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/**
 * One port of an external service, with the protocol the mesh uses on it.
 * @example ExternalPort.tls(443)
 */
export class ExternalPort {
  /** Whether `x` is an ExternalPort (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && PORT_BRAND in x;
  }

  /** TLS the application speaks itself (HTTPS APIs called with `https://`): the mesh sees the SNI only. */
  public static tls(port: number): ExternalPort {
    return ExternalPort.make('ExternalPort.tls', port, 'TLS');
  }

  /** HTTPS the application speaks itself; like {@link tls} for the mesh. */
  public static https(port: number): ExternalPort {
    return ExternalPort.make('ExternalPort.https', port, 'HTTPS');
  }

  /** Plain HTTP. With TLS origination, the application calls this port and the mesh sends TLS to `targetPort`. */
  public static http(port: number, options: { readonly targetPort?: number } = {}): ExternalPort {
    return ExternalPort.make('ExternalPort.http', port, 'HTTP', options.targetPort);
  }

  /** Opaque TCP (a database): needs `addresses`, or Istio cannot tell the traffic apart (IST0134). */
  public static tcp(port: number): ExternalPort {
    return ExternalPort.make('ExternalPort.tcp', port, 'TCP');
  }

  /** gRPC (HTTP/2). */
  public static grpc(port: number): ExternalPort {
    return ExternalPort.make('ExternalPort.grpc', port, 'GRPC');
  }

  private static make(where: string, port: number, protocol: ExternalProtocol, targetPort?: number): ExternalPort {
    const bad = checkPort(port);
    if (bad) fail(where, 'port', port, bad, 'e.g. ExternalPort.tls(443)');
    if (targetPort !== undefined) {
      const badTarget = checkPort(targetPort);
      if (badTarget) fail(where, 'options.targetPort', targetPort, badTarget, 'e.g. { targetPort: 8080 }, or leave targetPort out to use the port');
    }
    return new ExternalPort({ name: `${protocol.toLowerCase()}-${port}`, number: port, protocol, ...(targetPort !== undefined ? { targetPort } : {}) });
  }

  private constructor(private readonly intent: ExternalPortIntent) {
    Object.defineProperty(this, PORT_BRAND, { value: true });
  }

  /** The port number applications call. */
  public get number(): number {
    return this.intent.number;
  }

  /** The model record. @internal */
  public _intent(): ExternalPortIntent {
    return this.intent;
  }
}

/**
 * How the proxy finds the addresses of an external host.
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution
 */
export class Resolution {
  /** Resolve the host with DNS (at connection time). The default. Not for wildcard hosts. */
  public static readonly DNS = new Resolution('DNS');
  /** Resolve with DNS, use one address per connection pool (large public APIs). */
  public static readonly DNS_ROUND_ROBIN = new Resolution('DNS_ROUND_ROBIN');
  /** Fixed endpoint addresses (`endpoints`). */
  public static readonly STATIC = new Resolution('STATIC');
  /** Pass through to the address the application resolved (wildcard hosts). */
  public static readonly NONE = new Resolution('NONE');

  /** Whether `x` is a Resolution (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && RESOLUTION_BRAND in x;
  }

  private constructor(
    /** Istio's name of the resolution. */
    public readonly value: string,
  ) {
    Object.defineProperty(this, RESOLUTION_BRAND, { value: true });
  }

  /** The Istio name. */
  public toString(): string {
    return this.value;
  }
}

/** Options of {@link TlsOrigination.onPort} and {@link EgressGatewayMode.originateTls}. */
export interface TlsOriginationOptions {
  /**
   * The CA bundle that verifies the external server's certificate, a path inside the proxy.
   * @default '/etc/ssl/certs/ca-certificates.crt' (the system bundle of Istio's proxy image)
   */
  readonly caCertificates?: string;
}

/**
 * TLS originated by the caller's sidecar: the application calls `http://<host>:<port>`, the sidecar
 * opens TLS to the port's `targetPort`, with the host as SNI, verifying the server certificate.
 * The port must be an `ExternalPort.http(port, { targetPort })` of the service.
 */
export class TlsOrigination {
  /** Whether `x` is a TlsOrigination (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && ORIGINATION_BRAND in x;
  }

  /** Originate TLS for calls to this plain HTTP port. */
  public static onPort(port: number, options: TlsOriginationOptions = {}): TlsOrigination {
    const bad = checkPort(port);
    if (bad) fail('TlsOrigination.onPort', 'port', port, bad, 'e.g. TlsOrigination.onPort(80)');
    return new TlsOrigination(port, caBundle('TlsOrigination.onPort', options.caCertificates));
  }

  private constructor(
    /** The plain HTTP port applications call. */
    public readonly port: number,
    /** The CA bundle path. */
    public readonly caCertificates: string,
  ) {
    Object.defineProperty(this, ORIGINATION_BRAND, { value: true });
  }
}

/**
 * How an external service is reached through the egress gateway (the shared `istio-egressgateway`
 * of the root namespace, enabled with `ControlPlane` `egressGateway: true`). Sidecars always reach
 * the gateway over mesh mTLS, so the gateway knows who calls and admits only declared callers.
 */
export class EgressGatewayMode {
  /** Whether `x` is an EgressGatewayMode (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && EGRESS_BRAND in x;
  }

  /**
   * The application speaks TLS itself (a TLS or HTTPS port); the gateway forwards it unopened by its
   * SNI. The gateway server listens on the same port.
   */
  public static passthrough(): EgressGatewayMode {
    return new EgressGatewayMode('passthrough', PROXY_SYSTEM_CA_BUNDLE);
  }

  /**
   * The application speaks plain HTTP to an `ExternalPort.http(port, { targetPort })`; the gateway
   * originates TLS to the target port.
   */
  public static originateTls(options: TlsOriginationOptions = {}): EgressGatewayMode {
    return new EgressGatewayMode('originate', caBundle('EgressGatewayMode.originateTls', options.caCertificates));
  }

  private constructor(
    /** `passthrough` or `originate`. */
    public readonly mode: 'passthrough' | 'originate',
    /** The CA bundle the gateway verifies the external certificate with (origination). */
    public readonly caCertificates: string,
  ) {
    Object.defineProperty(this, EGRESS_BRAND, { value: true });
  }
}

function caBundle(where: string, v: string | undefined): string {
  if (v === undefined) return PROXY_SYSTEM_CA_BUNDLE;
  const broken = caBundlePath(v);
  if (broken) fail(where, 'options.caCertificates', v, broken, `e.g. PROXY_SYSTEM_CA_BUNDLE ('${PROXY_SYSTEM_CA_BUNDLE}')`);
  return v;
}
