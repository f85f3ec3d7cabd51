import { Duration } from 'cdk8s';
import { GatewayTlsIntent } from '../model';
import { fail } from '../private/errors';
import { nameHint } from '../private/hints';
import { dns1123Subdomain } from '../rules/names';

const TLS_BRAND = Symbol.for('cdk8s-istio.GatewayTls');
const ISSUER_BRAND = Symbol.for('cdk8s-istio.CertificateIssuer');

/** Options of {@link GatewayTls.mutual}. */
export interface MutualTlsOptions {
  /**
   * A separate Secret (in the gateway pods' namespace) holding the CA bundle client certificates
   * are checked against, as `ca.crt`.
   * @default - the credential Secret's own `ca.crt` (or Istio's `<credentialName>-cacert` Secret)
   */
  readonly caCredentialName?: string;
}

/**
 * TLS an ingress gateway terminates. The credential is a Kubernetes Secret (`tls.crt`, `tls.key`)
 * that must live in the namespace of the gateway's pods (the root namespace for the shared
 * `istio-ingressgateway`), not the namespace of the Gateway resource or the service: Istio reads it
 * from there only.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings
 * @example GatewayTls.simple('shop-example-com-tls')
 */
export class GatewayTls {
  /** Whether `x` is a GatewayTls (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && TLS_BRAND in x;
  }

  /** Server TLS: the gateway presents the certificate of Secret `credentialName`. */
  public static simple(credentialName: string): GatewayTls {
    return new GatewayTls({ mode: 'SIMPLE', credentialName: secretName('GatewayTls.simple', 'credentialName', credentialName) });
  }

  /** Mutual TLS: as {@link simple}, and clients must present a certificate signed by the CA bundle. */
  public static mutual(credentialName: string, options: MutualTlsOptions = {}): GatewayTls {
    const where = 'GatewayTls.mutual';
    const intent: GatewayTlsIntent = { mode: 'MUTUAL', credentialName: secretName(where, 'credentialName', credentialName) };
    if (options.caCredentialName !== undefined) {
      secretName(where, 'options.caCredentialName', options.caCredentialName);
      if (options.caCredentialName === credentialName) fail(where, 'options.caCredentialName', options.caCredentialName, 'is the credential Secret itself', 'omit it: the credential Secret\'s ca.crt is used');
      return new GatewayTls({ ...intent, caCredentialName: options.caCredentialName });
    }
    return new GatewayTls(intent);
  }

  private constructor(private readonly intent: GatewayTlsIntent) {
    Object.defineProperty(this, TLS_BRAND, { value: true });
  }

  /** The credential Secret's name. */
  public get credentialName(): string {
    return this.intent.credentialName;
  }

  /** The model record. @internal */
  public _intent(): GatewayTlsIntent {
    return this.intent;
  }
}

/**
 * The cert-manager issuer of a gateway's certificate.
 * @example CertificateIssuer.clusterIssuer('letsencrypt')
 */
export class CertificateIssuer {
  /** Whether `x` is a CertificateIssuer (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && ISSUER_BRAND in x;
  }

  /** A cluster-wide `ClusterIssuer`. */
  public static clusterIssuer(name: string): CertificateIssuer {
    return new CertificateIssuer('ClusterIssuer', secretName('CertificateIssuer.clusterIssuer', 'name', name));
  }

  /** An `Issuer`, which must live in the namespace the Certificate is written to (the gateway pods' namespace). */
  public static issuer(name: string): CertificateIssuer {
    return new CertificateIssuer('Issuer', secretName('CertificateIssuer.issuer', 'name', name));
  }

  private constructor(
    /** `ClusterIssuer` or `Issuer`. */
    public readonly kind: 'ClusterIssuer' | 'Issuer',
    /** The issuer's name. */
    public readonly name: string,
  ) {
    Object.defineProperty(this, ISSUER_BRAND, { value: true });
  }
}

/** A cert-manager `Certificate` for a gateway's hosts. */
export interface GatewayCertificateOptions {
  /** The issuer, e.g. `CertificateIssuer.clusterIssuer('letsencrypt')`. */
  readonly issuer: CertificateIssuer;
  /**
   * The requested validity (at least 1 hour, as cert-manager requires).
   * @default - the issuer's default (90 days with cert-manager)
   */
  readonly duration?: Duration;
  /**
   * Renew this long before expiry (at least 5 minutes, less than `duration`).
   * @default - cert-manager's default (a third of the duration)
   */
  readonly renewBefore?: Duration;
}

function secretName(where: string, property: string, v: string): string {
  const bad = dns1123Subdomain(v);
  if (bad) fail(where, property, v, `a Secret or issuer name ${bad}`, nameHint(v, dns1123Subdomain, 'shop-cert'));
  return v;
}
