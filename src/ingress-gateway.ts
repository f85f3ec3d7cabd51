import { ApiObject, ApiObjectProps } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { IMeshMember, Mesh } from './mesh';
import {
  CertificateIntent,
  edgeKey,
  GatewayWorkloadIntent,
  IngressWorkloadRequest,
  IWorkloadIdentity,
  sourceOwner,
} from './model';
import { fail, validationMessage } from './private/errors';
import { MESH_HINT, nameHint, SAME_MESH_HINT } from './private/hints';
import { dns1123Label, dns1123Subdomain, toDnsLabel, wildcardDomain } from './rules/names';
import { labelKey, labelValue } from './rules/labels';
import { port as checkPort } from './rules/ports';
import { hostLabel } from './render/ingress';
import type { AllowOptions } from './service-security';
import { Condition } from './values/condition';
import { ExternalIdentity } from './values/external-identity';
import { CertificateIssuer, GatewayCertificateOptions, GatewayTls } from './values/gateway-tls';
import { HttpMethod } from './values/http-method';
import { RequestPrincipal } from './values/jwt';
import { RoutePath } from './values/route-path';
import { DisruptionBudget, podsDisruptionBudget } from './values/workload';

const INGRESS_SYMBOL = Symbol.for('cdk8s-istio.IngressGateway');

/** Properties of {@link IngressWorkload.dedicated}. */
export interface DedicatedGatewayProps {
  /** The namespace the gateway pods run in (credential Secrets must be there). */
  readonly namespace: string;
  /** Labels selecting the gateway pods, e.g. `{ istio: 'shop-ingress' }`. */
  readonly selector: { readonly [key: string]: string };
  /** The ServiceAccount the gateway pods run as (the caller identity services see). */
  readonly serviceAccount: string;
}

/** Properties of {@link IngressWorkload.deployed}. */
export interface DeployedGatewayProps {
  /**
   * The namespace the gateway pods run in: the mesh root namespace or a namespace of the app
   * (credential Secrets must be there).
   */
  readonly namespace: string;
  /**
   * The name of the gateway's Deployment, Service, ServiceAccount, Role and RoleBinding; its pods carry
   * `istio: <name>`, which the Gateway selects, and run as ServiceAccount `<name>`.
   * @example 'shop-ingress'
   */
  readonly name: string;
  /**
   * Pod replicas (1–100).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * The Service type.
   * @default 'LoadBalancer'
   */
  readonly serviceType?: 'LoadBalancer' | 'NodePort' | 'ClusterIP';
  /**
   * The PodDisruptionBudget over the gateway pods (selecting exactly the Deployment's pods), with 2 or
   * more replicas; `DisruptionBudget.none()` opts out.
   * @default DisruptionBudget.maxUnavailable(1) with 2 or more replicas, none with one
   */
  readonly disruptionBudget?: DisruptionBudget;
}

/**
 * The pods an {@link IngressGateway} runs on (Istio routing API). With `RoutingApi.GATEWAY_API`,
 * Istio provisions a gateway Deployment per Gateway (`<name>-istio` in the Gateway's namespace) and
 * only {@link IngressWorkload.shared} (the default, meaning "the gateway this API gives") is accepted.
 */
export class IngressWorkload {
  /**
   * The shared `istio-ingressgateway` Istio installs in the mesh root namespace: selector
   * `istio: ingressgateway`, ServiceAccount `istio-ingressgateway-service-account`.
   */
  public static shared(): IngressWorkload {
    return new IngressWorkload({ kind: 'shared' });
  }

