import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IMeshMember, Mesh } from './mesh';
import type { IMeshNamespace } from './adopted-namespace';
import { requireMeshNamespace } from './mesh-namespace-handle';
import { edgeKey, EgressGatewayIntent, ExternalPortIntent, identityRef, IWorkloadIdentity, sourceOwner, TlsOriginationIntent } from './model';
import { addBrand, brandSymbol, hasBrand } from './private/brand';
import { fail } from './private/errors';
import { onceHint, SAME_MESH_HINT } from './private/hints';
import { ipOrCidr } from './rules/ip';
import { dns1123Label, toDnsLabel, wildcardDomain } from './rules/names';
import { EgressGatewayMode, ExternalPort, Resolution, TlsOrigination } from './values/external-service-options';

const EXTERNAL_SYMBOL = brandSymbol('ExternalService');

/** Properties of an {@link ExternalService}. */
export interface ExternalServiceProps {
  /**
   * The mesh namespace the ServiceEntry (and its routes) live in: a `MeshNamespace`, an
   * adopted one (`MeshNamespace.fromName`) or any other {@link IMeshNamespace} of the mesh.
   */
  readonly namespace: IMeshNamespace;
  /**
   * The ServiceEntry name.
   * @default - the construct id in kebab case
   */
  readonly name?: string;
  /**
   * The external hosts, e.g. `api.stripe.com` (a `*.` wildcard needs `Resolution.NONE`).
   * @example ['api.stripe.com']
   */
  readonly hosts: string[];
  /**
   * The ports applications call, with their protocols.
   * @example [ExternalPort.tls(443)]
   */
  readonly ports: ExternalPort[];
  /**
   * How addresses are found.
   * @default Resolution.DNS
   */
  readonly resolution?: Resolution;
  /**
   * Virtual IPs or CIDRs of the hosts (needed for a TCP port, IST0134).
   * @default - none
   */
  readonly addresses?: string[];
  /**
   * Endpoint addresses, with `Resolution.STATIC`.
   * @default - none
   */
  readonly endpoints?: string[];
  /**
   * The namespaces the ServiceEntry is visible to (`.` for its own).
   * @default - its own namespace, the namespaces of its declared callers ({@link allowFrom}) and, through the egress gateway, the gateway's
   */
  readonly exportTo?: string[];
  /**
   * TLS originated by the caller's sidecar for a plain HTTP port (without the egress gateway).
   * @default - none: applications speak TLS themselves
   */
  readonly tlsOrigination?: TlsOrigination;
  /**
   * Route the calls through the egress gateway (`istio-egressgateway` of the root namespace, installed
   * with `ControlPlane` `egressGateway: true`), which admits only the declared callers.
   * @default - callers reach the host directly from their sidecars
   */
  readonly egressGateway?: EgressGatewayMode;
}

/**
 * An external service: a host outside the mesh that mesh workloads call, declared as a
 * `ServiceEntry` (`location: MESH_EXTERNAL`). With the control plane's
 * `outboundTrafficPolicy: REGISTRY_ONLY`, it is what lets a workload reach the host at all.
 *
 * Callers are declared with {@link allowFrom} (`stripe.allowFrom(payment)`), which drives
 * everything else: the ServiceEntry is exported to the callers' namespaces, each caller's Sidecar
 * egress (SidecarScope) lists the host, and through the egress gateway an AuthorizationPolicy on the
 * gateway admits exactly the declared callers.
 *
 * @example
 * const stripe = new ExternalService(chart, 'Stripe', {
 *   namespace: production, hosts: ['api.stripe.com'], ports: [ExternalPort.tls(443)],
 *   egressGateway: EgressGatewayMode.passthrough(),
 * });
 * stripe.allowFrom(payment);
 */
export class ExternalService extends Construct implements IMeshMember {
  /** Whether `x` is an ExternalService (works across copies of this package). */
  public static isExternalService(x: unknown): x is ExternalService {
    return hasBrand(x, EXTERNAL_SYMBOL);
  }

  /** `x instanceof ExternalService`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is ExternalService {
    return hasBrand(x, EXTERNAL_SYMBOL);
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The ServiceEntry name. */
  public readonly name: string;
  /** The ServiceEntry namespace. */
  public readonly namespace: string;
  /** The hosts. */
  public readonly hosts: readonly string[];
  /** The ServiceEntry: the escape hatch. */
  public readonly serviceEntry: ApiObject;

