/**
 * Edge intent of the mesh model: what enters the mesh (ingress gateways and the services exposed on
 * them), what leaves it (external services, who calls them, and whether through the egress gateway),
 * and end-user authentication (RequestAuthentication JWT rules). Constructs (IngressGateway,
 * ExternalService, RequestAuthentication) write it; renderers (render/ingress.ts, render/egress.ts,
 * render/request-authentication.ts) read it. Plain data keyed by names and identities.
 */
import type { IdentityRef, ServiceRef } from './identity';
import type { DisruptionBudgetIntent } from './service';
import type { Milliseconds } from './traffic';

/** How a gateway's pods are provided. */
export type GatewayWorkloadKind =
  /** The gateway Istio installs in the root namespace (`istio-ingressgateway`, `istio-egressgateway`). */
  | 'shared'
  /** A gateway deployment the app team installs itself (e.g. with the `istio/gateway` Helm chart). */
  | 'dedicated'
  /** Gateway API: Istio deploys one gateway per `Gateway` of class `istio` (`<name>-istio`). */
  | 'provisioned';

/** The pods a gateway runs as: where, which labels select them, and the identity they run as. */
export interface GatewayWorkloadIntent {
  readonly kind: GatewayWorkloadKind;
  /** The namespace of the gateway pods: credential Secrets must be there. */
  readonly namespace: string;
  /** Labels selecting the gateway pods (an Istio `Gateway`'s `selector`). */
  readonly selector: { readonly [key: string]: string };
  /** The ServiceAccount the gateway pods run as (the caller identity of ingress traffic). */
  readonly identity: IdentityRef;
  /** The gateway's Service name, when known (`istio-egressgateway`), for routes to the gateway. */
  readonly serviceName?: string;
}

/** The workload an ingress gateway asks for; the renderer resolves it per routing API. */
export type IngressWorkloadRequest =
  | { readonly kind: 'shared' }
  | { readonly kind: 'dedicated'; readonly namespace: string; readonly selector: { readonly [key: string]: string }; readonly serviceAccount: string; readonly deploy?: GatewayDeploymentIntent };

/**
 * A dedicated gateway workload the library renders (Istio's gateway injection): the Deployment,
 * Service, ServiceAccount and the Role that lets it read its credential Secrets, all named `name`.
 */
export interface GatewayDeploymentIntent {
  /** The name of the Deployment, Service, ServiceAccount, Role and RoleBinding; the pods carry `istio: <name>`. */
  readonly name: string;
  /** Pod replicas. */
  readonly replicas: number;
  /** The Service type (`LoadBalancer`, `NodePort` or `ClusterIP`). */
  readonly serviceType: string;
  /** The PodDisruptionBudget over the gateway pods; absent: none (one replica, or opted out). */
  readonly disruptionBudget?: DisruptionBudgetIntent;
}

/** TLS a gateway terminates, with the credential from a Secret in the gateway pods' namespace. */
export interface GatewayTlsIntent {
  /** `SIMPLE` (server certificate) or `MUTUAL` (and client certificates checked against a CA). */
  readonly mode: 'SIMPLE' | 'MUTUAL';
  /** The Secret holding `tls.crt`/`tls.key` (and for MUTUAL without `caCredentialName`, `ca.crt`). */
  readonly credentialName: string;
  /** MUTUAL: a separate Secret holding the client CA bundle (`ca.crt`). */
  readonly caCredentialName?: string;
}

/** A cert-manager `Certificate` that writes a gateway's credential Secret. */
export interface CertificateIntent {
  /** `ClusterIssuer` or `Issuer` (an Issuer must live in the Certificate's namespace). */
  readonly issuerKind: 'ClusterIssuer' | 'Issuer';
  /** The issuer's name, e.g. `letsencrypt`. */
  readonly issuerName: string;
  /** The DNS names of the certificate (the gateway's hosts). */
  readonly dnsNames: readonly string[];
  /** The requested validity. */
  readonly duration?: Milliseconds;
  /** How long before expiry cert-manager renews. */
  readonly renewBefore?: Milliseconds;
}