  /** A gateway deployment the team installs itself (e.g. with the `istio/gateway` Helm chart). */
  public static dedicated(props: DedicatedGatewayProps): IngressWorkload {
    const where = 'IngressWorkload.dedicated';
    const badNs = dns1123Label(props?.namespace);
    if (badNs) fail(where, 'props.namespace', props?.namespace, `a namespace ${badNs}`, nameHint(props?.namespace, dns1123Label, 'istio-ingress'));
    const keys = Object.keys(props.selector ?? {});
    if (keys.length === 0) fail(where, 'props.selector', props.selector, 'a gateway selector needs at least one label: an empty one selects every pod of every namespace', "name the gateway pods' labels, e.g. selector: { istio: 'ingressgateway' }");
    for (const k of keys) {
      const bad = labelKey(k) ?? labelValue(props.selector[k]);
      if (bad) fail(where, `props.selector.${k}`, props.selector[k], bad, "e.g. selector: { istio: 'ingressgateway' }");
    }
    const badSa = dns1123Subdomain(props.serviceAccount);
    if (badSa) fail(where, 'props.serviceAccount', props.serviceAccount, `a ServiceAccount name ${badSa}`, nameHint(props.serviceAccount, dns1123Subdomain, 'istio-ingressgateway'));
    return new IngressWorkload({ kind: 'dedicated', namespace: props.namespace, selector: { ...props.selector }, serviceAccount: props.serviceAccount });
  }

  /**
   * A dedicated gateway the library deploys, the way Istio documents gateway injection
   * (https://istio.io/latest/docs/setup/additional-setup/gateway/, the `istio/gateway` chart of Istio
   * 1.30.3): a Deployment whose pods are labelled `sidecar.istio.io/inject: "true"` and annotated
   * `inject.istio.io/templates: gateway`, with one container `istio-proxy` of image `auto` (the injector
   * replaces it with the proxy image of the installed control plane, so the gateway runs the same,
   * pinned proxy version as every sidecar: it is not an unpinned image), a Service, a ServiceAccount
   * (the gateway identity services allow), and a Role that lets that identity read the credential
   * Secrets of its namespace (istiod serves them to the gateway only then). PSS restricted as far as
   * the injected gateway template allows: see docs/edge.md.
   */
  public static deployed(props: DeployedGatewayProps): IngressWorkload {
    const where = 'IngressWorkload.deployed';
    const badNs = dns1123Label(props?.namespace);
    if (badNs) fail(where, 'props.namespace', props?.namespace, `a namespace ${badNs}`, nameHint(props?.namespace, dns1123Label, 'istio-ingress'));
    const badName = dns1123Label(props.name);
    if (badName) fail(where, 'props.name', props.name, `a gateway workload name ${badName}`, nameHint(props.name, dns1123Label, 'shop-gateway'));
    const replicas = props.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 100) fail(where, 'props.replicas', props.replicas, 'must be a whole number from 1 to 100', 'e.g. replicas: 2 (the default)');
    const serviceType = props.serviceType ?? 'LoadBalancer';
    if (!['LoadBalancer', 'NodePort', 'ClusterIP'].includes(serviceType)) fail(where, 'props.serviceType', serviceType, 'must be LoadBalancer, NodePort or ClusterIP', "leave serviceType out for 'LoadBalancer', or write 'ClusterIP' behind an external load balancer");
    const disruptionBudget = podsDisruptionBudget(where, 'props.disruptionBudget', props.disruptionBudget, replicas);
    return new IngressWorkload({
      kind: 'dedicated', namespace: props.namespace, selector: { istio: props.name }, serviceAccount: props.name,
      deploy: { name: props.name, replicas, serviceType, ...(disruptionBudget ? { disruptionBudget } : {}) },
    });
  }

  private constructor(
    /** The request, as the model records it. @internal */
    public readonly _request: IngressWorkloadRequest,
  ) {}
}

/** Properties of an {@link IngressGateway}. */
export interface IngressGatewayProps {
  /** The mesh. */
  readonly mesh: Mesh;
  /**
   * The Gateway's name (a DNS-1123 label).
   * @default - the construct id in kebab case
   */
  readonly name?: string;
  /**
   * The Gateway's namespace. With the Istio API the gateway pods may run elsewhere (the shared
   * gateway runs in the root namespace); with the Gateway API they run here.
   * @default - the mesh root namespace
   */
  readonly namespace?: string;
  /**
   * The hosts served: DNS names, optionally starting with `*.`.
   * @example ['shop.example.com']
   */
  readonly hosts: string[];
  /**
   * HTTPS with this TLS credential. The Secret is read from the gateway pods' namespace.
   * @default - no HTTPS: HTTP only (only behind a load balancer that terminates TLS)
   */
  readonly tls?: GatewayTls;
  /**
   * A cert-manager `Certificate` (cert-manager.io/v1) for the hosts, written into the gateway pods'
   * namespace with `secretName` = the TLS credential, so the Secret lands where the gateway reads it.
   * @default - none: the Secret is provided otherwise
   */
  readonly certificate?: GatewayCertificateOptions;
  /**
   * The HTTPS port.
   * @default 443
   */
  readonly httpsPort?: number;
  /**
   * The plain HTTP port; `false` for none.
   * @default 80
   */
  readonly httpPort?: number | false;
  /**
   * With TLS: answer plain HTTP with a 301 redirect to HTTPS. `false` serves the routes over plain
   * HTTP as well.
   * @default true
   */
  readonly httpsRedirect?: boolean;
  /**
   * The gateway pods (Istio routing API).
   * @default IngressWorkload.shared()
   */
  readonly workload?: IngressWorkload;
}