  constructor(scope: Construct, id: string, props: ExternalServiceProps) {
    super(scope, id);
    addBrand(this, EXTERNAL_SYMBOL);
    if (!props) fail(this, 'props', props, 'props are required', "pass props with the namespace, hosts and ports, e.g. { namespace: shop, hosts: ['api.stripe.com'], ports: [ExternalPort.tls(443)] }");
    const ns = requireMeshNamespace(this, 'props.namespace', props.namespace);
    this.mesh = ns.mesh;
    this.namespace = ns.name;
    this.name = props.name ?? toDnsLabel(id);
    const badName = dns1123Label(this.name);
    if (badName) fail(this, 'props.name', this.name, `a ServiceEntry name ${badName}`, `try "${toDnsLabel(this.name)}"`);
    const resolution = props.resolution ?? Resolution.DNS;
    if (!(resolution instanceof Resolution)) fail(this, 'props.resolution', resolution, 'must be a Resolution (Resolution.DNS, ...)', 'use Resolution.DNS (the default), DNS_ROUND_ROBIN, STATIC or NONE');

    if (!Array.isArray(props.hosts) || props.hosts.length === 0) fail(this, 'props.hosts', props.hosts, 'an external service needs at least one host', "e.g. hosts: ['api.stripe.com']");
    props.hosts.forEach((h, i) => {
      const bad = typeof h !== 'string' ? 'must be a string' : h === '*' ? 'a host "*" would send all unknown traffic here' : wildcardDomain(h);
      if (bad) fail(this, `props.hosts[${i}]`, h, `a host ${bad}`, "e.g. 'api.stripe.com' or '*.googleapis.com'");
      if (h !== h.toLowerCase()) fail(this, `props.hosts[${i}]`, h, 'host names are compared in lowercase', `write "${h.toLowerCase()}"`);
      if (h.startsWith('*') && (resolution === Resolution.DNS || resolution === Resolution.DNS_ROUND_ROBIN)) {
        fail(this, `props.hosts[${i}]`, h, `a wildcard host cannot be resolved with ${resolution.value}`, 'use resolution: Resolution.NONE');
      }
      if (props.hosts.indexOf(h) !== i) fail(this, `props.hosts[${i}]`, h, 'hosts must be unique', onceHint('host'));
    });
    this.hosts = [...props.hosts];

    if (!Array.isArray(props.ports) || props.ports.length === 0) fail(this, 'props.ports', props.ports, 'an external service needs at least one port', 'e.g. ports: [ExternalPort.tls(443)]');
    const ports: ExternalPortIntent[] = props.ports.map((p, i) => {
      if (!(p instanceof ExternalPort)) fail(this, `props.ports[${i}]`, p, 'must be an ExternalPort (ExternalPort.tls(443), ...)', 'e.g. ExternalPort.tls(443) or ExternalPort.http(80)');
      const intent = p._intent();
      if (props.ports.findIndex((x) => x instanceof ExternalPort && x.number === intent.number) !== i) fail(this, `props.ports[${i}]`, intent.number, 'port numbers must be unique', 'list each port number once: a port carries one protocol');
      return intent;
    });
    const addresses = [...(props.addresses ?? [])];
    addresses.forEach((a, i) => {
      if (ipOrCidr(a)) fail(this, `props.addresses[${i}]`, a, 'must be an IP address or CIDR block', "e.g. '203.0.113.10' or '203.0.113.0/24'");
    });
    const endpoints = [...(props.endpoints ?? [])];
    if (endpoints.length > 0 && resolution !== Resolution.STATIC) fail(this, 'props.endpoints', endpoints, `endpoints are used with Resolution.STATIC, not ${resolution.value}`, 'drop endpoints, or use resolution: Resolution.STATIC');
    if (resolution === Resolution.STATIC && endpoints.length === 0) fail(this, 'props.endpoints', endpoints, 'Resolution.STATIC needs endpoint addresses', "e.g. endpoints: ['203.0.113.10'], or use Resolution.DNS");
    endpoints.forEach((a, i) => {
      if (ipOrCidr(a) || a.includes('/')) fail(this, `props.endpoints[${i}]`, a, 'an endpoint is an IP address', "write one address per endpoint, e.g. '203.0.113.10' (no CIDR block)");
    });
    const tcp = ports.find((p) => p.protocol === 'TCP');
    if (tcp && addresses.length === 0) {
      fail(this, 'props.addresses', [], `port ${tcp.number} is plain TCP: without addresses its traffic cannot be told apart from any other TCP traffic on the port (Istio IST0134)`, 'give the hosts\' addresses, or use a TLS port');
    }
    if (tcp && this.hosts.length > 1 && resolution !== Resolution.NONE) {
      fail(this, 'props.hosts', this.hosts, 'several hosts on a plain TCP port need Resolution.NONE: TCP traffic carries no host name to choose by', 'declare one external service per host');
    }
    const exportTo = props.exportTo ? [...props.exportTo] : undefined;
    exportTo?.forEach((e, i) => {
      if (e !== '.' && e !== '*' && dns1123Label(e)) fail(this, `props.exportTo[${i}]`, e, 'exportTo entries are ".", "*" or a namespace name', "e.g. exportTo: ['.'] (this namespace only) or a namespace name such as 'shop'");
    });

    const tlsOrigination = props.tlsOrigination ? this.originationIntent(props.tlsOrigination, ports) : undefined;
    const egressGateway = props.egressGateway ? this.egressIntent(props.egressGateway, ports) : undefined;
    if (tlsOrigination && egressGateway) {
      fail(this, 'props.tlsOrigination', tlsOrigination.port, 'with the egress gateway, TLS is originated by the gateway', 'use egressGateway: EgressGatewayMode.originateTls() instead');
    }

    const owner = sourceOwner(this.node.path);
    this.mesh.registerOwner(owner, this);
    this.mesh.model.addExternalService({
      name: this.name,
      namespace: this.namespace,
      hosts: this.hosts,
      ports,
      resolution: resolution.value,
      addresses,
      endpoints,
      ...(exportTo ? { exportTo } : {}),
      ...(tlsOrigination ? { tlsOrigination } : {}),
      ...(egressGateway ? { egressGateway } : {}),
      source: this.node.path,
    });
    this.mesh.addMember(this);
    this.serviceEntry = this.mesh.objectOf(owner, 'Resource')!;
  }