/** An ingress gateway: an Istio `Gateway` (or a Gateway API `Gateway`) with its servers. */
export interface IngressGatewayIntent {
  /** The Gateway's name. */
  readonly name: string;
  /** The Gateway's namespace. */
  readonly namespace: string;
  /** The workload it runs on, as asked for. */
  readonly workloadRequest: IngressWorkloadRequest;
  /** The workload it runs on, as the mesh's renderer resolved it. */
  readonly workload: GatewayWorkloadIntent;
  /** The hosts it serves (DNS names, optionally starting with `*.`). */
  readonly hosts: readonly string[];
  /** Terminated TLS, when HTTPS is served. */
  readonly tls?: GatewayTlsIntent;
  /** The HTTPS port (with `tls`). */
  readonly httpsPort: number;
  /** The plain HTTP port: redirects to HTTPS with `tls` and `httpsRedirect`, else serves HTTP. Absent: no HTTP server. */
  readonly httpPort?: number;
  /** Whether plain HTTP is answered with a 301 redirect to HTTPS. */
  readonly httpsRedirect: boolean;
  /** The cert-manager Certificate writing `tls.credentialName` into the gateway pods' namespace. */
  readonly certificate?: CertificateIntent;
  /** Construct path of the writer; it owns the rendered objects. */
  readonly source: string;
}

/** A path exposed on a gateway: `exact` (one path) or `prefix` (the path and everything below it, by segment). */
export interface ExposedPathIntent {
  readonly kind: 'exact' | 'prefix';
  /** An absolute path; a prefix has no trailing `/` (except `/` itself). */
  readonly value: string;
}

/** A service exposed on an ingress gateway for one host and some paths. */
export interface GatewayExposureIntent {
  /** `namespace/name` of the gateway. */
  readonly gateway: string;
  /** The exposed service. */
  readonly service: ServiceRef;
  /** The host clients send (one of the gateway's hosts, or matched by one of its wildcards). */
  readonly host: string;
  /** The exposed paths (ORed). */
  readonly paths: readonly ExposedPathIntent[];
  /** Construct path of the writer. */
  readonly source: string;
}

/** Service-entry protocols of an external port. */
export type ExternalProtocol = 'HTTP' | 'HTTPS' | 'HTTP2' | 'GRPC' | 'TLS' | 'TCP';

/** One port of an external service. */
export interface ExternalPortIntent {
  /** The port name (unique in the ServiceEntry). */
  readonly name: string;
  /** The port applications call. */
  readonly number: number;
  readonly protocol: ExternalProtocol;
  /** The port traffic is sent to at the external host, when different (TLS origination: 80 → 443). */
  readonly targetPort?: number;
}

/** TLS the mesh originates for applications that speak plain HTTP to an external host. */
export interface TlsOriginationIntent {
  /** The plain HTTP port applications call (a port of the service). */
  readonly port: number;
  /** The TLS port at the external host. */
  readonly targetPort: number;
  /** The SNI sent (the external host). */
  readonly sni: string;
  /** The CA bundle that verifies the external server certificate, as a path in the proxy. */
  readonly caCertificates: string;
}

/** Routing an external service through the egress gateway. */
export interface EgressGatewayIntent {
  /** The egress gateway's pods. */
  readonly workload: GatewayWorkloadIntent;
  /**
   * `passthrough`: the application's own TLS, wrapped in mesh mTLS to the gateway, which forwards it;
   * `originate`: the application speaks HTTP, the gateway originates TLS to the external host.
   */
  readonly mode: 'passthrough' | 'originate';
  /** The gateway server port (the TLS port for passthrough, the HTTP port for origination). */
  readonly port: number;
  /** `originate`: the CA bundle that verifies the external server certificate, as a path in the gateway proxy. */
  readonly caCertificates?: string;
}