/**
 * What {@link IngressGateway.expose} needs of a service: its mesh, its name and namespace, and a
 * way to allow the gateway as a caller. `TracedService` implements it.
 */
export interface IExposableService extends IConstruct {
  /** The mesh the service belongs to. */
  readonly mesh: Mesh;
  /** The Service name. */
  readonly name: string;
  /** The namespace. */
  readonly namespace: string;
  /** Allows a caller (here: the gateway's identity) to call the service. */
  allowFrom(caller: IWorkloadIdentity, options?: AllowOptions): void;
}

/** Options of {@link IngressGateway.expose}. */
export interface ExposeOptions {
  /**
   * The host clients send, one of the gateway's hosts (or matched by one of its `*.` hosts).
   * @default - the gateway's host, when it has exactly one
   */
  readonly host?: string;
  /**
   * The exposed paths; requests to other paths get 404 at the gateway. Paths of two exposures of the
   * same gateway and host must not overlap.
   * @example [RoutePath.prefix('/api/orders')]
   */
  readonly paths: RoutePath[];
  /**
   * The methods the gateway may call the service with on these paths (its allow rule).
   * @default - every method
   */
  readonly methods?: HttpMethod[];
  /**
   * A valid end-user token the gateway's requests must carry (needs a RequestAuthentication on the
   * service for the issuer).
   * @default - no token required by this rule
   */
  readonly requestPrincipals?: RequestPrincipal[];
  /**
   * Conditions the allow rule adds, e.g. a JWT claim.
   * @default - none
   */
  readonly when?: Condition[];
  /**
   * Add the allow rule that lets the gateway's identity call the service on the exposed paths. Turn
   * it off only to write the gateway's allow rules yourself (`service.allowFrom(gateway, ...)`):
   * behind a default deny nothing else lets the gateway in.
   * @default true
   */
  readonly allow?: boolean;
}

/**
 * An ingress gateway: where traffic from outside enters the mesh. It renders an Istio `Gateway` on
 * the gateway's pods (the shared `istio-ingressgateway` of the root namespace by default) with an
 * HTTPS server (TLS SIMPLE or MUTUAL from a `credentialName` Secret in the gateway pods'
 * namespace) and an HTTP server that redirects to HTTPS; with `RoutingApi.GATEWAY_API`, a Gateway
 * API `Gateway` of class `istio` with the same listeners. An optional cert-manager `Certificate`
 * writes the credential Secret where the gateway reads it.
 *
 * {@link expose} binds a service to a host and paths: the gateway routes with the service's own
 * canary rules (the same subsets and weights as mesh traffic), and the gateway's identity becomes
 * an allowed caller of the service on those paths. The gateway is an {@link IWorkloadIdentity}, so
 * `service.allowFrom(gateway, ...)` adds further rules without a principal typed by hand.
 *
 * @example
 * const gw = new IngressGateway(chart, 'ShopGateway', {
 *   mesh, hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-example-com-tls'),
 *   certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt') },
 * });
 * gw.expose(order, { paths: [RoutePath.prefix('/api/orders')], methods: [HttpMethod.GET] });
 */
