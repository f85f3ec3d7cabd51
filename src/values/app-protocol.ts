import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { Protocol } from '../rules/protocol';

const APP_PROTOCOL_BRAND = brandSymbol('AppProtocol');

/**
 * The application protocol of a service port, rendered as the Service port's `appProtocol`. Istio
 * reads a port's protocol from `appProtocol` first, then from the port name's prefix (`http`,
 * `http-api`, `grpc`...); without either it sniffs the protocol, and routes and L7 policies may not
 * apply. Set it when the port name says nothing (e.g. `{ name: 'api', protocol: AppProtocol.GRPC }`).
 * UDP is not offered: Istio's proxies do not carry UDP.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export class AppProtocol {
  /** Whether `x` is an AppProtocol (works across copies of this package). */
  public static isAppProtocol(x: unknown): x is AppProtocol {
    return hasBrand(x, APP_PROTOCOL_BRAND);
  }

  /** `x instanceof AppProtocol`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is AppProtocol {
    return hasBrand(x, APP_PROTOCOL_BRAND);
  }

  /** HTTP/1.1 (routes, retries, L7 policies). */
  public static readonly HTTP = new AppProtocol('HTTP');
  /** HTTP/2 in cleartext. */
  public static readonly HTTP2 = new AppProtocol('HTTP2');
  /** gRPC (HTTP/2): routed like HTTP. */
  public static readonly GRPC = new AppProtocol('GRPC');
  /** gRPC-Web. */
  public static readonly GRPC_WEB = new AppProtocol('GRPC-Web');
  /** Opaque TCP: only L4 routing and policies apply. */
  public static readonly TCP = new AppProtocol('TCP');
  /** TLS the application terminates itself (routed by SNI). */
  public static readonly TLS = new AppProtocol('TLS');
  /** HTTPS the application terminates itself (proxied as TLS). */
  public static readonly HTTPS = new AppProtocol('HTTPS');
  /** MongoDB (proxied as TCP). */
  public static readonly MONGO = new AppProtocol('Mongo');
  /** MySQL (proxied as TCP). */
  public static readonly MYSQL = new AppProtocol('MySQL');
  /** Redis (proxied as TCP). */
  public static readonly REDIS = new AppProtocol('Redis');

  /** @param protocol Istio's name of the protocol (`protocol.Instance`) */
  private constructor(public readonly protocol: Protocol) {
    addBrand(this, APP_PROTOCOL_BRAND);
  }

  /** The `appProtocol` value written on the Service port (Istio's name, lowercase: `grpc`, `http2`...). */
  public get value(): string {
    return this.protocol.toLowerCase();
  }

  /** Istio's name of the protocol, e.g. `GRPC`. */
  public toString(): string {
    return this.protocol;
  }
}