/** An external service (outside the mesh), rendered as a `ServiceEntry` with `location: MESH_EXTERNAL`. */
export interface ExternalServiceIntent {
  /** The ServiceEntry name. */
  readonly name: string;
  /** The ServiceEntry namespace. */
  readonly namespace: string;
  /** The hosts. */
  readonly hosts: readonly string[];
  /** The ports. */
  readonly ports: readonly ExternalPortIntent[];
  /** `DNS`, `DNS_ROUND_ROBIN`, `STATIC` or `NONE`. */
  readonly resolution: string;
  /** Virtual IPs (CIDRs) the hosts are reached at, when any. */
  readonly addresses: readonly string[];
  /** Endpoint addresses (`STATIC` resolution). */
  readonly endpoints: readonly string[];
  /** Explicit exportTo, when given; else derived from the callers (see `externalExportTo`). */
  readonly exportTo?: readonly string[];
  /** TLS origination at the caller's sidecar (without the egress gateway). */
  readonly tlsOrigination?: TlsOriginationIntent;
  /** Routing through the egress gateway. */
  readonly egressGateway?: EgressGatewayIntent;
  /** Construct path of the writer; it owns the rendered objects. */
  readonly source: string;
}

/** A declared call from a mesh workload to an external service. */
export interface ExternalCallIntent {
  /** The caller's identity. */
  readonly caller: IdentityRef;
  /** `namespace/name` of the external service. */
  readonly external: string;
  /** Construct path of the writer. */
  readonly source: string;
}

/** Where a JWT is read from: a header, with an optional prefix before the token. */
export interface JwtHeaderIntent {
  readonly name: string;
  readonly prefix?: string;
}

/** One JWT issuer a RequestAuthentication accepts. */
export interface JwtRuleIntent {
  readonly issuer: string;
  readonly jwksUri: string;
  /** Accepted audiences; empty: any audience. */
  readonly audiences: readonly string[];
  /** Where the token is read; empty: `Authorization: Bearer <token>` and the `access_token` query parameter. */
  readonly fromHeaders: readonly JwtHeaderIntent[];
  /** Whether the token is forwarded to the workload. */
  readonly forwardOriginalToken: boolean;
  /** Claims copied into request headers. */
  readonly outputClaimToHeaders: ReadonlyArray<{ readonly header: string; readonly claim: string }>;
}

/** What a RequestAuthentication applies to: a mesh service's workload, or an ingress gateway. */
export type RequestAuthenticationTarget =
  | { readonly kind: 'service'; readonly service: ServiceRef }
  | { readonly kind: 'gateway'; readonly gateway: string };

/** A RequestAuthentication: which JWTs a workload validates. */
export interface RequestAuthenticationIntent {
  /** The resource name. */
  readonly name: string;
  readonly target: RequestAuthenticationTarget;
  readonly jwtRules: readonly JwtRuleIntent[];
  /** Construct path of the writer; it owns the rendered object. */
  readonly source: string;
}

/** Everything of the edge, as plain data (part of the model snapshot when any is declared). */
export interface EdgeIntentData {
  readonly ingressGateways: readonly IngressGatewayIntent[];
  readonly exposures: readonly GatewayExposureIntent[];
  readonly externalServices: readonly ExternalServiceIntent[];
  readonly externalCalls: readonly ExternalCallIntent[];
  readonly requestAuthentications: readonly RequestAuthenticationIntent[];
}

/** `namespace/name` of a gateway or external service. */
export function edgeKey(x: { readonly namespace: string; readonly name: string }): string {
  return `${x.namespace}/${x.name}`;
}

/** The service-entry host of an external service as a Sidecar egress host: `<namespace>/<host>`. */
export function externalEgressHosts(es: ExternalServiceIntent): string[] {
  return es.hosts.map((h) => `${es.namespace}/${h}`);
}

/** Whether `host` (a request host) is served by `pattern` (a gateway host, possibly `*.x`). */
export function gatewayHostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
  return p === h;
}

/** Whether two exposed paths can both match one request path. */
export function exposedPathsOverlap(a: ExposedPathIntent, b: ExposedPathIntent): boolean {
  const covers = (prefix: string, path: string) => prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
  if (a.kind === 'exact' && b.kind === 'exact') return a.value === b.value;
  if (a.kind === 'prefix' && b.kind === 'prefix') return covers(a.value, b.value) || covers(b.value, a.value);
  const [p, e] = a.kind === 'prefix' ? [a, b] : [b, a];
  return covers(p.value, e.value);
}

/** Whether a request path is one of the exposed paths. */
export function exposedPathMatches(p: ExposedPathIntent, path: string): boolean {
  const bare = path.split('?')[0];
  if (p.kind === 'exact') return bare === p.value;
  return p.value === '/' || bare === p.value || bare.startsWith(`${p.value}/`);
}