export class IngressGateway extends Construct implements IMeshMember, IWorkloadIdentity {
  /** Whether `x` is an IngressGateway (works across copies of this package). */
  public static isIngressGateway(x: unknown): x is IngressGateway {
    return typeof x === 'object' && x !== null && INGRESS_SYMBOL in x;
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The Gateway's name. */
  public readonly name: string;
  /** The Gateway's namespace. */
  public readonly namespace: string;
  /** The hosts served. */
  public readonly hosts: readonly string[];
  /** The gateway pods, as the mesh's routing API resolves them (namespace, selector, identity). */
  public readonly workload: GatewayWorkloadIntent;
  /** The Gateway object (Istio `Gateway`, or Gateway API `Gateway`): the escape hatch. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: IngressGatewayProps) {
    super(scope, id);
    Object.defineProperty(this, INGRESS_SYMBOL, { value: true });
    if (!props || !Mesh.isMesh(props.mesh)) fail(this, 'props.mesh', props?.mesh, 'must be a Mesh', MESH_HINT);
    this.mesh = props.mesh;
    this.name = props.name ?? toDnsLabel(id);
    const badName = dns1123Label(this.name);
    if (badName) fail(this, 'props.name', this.name, `a gateway name ${badName}`, `try "${toDnsLabel(this.name)}"`);
    this.namespace = props.namespace ?? this.mesh.rootNamespace;
    const badNs = dns1123Label(this.namespace);
    if (badNs) fail(this, 'props.namespace', this.namespace, `a namespace ${badNs}`, `${nameHint(this.namespace, dns1123Label, 'istio-ingress')}, or leave namespace out for the mesh root namespace`);
    if (!Array.isArray(props.hosts) || props.hosts.length === 0) fail(this, 'props.hosts', props.hosts, 'a gateway serves at least one host', "e.g. hosts: ['shop.example.com']");
    const seen = new Set<string>();
    props.hosts.forEach((h, i) => {
      const bad = typeof h !== 'string' ? 'must be a string' : h === '*' ? '"*" serves every host name, so any route of any team could claim traffic for it' : wildcardDomain(h);
      if (bad) fail(this, `props.hosts[${i}]`, h, `a gateway host ${bad}`, 'name the host, e.g. "shop.example.com" or "*.example.com"');
      if (h !== h.toLowerCase()) fail(this, `props.hosts[${i}]`, h, 'host names are compared in lowercase', `write "${h.toLowerCase()}"`);
      if (h.endsWith('.')) fail(this, `props.hosts[${i}]`, h, 'a gateway host has no trailing dot', `write "${h.replace(/\.$/, '')}"`);
      if (seen.has(hostLabel(h))) fail(this, `props.hosts[${i}]`, h, 'hosts must be unique', 'list each host once (hosts are compared in lowercase, without a trailing dot)');
      seen.add(hostLabel(h));
    });
    this.hosts = [...props.hosts];
    if (props.tls !== undefined && !(props.tls instanceof GatewayTls)) fail(this, 'props.tls', props.tls, 'must be a GatewayTls (GatewayTls.simple/mutual)', "e.g. tls: GatewayTls.simple('shop-cert')");
    const httpsPort = props.httpsPort ?? 443;
    const httpPort = props.httpPort === false ? undefined : props.httpPort ?? 80;
    for (const [p, v] of [['props.httpsPort', httpsPort], ['props.httpPort', httpPort]] as const) {
      if (v === undefined) continue;
      const bad = checkPort(v);
      if (bad) fail(this, p, v, bad, p === 'props.httpsPort' ? 'e.g. 443 (the default)' : 'e.g. 80 (the default)');
    }
    if (props.tls && httpPort === httpsPort) fail(this, 'props.httpPort', httpPort, `the HTTP and HTTPS servers need different ports (HTTPS is on ${httpsPort})`, `pick another httpPort, e.g. ${httpsPort === 80 ? 8080 : 80}`);
    if (!props.tls && httpPort === undefined) fail(this, 'props.httpPort', false, 'without tls the gateway serves plain HTTP only, so it needs an HTTP port', 'give tls, or an httpPort');
    if (!props.tls && props.httpsRedirect === true) fail(this, 'props.httpsRedirect', true, 'a redirect to HTTPS needs tls on the gateway', "add tls: GatewayTls.simple('<secret>'), or drop httpsRedirect");
    if (!props.tls && props.certificate) fail(this, 'props.certificate', 'Certificate', 'a certificate is written into the TLS credential Secret, so it needs tls', "add tls: GatewayTls.simple('<secret>')");
    const certificate = props.certificate ? this.certificateIntent(props.certificate) : undefined;
    const request = props.workload?._request ?? { kind: 'shared' };
    if (props.workload !== undefined && !(props.workload instanceof IngressWorkload)) fail(this, 'props.workload', props.workload, 'must be an IngressWorkload (IngressWorkload.shared/dedicated)', "e.g. IngressWorkload.shared() (the default) or IngressWorkload.dedicated({ namespace: 'istio-ingress', selector: { istio: 'ingressgateway' }, serviceAccount: 'istio-ingressgateway' })");
    this.workload = this.mesh.renderer.ingressWorkload(request, { name: this.name, namespace: this.namespace });

    const owner = sourceOwner(this.node.path);
    // RBAC objects carry rules/roleRef/subjects, not a spec: a plain ApiObject holds the whole manifest.
    this.mesh.registerOwner(owner, this, (childId, manifest) => (childId === 'Role' || childId === 'RoleBinding' ? new ApiObject(this, childId, manifest as unknown as ApiObjectProps) : undefined));
    this.mesh.model.addIngressGateway({
      name: this.name,
      namespace: this.namespace,
      workloadRequest: request,
      workload: this.workload,
      hosts: this.hosts,
      ...(props.tls ? { tls: props.tls._intent() } : {}),
      httpsPort,
      ...(httpPort !== undefined ? { httpPort } : {}),
      httpsRedirect: props.tls !== undefined && (props.httpsRedirect ?? true),
      ...(certificate ? { certificate } : {}),
      source: this.node.path,
    });
    this.mesh.addMember(this);
    this.resource = this.mesh.objectOf(owner, 'Resource')!;
    if (request.kind === 'dedicated' && request.deploy) {
      const deployed = request;
      this.node.addValidation({ validate: () => this.deployedGatewayProblems(deployed.namespace) });
    }
  }

  /**
   * A deployed gateway in a namespace with a default deny: the namespace-wide ALLOW-nothing policy
   * applies to the gateway's own pods too (a policy without selector selects every workload of its
   * namespace, gateways included), so no external request would get in.
   */
  private deployedGatewayProblems(namespace: string): string[] {
    if (!this.mesh.model.namespaceSecurity(namespace)?.defaultDeny) return [];
    return [validationMessage('workload', `${namespace}/${this.serviceAccountName}`,
      `namespace ${namespace} has a default deny, which applies to the gateway's pods too: every request from outside the mesh would be refused at the gateway`,
      'deploy the gateway into a namespace of its own (a MeshNamespace without defaultDeny) or the root namespace')];
  }

  /** `namespace/name` of the Gateway (what routes name in `gateways`). */
  public get gatewayRef(): string {
    return edgeKey(this);
  }

  /** The ServiceAccount the gateway pods run as (for {@link IWorkloadIdentity}). */
  public get serviceAccountName(): string {
    return this.workload.identity.serviceAccount;
  }

  /** The namespace of that ServiceAccount (for {@link IWorkloadIdentity}). */
  public get identityNamespace(): string {
    return this.workload.identity.namespace;
  }

  /** The gateway's identity as a declared external identity (its pods are not a service of this app). */
  public get identity(): ExternalIdentity {
    return ExternalIdentity.serviceAccount({ namespace: this.identityNamespace, serviceAccount: this.serviceAccountName });
  }

  /** The cert-manager Certificate, when one is written (an escape hatch). */
  public get certificate(): ApiObject | undefined {
    return this.mesh.objectOf(sourceOwner(this.node.path), 'Certificate');
  }

  /**
   * Exposes a service on this gateway for a host and paths. The gateway's route for it follows the
   * service's own rules (the CanaryRoute's matches, subsets and weights) narrowed to the paths, and
   * the gateway's identity is allowed to call the service on those paths (and `methods`).
   *
   * @example gateway.expose(order, { paths: [RoutePath.prefix('/api/orders')], methods: [HttpMethod.GET] })
   */
  public expose(service: IExposableService, options: ExposeOptions): void {
    const where = 'expose';
    if (!service || !Mesh.isMesh(service.mesh) || typeof service.name !== 'string' || typeof service.namespace !== 'string') {
      fail(this, `${where}.service`, service, 'must be a service of this mesh (a TracedService)', 'pass a TracedService, or an adopted service (MeshService.fromWorkloads/fromAttributes)');
    }
    if (service.mesh !== this.mesh) fail(this, `${where}.service`, service.node?.path, 'the service belongs to another mesh', SAME_MESH_HINT);
    if (!options || !Array.isArray(options.paths) || options.paths.length === 0) {
      fail(this, `${where}.options.paths`, options?.paths, 'an exposure needs at least one path', "e.g. paths: [RoutePath.prefix('/api/orders')]");
    }
    options.paths.forEach((p, i) => {
      if (!(p instanceof RoutePath)) fail(this, `${where}.options.paths[${i}]`, p, "must be a RoutePath (RoutePath.prefix('/api'), RoutePath.exact('/health'))", "e.g. RoutePath.prefix('/api')");
    });
    let host = options.host;
    if (host === undefined) {
      if (this.hosts.length !== 1) fail(this, `${where}.options.host`, undefined, `the gateway serves ${this.hosts.length} hosts, so the exposure must name one`, `e.g. host: '${this.hosts[0]}'`);
      host = this.hosts[0];
    }
    if (host.includes('*')) fail(this, `${where}.options.host`, host, 'an exposure is for one host clients send, not a wildcard', 'name the host');
    const badHost = wildcardDomain(host);
    if (badHost) fail(this, `${where}.options.host`, host, `a host ${badHost}`, "e.g. host: 'shop.example.com'");
    const exposure = {
      gateway: this.gatewayRef,
      service: { namespace: service.namespace, name: service.name },
      host: host.toLowerCase(),
      paths: options.paths.map((p) => p._intent()),
      source: this.node.path,
    };
    this.mesh.model.exposeService(exposure, () => {
      if (options.allow === false) return;
      // The gateway's pods are not a service of this app: declared as an external identity, so lint knows its principal.
      service.allowFrom(this.identity, {
        ...(options.methods ? { methods: options.methods } : {}),
        paths: options.paths.flatMap((p) => p.toPathMatches()),
        ...(options.when ? { when: options.when } : {}),
        ...(options.requestPrincipals ? { requestPrincipals: options.requestPrincipals } : {}),
      });
    });
  }

  private certificateIntent(c: GatewayCertificateOptions): CertificateIntent {
    if (!(c.issuer instanceof CertificateIssuer)) {
      fail(this, 'props.certificate.issuer', c.issuer, "must be a CertificateIssuer (CertificateIssuer.clusterIssuer('letsencrypt'))", "e.g. CertificateIssuer.clusterIssuer('letsencrypt')");
    }
    const ms = (p: string, d: GatewayCertificateOptions['duration'], min: number): number | undefined => {
      if (d === undefined) return undefined;
      const v = d.toMilliseconds();
      if (!Number.isInteger(v / 1000) || v < min) fail(this, p, d, `must be whole seconds of at least ${min / 60000} minutes (cert-manager's minimum)`, `e.g. ${p.endsWith('renewBefore') ? 'Duration.hours(360)' : 'Duration.hours(2160)'}, or leave it out for cert-manager's default`);
      return v;
    };
    const duration = ms('props.certificate.duration', c.duration, 3600_000);
    const renewBefore = ms('props.certificate.renewBefore', c.renewBefore, 300_000);
    if (duration !== undefined && renewBefore !== undefined && renewBefore >= duration) {
      fail(this, 'props.certificate.renewBefore', c.renewBefore, 'cert-manager renews before expiry, so renewBefore must be shorter than duration', 'e.g. duration: Duration.hours(2160) with renewBefore: Duration.hours(360)');
    }
    return {
      issuerKind: c.issuer.kind,
      issuerName: c.issuer.name,
      dnsNames: [...this.hosts],
      ...(duration !== undefined ? { duration } : {}),
      ...(renewBefore !== undefined ? { renewBefore } : {}),
    };
  }
}