  /**
   * Declares that `caller` (a service of this mesh) calls this external service: its Sidecar egress
   * lists the hosts, the ServiceEntry is exported to its namespace, and through the egress gateway
   * the gateway admits its identity (and no other).
   */
  public allowFrom(caller: IWorkloadIdentity): void {
    if (!caller || typeof caller.serviceAccountName !== 'string' || typeof caller.identityNamespace !== 'string') {
      fail(this, 'allowFrom.caller', caller, 'must be a service of this mesh (a TracedService or any IMeshService)', 'pass a TracedService, or an adopted service (MeshService.fromWorkloads/fromAttributes)');
    }
    const member = caller as Partial<IMeshMember>;
    if (member.mesh !== undefined && member.mesh !== this.mesh) fail(this, 'allowFrom.caller', member.node?.path, 'the caller belongs to another mesh', SAME_MESH_HINT);
    this.mesh.model.addExternalCall({ caller: identityRef(caller), external: edgeKey(this), source: this.node.path });
  }

  /** The egress gateway's AuthorizationPolicy, when routed through the gateway (an escape hatch). */
  public get egressGatewayPolicy(): ApiObject | undefined {
    return this.mesh.objectOf(sourceOwner(this.node.path), 'EgressGatewayPolicy');
  }

  private originationIntent(o: TlsOrigination, ports: readonly ExternalPortIntent[]): TlsOriginationIntent {
    if (!(o instanceof TlsOrigination)) fail(this, 'props.tlsOrigination', o, 'must be a TlsOrigination (TlsOrigination.onPort(80))', 'e.g. TlsOrigination.onPort(80)');
    if (this.hosts.length !== 1 || this.hosts[0].startsWith('*')) {
      fail(this, 'props.tlsOrigination', o.port, 'TLS origination sends one SNI and checks one certificate, so it needs exactly one host that is not a wildcard', 'declare one external service per host');
    }
    const p = ports.find((x) => x.number === o.port);
    if (!p || p.protocol !== 'HTTP' || p.targetPort === undefined) {
      fail(this, 'props.tlsOrigination', o.port, 'TLS is originated for a plain HTTP port whose targetPort is the TLS port', `declare ExternalPort.http(${o.port}, { targetPort: 443 })`);
    }
    return { port: o.port, targetPort: p.targetPort, sni: this.hosts[0], caCertificates: o.caCertificates };
  }

  private egressIntent(mode: EgressGatewayMode, ports: readonly ExternalPortIntent[]): EgressGatewayIntent {
    if (!(mode instanceof EgressGatewayMode)) fail(this, 'props.egressGateway', mode, 'must be an EgressGatewayMode (EgressGatewayMode.passthrough())', 'e.g. EgressGatewayMode.passthrough()');
    if (this.hosts.length !== 1 || this.hosts[0].startsWith('*')) {
      fail(this, 'props.egressGateway', mode.mode, 'the egress gateway route matches one SNI and its policy admits callers per host, so it needs exactly one host that is not a wildcard', 'declare one external service per host');
    }
    const workload = this.mesh.renderer.egressGatewayWorkload();
    if (mode.mode === 'passthrough') {
      const tls = ports.filter((p) => p.protocol === 'TLS' || p.protocol === 'HTTPS');
      if (tls.length !== 1 || ports.length !== 1) {
        fail(this, 'props.ports', ports.map((p) => `${p.protocol} ${p.number}`), 'TLS passthrough through the egress gateway routes one TLS port, so the service needs exactly one port: ExternalPort.tls(...) or ExternalPort.https(...)',
          'declare the TLS port only, or use EgressGatewayMode.originateTls() for plain HTTP');
      }
      return { workload, mode: 'passthrough', port: tls[0].number };
    }
    const http = ports.filter((p) => p.protocol === 'HTTP');
    if (http.length !== 1 || http[0].targetPort === undefined || !ports.some((p) => p.number === http[0].targetPort && (p.protocol === 'TLS' || p.protocol === 'HTTPS'))) {
      fail(this, 'props.ports', ports.map((p) => `${p.protocol} ${p.number}`), 'TLS origination at the egress gateway needs one plain HTTP port whose targetPort is a TLS port of the service',
        'declare ExternalPort.http(80, { targetPort: 443 }) and ExternalPort.https(443)');
    }
    return { workload, mode: 'originate', port: 80, caCertificates: mode.caCertificates };
  }
}
