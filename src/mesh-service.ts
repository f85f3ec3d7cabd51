import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { HostTraffic } from './host-traffic';
import { IMeshMember, Mesh } from './mesh';
import { meshNamespaceHandle, requireMeshNamespace } from './mesh-namespace-handle';
import { flaggerNameClashes } from './flagger-name-clash';
import type { IMeshNamespace } from './adopted-namespace';
import { IWorkloadIdentity, ServiceIntent, ServicePortIntent, ServiceRef, serviceFqdn, serviceOwner, VersionIntent } from './model';
import { addBrand, brandSymbol, hasBrand } from './private/brand';
import { fail, MeshConfigError, validationMessage } from './private/errors';
import { nameHint, namespaceHint, SAME_MESH_HINT } from './private/hints';
import { addSynthHook } from './private/synth-hooks';
import { meshMemberNamespace } from './rules/workload';
import { labelValue } from './rules/labels';
import { dns1035Label, dns1123Label } from './rules/names';
import { port as checkPort } from './rules/ports';
import { isHttpProtocol, portProtocol } from './rules/protocol';
import { AllowOptions, ServiceSecurity } from './service-security';
import { MeshServicePort, meshServicePorts, ServicePort, servicePortIntents } from './service-port';
import { addWarning } from './warnings';

/**
 * Warning code: a service in a namespace the app neither declares nor adopts has no ALLOW rule, so
 * nothing the mesh writes denies requests to it (no namespace default deny reaches it).
 */
export const WARN_OPEN_SERVICE_ELSEWHERE = 'CI5004';

/**
 * A service of the mesh, as every traffic and security construct takes it: `CanaryRoute`,
 * `CircuitBreaker`, `LocalRateLimit`, `SidecarScope`, `ZeroTrustPolicy.requireMtls`, `MeshReport`, and
 * `allowFrom` (as the caller). It is one host (a Kubernetes Service) whose pods run as one
 * ServiceAccount, with one or more versions (pods labelled `version: <name>`).
 *
 * Implemented by {@link TracedService} (a service the library deploys), by the adopted services of
 * {@link MeshService.fromWorkloads} and {@link MeshService.fromAttributes}, and by any construct of
 * your own that declares its service in the mesh model (`mesh.model.addService`, see
 * docs/extending.md): constructs accept any object whose `ref` names a service of `mesh.model`.
 */
export interface IMeshService extends IMeshMember, IWorkloadIdentity {
  /** The Service name: the short host name, e.g. `order-service`. */
  readonly name: string;
  /** The namespace of the Service. */
  readonly namespace: string;
  /** The service in the mesh model: `{ namespace, name }`. */
  readonly ref: ServiceRef;
  /** The version names, in declaration order. */
  readonly versions: string[];
  /**
   * The Service's ports, the primary first (`meshServicePorts(mesh.model.service(ref))` in your own
   * implementation). Constructs read the ports from the mesh model, so this is for readers only.
   * @default - not exposed
   */
  readonly ports?: readonly MeshServicePort[];
  /** The host's traffic intent and routing objects (`new HostTraffic(mesh, ref)` in your own implementation). */
  readonly traffic: HostTraffic;
  /** The workload's security intent (`new ServiceSecurity(this)` in your own implementation). */
  readonly security: ServiceSecurity;
  /** Allows `caller` to call this service: `this.security.allowFrom(caller, options)`. */
  allowFrom(caller: IWorkloadIdentity, options?: AllowOptions): void;
}

/** Attributes of a service deployed elsewhere (Helm, another repository): see {@link MeshService.fromAttributes}. */
export interface MeshServiceAttributes {
  /** The Service name (the host), a DNS-1035 label. */
  readonly name: string;
  /**
   * The namespace: a {@link MeshNamespace} of this app, an adopted one (`MeshNamespace.fromName`),
   * any other {@link IMeshNamespace} whose mesh's model declares or adopts it, or a name (then
   * `mesh` is required). A name of a namespace the mesh already has (declared or
   * adopted) means that namespace. Any other name is a namespace the app neither writes nor adopts
   * (the chart that deploys the service creates it): the mesh then writes only this service's own
   * objects there — its routes, DestinationRule, and policies that select its pods
   * (AuthorizationPolicy, PeerAuthentication, EnvoyFilter, Sidecar) — and nothing namespace-wide:
   * no Namespace or labels, no default deny, no namespace PeerAuthentication, no waypoint. An ALLOW
   * policy selecting the service still denies it every request no rule allows (Istio authorization);
   * to secure the whole namespace, adopt it with `MeshNamespace.fromName`. Declare or adopt a
   * namespace before the services that name it.
   */
  readonly namespace: IMeshNamespace | string;
  /**
   * The mesh, when `namespace` is given by name.
   * @default - the mesh of `namespace`
   */
  readonly mesh?: Mesh;
  /** The ServiceAccount its pods run as: the workload identity policies name. */
  readonly serviceAccount: string;
  /**
   * The Service port that carries HTTP (routes and L7 policies apply to it). Required unless `ports`
   * is given.
   * @default - the primary port of `ports`
   */
  readonly port?: number;
  /**
   * The Service port's name. It must tell Istio the protocol (`http`, `http-*`, `http2`, `grpc`...).
   * @default 'http'
   */
  readonly portName?: string;
  /**
   * The container port behind `port`.
   * @default - the same as `port`
   */
  readonly targetPort?: number;
  /**
   * Every port of the Service, each with a protocol Istio recognises (instead of `port`,
   * `portName` and `targetPort`); the first, or the one marked `primary`, is the primary port.
   * @example [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090 }]
   * @default - one port: `port` named `portName`
   */
  readonly ports?: ServicePort[];
  /** The versions that run (pods labelled `version: <name>`), e.g. `['v1']`. At least one. */
  readonly versions: string[];
  /**
   * Labels the Service selects its pods by; each version's pods carry these plus `version`.
   * @default { app: name }
   */
  readonly selector?: { readonly [key: string]: string };
  /**
   * Replicas per version, as far as this app knows. Only the cost report (`MeshReport`) reads it.
   * @default 1
   */
  readonly replicas?: number;
}

/** What {@link MeshService.fromWorkloads} adopts: a Service and the Deployments of its versions. */
export interface MeshServiceWorkloadsProps {
  /**
   * The mesh namespace the objects are in: a {@link MeshNamespace}, an adopted one
   * (`MeshNamespace.fromName`) or any other {@link IMeshNamespace} whose mesh's model declares or adopts it.
   */
  readonly namespace: IMeshNamespace;
  /** The Service: a cdk8s-plus `Service` or an `ApiObject` of kind Service. */
  readonly service: IConstruct;
  /**
   * One Deployment per version: cdk8s-plus `Deployment`s or `ApiObject`s of kind Deployment. Each pod
   * template carries the Service's selector labels and a `version` label, and runs as one
   * ServiceAccount shared by all versions.
   */
  readonly deployments: IConstruct[];
  /**
   * The Service port that carries HTTP.
   * @default - the Service's first port
   */
  readonly port?: number;
}

const MESH_SERVICE_BRAND = brandSymbol('MeshService');

/**
 * A service the app did not deploy with {@link TracedService}, adopted into the mesh so that it can
 * be routed, protected and called like one: the mesh writes only mesh objects for it (routes,
 * DestinationRules, AuthorizationPolicies, PeerAuthentication, Sidecars), never its Deployment,
 * Service or ServiceAccount.
 *
 * @example
 * // a Service and Deployment the app already defines with cdk8s-plus
 * const reviews = MeshService.fromWorkloads(chart, 'Reviews', { namespace: ns, service: svc, deployments: [deployV1] });
 * // a service a Helm chart deploys
 * const ratings = MeshService.fromAttributes(chart, 'Ratings', { namespace: ns, name: 'ratings', serviceAccount: 'ratings', port: 9080, versions: ['v1'] });
 * reviews.allowFrom(productpage);
 * new CircuitBreaker(chart, 'RatingsBreaker', { service: ratings, outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 5 }) });
 */
export class MeshService extends Construct implements IMeshService {
  /** Whether `x` is a MeshService made by `fromWorkloads`/`fromAttributes` (works across copies of this package). */
  public static isMeshService(x: unknown): x is MeshService {
    return hasBrand(x, MESH_SERVICE_BRAND);
  }

  /** `x instanceof MeshService`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is MeshService {
    return hasBrand(x, MESH_SERVICE_BRAND);
  }

  /**
   * A service deployed elsewhere (Helm, another repository), known by its attributes. Only mesh
   * objects are emitted for it.
   */
  public static fromAttributes(scope: Construct, id: string, attrs: MeshServiceAttributes): MeshService {
    return new MeshService(scope, id, (self) => {
      if (!attrs || typeof attrs !== 'object') fail(self, 'attrs', attrs, 'attributes are required', "pass the attributes of the existing workload, e.g. { name: 'orders', namespace: 'shop', mesh, serviceAccount: 'orders', port: 8080, versions: ['v1'] }");
      const ns = resolveNamespace(self, attrs.namespace, attrs.mesh);
      const name = attrs.name;
      const badName = typeof name === 'string' ? dns1035Label(name) : 'must be a string';
      if (badName) fail(self, 'attrs.name', name, `a service name ${badName}`, nameHint(name, dns1035Label, 'orders'));
      const badSa = typeof attrs.serviceAccount === 'string' ? dns1123Label(attrs.serviceAccount) : 'must be a string';
      if (badSa) fail(self, 'attrs.serviceAccount', attrs.serviceAccount, `a ServiceAccount name ${badSa}`, nameHint(attrs.serviceAccount, dns1123Label, 'orders'));
      const ports = attrs.ports !== undefined ? attributePorts(self, attrs) : undefined;
      const port = attrs.port as number;
      if (!ports) {
        const badPort = checkPort(attrs.port);
        if (badPort) fail(self, 'attrs.port', attrs.port, badPort, 'give the Service port, or every port in `ports`');
      }
      const targetPort = attrs.targetPort ?? port;
      const badTarget = ports ? undefined : checkPort(targetPort);
      if (badTarget) fail(self, 'attrs.targetPort', targetPort, badTarget, 'e.g. targetPort: 8080, or leave it out to use the port');
      const portName = attrs.portName ?? 'http';
      if (!ports) checkHttpPort(self, 'attrs.portName', portName, undefined);
      const replicas = attrs.replicas ?? 1;
      if (!Number.isInteger(replicas) || replicas < 0) fail(self, 'attrs.replicas', replicas, 'replicas must be an integer of at least 0', 'e.g. replicas: 2, or leave it out for 1');
      const selector = { ...(attrs.selector ?? { app: name }) };
      if (Object.keys(selector).length === 0) fail(self, 'attrs.selector', selector, 'a selector needs at least one label', `e.g. { app: '${name}' }`);
      if (!Array.isArray(attrs.versions) || attrs.versions.length === 0) {
        fail(self, 'attrs.versions', attrs.versions, 'a service needs at least one version', "e.g. versions: ['v1']");
      }
      const seen = new Set<string>();
      const versions: VersionIntent[] = attrs.versions.map((v, i) => {
        checkVersion(self, `attrs.versions[${i}]`, v, seen);
        return { name: v, replicas, podLabels: { ...selector, version: v } };
      });
      // Deny by default: in a namespace of its own, only an ALLOW policy selecting it denies unknown callers.
      if (ns.namespace === undefined) self.node.addValidation({ validate: () => (self.warnIfOpen(), []) });
      // Flagger's names and primary pod label for a progressive service of the namespace
      self.node.addValidation({ validate: () => flaggerNameClashes(self.mesh, self, 'attrs.name', 'attrs.selector') });
      return {
        ...ns,
        intent: {
          name,
          namespace: ns.name,
          serviceAccount: attrs.serviceAccount,
          ports: ports ?? [{ name: portName, port, targetPort, protocol: 'TCP' }],
          selector,
          versions,
          adopted: 'attributes',
          source: self.node.path,
        },
      };
    });
  }

  /**
   * Adopts a Service and per-version Deployments the app already defines (cdk8s-plus objects or raw
   * `ApiObject`s, e.g. from `Include` or a Helm chart rendered by cdk8s). Their labels, port and
   * ServiceAccount are read now and checked: the Service selects every Deployment's pods, each pod
   * template has a unique `version` label, all versions run as one ServiceAccount, and the port tells
   * Istio it carries HTTP. Set them before adopting: at synth they are read again, and a change made
   * after this call (a label, port, ServiceAccount or replica count the mesh had already used) is an
   * error naming the object and the change. The objects are left as they are, except that the mesh
   * labels the Service as its data plane needs (ambient with a waypoint:
   * `istio.io/ingress-use-waypoint: "true"`, as on a TracedService's Service; a value the app sets
   * itself wins); the mesh adds only its own objects.
   */
  public static fromWorkloads(scope: Construct, id: string, props: MeshServiceWorkloadsProps): MeshService {
    return new MeshService(scope, id, (self) => {
      requireMeshNamespace(self, 'props.namespace', props?.namespace);
      const ns = props.namespace;
      const adopted = readWorkloads(self, ns.name, props.service, props.deployments, props.port);
      checkHttpPort(self, 'props.service', adopted.port.name, adopted.port.appProtocol);
      const seen = new Set<string>();
      const versions: VersionIntent[] = adopted.versions.map((v, i) => {
        checkVersion(self, `props.deployments[${i}]`, v.name, seen);
        return { name: v.name, replicas: v.replicas, podLabels: v.podLabels };
      });
      // Read again at synth: a change made after this call would not be in the mesh objects.
      self.node.addValidation({ validate: () => changedSinceAdoption(self, ns.name, props, adopted) });
      self.node.addValidation({ validate: () => flaggerNameClashes(self.mesh, self, 'props.service', 'props.deployments') });
      // The data plane's Service labels depend on the final intent (a waypoint): set at synth.
      const service = apiObjectOf(props.service)!;
      const label = () => self.labelAdoptedService(service);
      addSynthHook(self.node.root, label);
      self.node.addValidation({ validate: () => (label(), []) });
      return {
        namespace: ns,
        mesh: ns.mesh,
        intent: {
          name: adopted.name,
          namespace: ns.name,
          serviceAccount: adopted.serviceAccount,
          ports: [{
            name: adopted.port.name, port: adopted.port.port, targetPort: adopted.port.targetPort, protocol: 'TCP',
            ...(adopted.port.appProtocol !== undefined ? { appProtocol: adopted.port.appProtocol } : {}),
          }, ...adopted.otherPorts],
          selector: adopted.selector,
          versions,
          adopted: 'workloads',
          source: self.node.path,
        },
      };
    });
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /**
   * The mesh namespace: the IMeshNamespace the service was given, or for a namespace given by name
   * the mesh member that declared or adopted it; undefined for a namespace that `fromAttributes` got
   * by a name the mesh neither declares nor adopts.
   */
  public readonly meshNamespace: IMeshNamespace | undefined;
  /** The Service name (the host). */
  public readonly name: string;
  /** The namespace name. */
  public readonly namespace: string;
  /** The HTTP port of the Service. */
  public readonly port: number;
  /** The HTTP port's name. */
  public readonly portName: string;
  /** Every port of the Service, the primary (HTTP) port first. */
  public readonly ports: readonly MeshServicePort[];
  /** The ServiceAccount name (the identity). */
  public readonly serviceAccountName: string;
  /** This host's traffic intent and routing objects (see {@link TracedService.traffic}). */
  public readonly traffic: HostTraffic;
  /** This workload's security intent: who may call it, and its own mTLS mode. */
  public readonly security: ServiceSecurity;

  /** Labels this construct put on an adopted Service (fromWorkloads), with their values. */
  private readonly _serviceLabels = new Map<string, string>();
  private _warnedOpen = false;

  private constructor(scope: Construct, id: string, declare: (self: MeshService) => { namespace: IMeshNamespace | undefined; mesh: Mesh; intent: ServiceIntent }) {
    super(scope, id);
    addBrand(this, MESH_SERVICE_BRAND);
    const { namespace, mesh, intent } = declare(this);
    this.meshNamespace = namespace;
    this.mesh = mesh;
    this.name = intent.name;
    this.namespace = intent.namespace;
    this.port = intent.ports[0].port;
    this.portName = intent.ports[0].name;
    this.serviceAccountName = intent.serviceAccount;
    this.mesh.model.addService(intent);
    this.ports = meshServicePorts(intent);
    this.mesh.registerOwner(serviceOwner(this), this);
    this.traffic = new HostTraffic(this.mesh, this);
    this.security = new ServiceSecurity(this);
    this.mesh.addMember(this);
  }

  /** Records {@link WARN_OPEN_SERVICE_ELSEWHERE} once when no ALLOW rule selects this service (checked at synth). */
  private warnIfOpen(): void {
    if (this._warnedOpen || this.mesh.model.workload(this.ref).allow.length > 0) return;
    this._warnedOpen = true;
    addWarning(this, WARN_OPEN_SERVICE_ELSEWHERE, `${this.name} runs in namespace ${this.namespace}, which this app neither declares nor adopts, and has no allow rule: `
      + 'nothing the mesh writes denies requests to it (no namespace default deny reaches it). Allow its callers (allowFrom), whose ALLOW policy denies every other request, '
      + 'or adopt the namespace (MeshNamespace.fromName) and secure it with a ZeroTrustPolicy.');
  }

  /**
   * Puts the labels the data plane gives a Service (ambient with a waypoint:
   * `istio.io/ingress-use-waypoint`) on the adopted Service object; a value the app set itself wins.
   */
  private labelAdoptedService(service: ApiObject): void {
    for (const [k, v] of Object.entries(this.mesh.renderer.serviceLabels(this.mesh.model, this.ref))) {
      const current = service.metadata.getLabel(k);
      if (current !== undefined && this._serviceLabels.get(k) !== current) continue; // the app's own value
      service.metadata.addLabel(k, v);
      this._serviceLabels.set(k, v);
    }
  }

  /**
   * Allows `caller` to call this service (see {@link TracedService.allowFrom}).
   * @example reviews.allowFrom(productpage, { methods: [HttpMethod.GET] })
   */
  public allowFrom(caller: IWorkloadIdentity, options: AllowOptions = {}): void {
    this.security.allowFrom(caller, options);
  }

  /** The service in the mesh model: `{ namespace, name }`. */
  public get ref(): ServiceRef {
    return { namespace: this.namespace, name: this.name };
  }

  /** The version names, in declaration order. */
  public get versions(): string[] {
    return this.mesh.model.service(this)!.versions.map((v) => v.name);
  }

  /** Replicas of a version, as far as the app knows; undefined for an unknown version. */
  public replicasOf(version: string): number | undefined {
    return this.mesh.model.service(this)!.versions.find((v) => v.name === version)?.replicas;
  }

  /** The ServiceAccount's namespace (for {@link IWorkloadIdentity}). */
  public get identityNamespace(): string {
    return this.namespace;
  }

  /** Labels that select every pod of the service. */
  public get selectorLabels(): { readonly [key: string]: string } {
    return { ...this.mesh.model.service(this)!.selector };
  }

  /** The short host name. */
  public get host(): string {
    return this.name;
  }

  /** The fully qualified host name, `<name>.<namespace>.svc.cluster.local`. */
  public get fqdn(): string {
    return serviceFqdn(this);
  }
}

/**
 * The service `x` names in its mesh's model, or a {@link MeshConfigError} on `scope` naming `property`:
 * what every construct that takes an {@link IMeshService} checks first.
 */
export function requireMeshService(scope: IConstruct, property: string, x: unknown): ServiceIntent {
  const s = x as Partial<IMeshService> | undefined;
  const intent = s && typeof s === 'object' && Mesh.isMesh(s.mesh) && typeof s.name === 'string' && typeof s.namespace === 'string'
    ? s.mesh.model.service({ namespace: s.namespace, name: s.name })
    : undefined;
  if (!intent) {
    fail(scope, property, describe(x), 'must be a service of the mesh: a TracedService, a MeshService (fromWorkloads, fromAttributes), or an IMeshService whose service is declared in mesh.model',
      'adopt a service deployed another way with MeshService.fromWorkloads or MeshService.fromAttributes');
  }
  return intent;
}

/** Whether `x` is an {@link IMeshService} of a mesh: a mesh member whose service the mesh model declares. */
export function isMeshServiceOf(x: unknown): x is IMeshService {
  const s = x as Partial<IMeshService> | undefined;
  return !!s && typeof s === 'object' && Mesh.isMesh(s.mesh) && typeof s.name === 'string' && typeof s.namespace === 'string'
    && typeof s.serviceAccountName === 'string' && s.mesh.model.service({ namespace: s.namespace, name: s.name }) !== undefined;
}

function describe(x: unknown): unknown {
  const c = x as IConstruct | undefined;
  return c && typeof c === 'object' && c.node && typeof c.node.path === 'string' ? c.node.path : x;
}

/**
 * The namespace of a service from attributes: a namespace handle, the mesh's namespace of that name,
 * or else a namespace the app neither writes nor adopts, recorded in the model as `named` (the mesh
 * writes only the service's own objects there, see {@link MeshServiceAttributes.namespace}).
 */
function resolveNamespace(self: Construct, ns: IMeshNamespace | string, mesh: Mesh | undefined): { namespace: IMeshNamespace | undefined; mesh: Mesh; name: string } {
  if (ns !== null && typeof ns === 'object') {
    // any IMeshNamespace (an app's own class too) whose mesh's model declares or adopts it
    const handle = requireMeshNamespace(self, 'attrs.namespace', ns);
    if (mesh !== undefined && handle.mesh !== mesh) fail(self, 'attrs.mesh', mesh.node.path, 'the namespace belongs to another mesh', SAME_MESH_HINT);
    return { namespace: ns, mesh: handle.mesh, name: handle.name };
  }
  if (typeof ns !== 'string') fail(self, 'attrs.namespace', ns, 'must be a MeshNamespace, an adopted one (MeshNamespace.fromName), another IMeshNamespace or a namespace name', "e.g. namespace: 'shop' (with mesh), or a MeshNamespace");
  if (!Mesh.isMesh(mesh)) fail(self, 'attrs.mesh', mesh, 'a namespace given by name needs the mesh', `pass { mesh, namespace: '${ns}' }, or pass the MeshNamespace itself`);
  const found = meshNamespaceHandle(mesh, ns);
  if (found) return { namespace: found, mesh, name: ns };
  if (!mesh.model.namespace(ns)) {
    const bad = dns1123Label(ns);
    if (bad) fail(self, 'attrs.namespace', ns, `a namespace name ${bad}`, namespaceHint(ns, dns1123Label));
    const notMember = meshMemberNamespace(ns, mesh.rootNamespace);
    if (notMember) fail(self, 'attrs.namespace', ns, notMember, 'adopt a namespace the workloads run in, outside the mesh root and system namespaces');
    mesh.model.addNamespace({ name: ns, labels: {}, waypoint: false, adoption: 'named', source: self.node.path });
  }
  return { namespace: undefined, mesh, name: ns };
}

/**
 * The facts {@link MeshService.fromWorkloads} read, read again at synth: an error for each change
 * made after the call (the mesh objects were derived from the first reading).
 */
function changedSinceAdoption(self: Construct, namespace: string, props: MeshServiceWorkloadsProps, then: AdoptedWorkloads): string[] {
  const after = 'it changed after MeshService.fromWorkloads read the objects, so the mesh objects (subsets, selectors, principals) no longer match them';
  const hint = 'set labels, ports, replicas and the ServiceAccount before calling MeshService.fromWorkloads';
  let now: AdoptedWorkloads;
  try {
    now = readWorkloads(self, namespace, props.service, props.deployments, props.port);
  } catch (e) {
    if (!MeshConfigError.isMeshConfigError(e)) throw e;
    return [validationMessage(e.property, e.value, `${e.rule}; ${after}`, e.hint ?? hint)];
  }
  const errors: string[] = [];
  const differs = (property: string, what: string, before: unknown, current: unknown) => {
    if (JSON.stringify(before) !== JSON.stringify(current)) {
      errors.push(validationMessage(property, current, `${what} was ${JSON.stringify(before)} when adopted; ${after}`, hint));
    }
  };
  differs('props.service', 'the Service name', then.name, now.name);
  differs('props.service', 'the Service selector', sortedLabels(then.selector), sortedLabels(now.selector));
  differs('props.service', 'the mesh port', then.port, now.port);
  differs('props.deployments', 'the ServiceAccount of the pods', then.serviceAccount, now.serviceAccount);
  differs('props.deployments', 'the number of Deployments', then.versions.length, now.versions.length);
  if (errors.length > 0) return errors;
  then.versions.forEach((v, i) => {
    differs(`props.deployments[${i}]`, 'the pods\' version label', v.name, now.versions[i].name);
    differs(`props.deployments[${i}]`, 'the replica count', v.replicas, now.versions[i].replicas);
  });
  return errors;
}

function sortedLabels(labels: { readonly [key: string]: string }): Array<[string, string]> {
  return Object.keys(labels).sort().map((k) => [k, labels[k]]);
}

function checkVersion(self: Construct, property: string, v: unknown, seen: Set<string>): void {
  const bad = typeof v !== 'string' ? 'must be a string' : labelValue(v) ?? (v === '' ? 'must be non-empty' : dns1123Label(v));
  if (bad) fail(self, property, v, `a version is a label value and a DestinationRule subset name (a DNS-1123 label): ${bad}`, typeof v === 'string' ? nameHint(v, dns1123Label, 'v1') : "e.g. 'v1'");
  if (seen.has(v as string)) fail(self, property, v, 'versions must be unique', 'each version is one Deployment with its own version label');
  seen.add(v as string);
}

/** Routes and L7 policies apply only to a port Istio treats as HTTP (from appProtocol or the name prefix). */
function checkHttpPort(self: Construct, property: string, name: string, appProtocol: string | undefined): void {
  const badName = typeof name === 'string' ? dns1123Label(name) : 'must be a string';
  if (badName || name.length > 15) fail(self, property, name, 'a port name must be a DNS-1123 label of at most 15 characters', "name the port by its protocol, e.g. 'http' or 'http-api'");
  if (!isHttpProtocol(portProtocol(undefined, name, undefined, appProtocol))) {
    fail(self, property, appProtocol ?? name, 'Istio picks a port\'s protocol from its appProtocol or its name prefix (http, http2, grpc...); without one it sniffs the protocol and routes may not apply',
      "name the port 'http' or 'http-<suffix>', or set appProtocol: 'http'");
  }
}

/** The ApiObject of a cdk8s-plus resource or an ApiObject itself. */
export function apiObjectOf(x: IConstruct): ApiObject | undefined {
  if (ApiObject.isApiObject(x)) return x;
  try {
    return ApiObject.of(x);
  } catch {
    return undefined;
  }
}

interface AdoptedWorkloads {
  readonly name: string;
  readonly serviceAccount: string;
  readonly selector: { readonly [key: string]: string };
  readonly port: { readonly name: string; readonly port: number; readonly targetPort: number; readonly appProtocol?: string };
  /** The Service's other ports (a several-port Service), in the Service's order. */
  readonly otherPorts: readonly ServicePortIntent[];
  readonly versions: ReadonlyArray<{ readonly name: string; readonly replicas: number; readonly podLabels: { readonly [key: string]: string } }>;
}

/** Reads and checks the Service and Deployments {@link MeshService.fromWorkloads} adopts. */
function readWorkloads(self: Construct, namespace: string, service: IConstruct, deployments: IConstruct[], wantPort: number | undefined): AdoptedWorkloads {
  const svcObj = service ? apiObjectOf(service) : undefined;
  if (!svcObj || svcObj.kind !== 'Service' || svcObj.apiVersion !== 'v1') {
    fail(self, 'props.service', describe(service), 'must be a Service: a cdk8s-plus Service or an ApiObject of kind Service (v1)', "pass the Service object, e.g. new kplus.Service(chart, 'Orders', { ports: [{ port: 8080 }] })");
  }
  const svc = svcObj.toJson() as any;
  const where = `Service ${svc.metadata?.name} (${svcObj.node.path})`;
  if (svc.metadata?.namespace !== namespace) {
    fail(self, 'props.service', where, `the Service is in namespace ${svc.metadata?.namespace ?? '(none: the namespace kubectl applies it to)'}, not in ${namespace}`,
      `put it in the MeshNamespace's namespace (metadata.namespace or the chart's namespace: '${namespace}')`);
  }
  const selector: Record<string, string> = { ...(svc.spec?.selector ?? {}) };
  if (Object.keys(selector).length === 0) {
    fail(self, 'props.service', where, 'a Service without a selector has no pods the mesh could route to or protect', "select the pods by label, e.g. service.selectLabel('app', 'reviews')");
  }
  const ports: any[] = svc.spec?.ports ?? [];
  const port = wantPort === undefined ? ports[0] : ports.find((p) => p.port === wantPort);
  if (!port) {
    fail(self, wantPort === undefined ? 'props.service' : 'props.port', wantPort ?? where, wantPort === undefined ? 'the Service has no port' : `the Service has no port ${wantPort} (it has ${ports.map((p) => p.port).join(', ') || 'none'})`, wantPort === undefined ? 'give the Service a port, e.g. ports: [{ port: 8080 }]' : 'pass one of its ports as port, or leave port out for its first port');
  }
  if (typeof port.name !== 'string' || port.name === '') {
    fail(self, 'props.service', `${where} port ${port.port}`, 'the mesh port needs a name (routes and policies refer to it, and Istio reads its protocol from it)', "name it 'http'");
  }
  const targetPort = typeof port.targetPort === 'number' ? port.targetPort : port.targetPort === undefined ? port.port : undefined;
  if (targetPort === undefined) fail(self, 'props.service', `${where} port ${port.port}`, 'a named targetPort cannot be followed to a container port here', 'use a numeric targetPort');
  if (!Array.isArray(deployments) || deployments.length === 0) {
    fail(self, 'props.deployments', deployments, 'adopt at least one Deployment (one per version)', "e.g. deployments: [ordersV1] with the version in its pods' version label");
  }
  let serviceAccount: string | undefined;
  const versions = deployments.map((d, i) => {
    const property = `props.deployments[${i}]`;
    const obj = d ? apiObjectOf(d) : undefined;
    if (!obj || obj.kind !== 'Deployment') fail(self, property, describe(d), 'must be a Deployment: a cdk8s-plus Deployment or an ApiObject of kind Deployment', 'pass the Deployment of each version, e.g. a kplus.Deployment');
    const dep = obj.toJson() as any;
    const at = `Deployment ${dep.metadata?.name} (${obj.node.path})`;
    if (dep.metadata?.namespace !== namespace) {
      fail(self, property, at, `the Deployment is in namespace ${dep.metadata?.namespace ?? '(none)'}, not in ${namespace}`, `put it in '${namespace}'`);
    }
    const labels: Record<string, string> = { ...(dep.spec?.template?.metadata?.labels ?? {}) };
    const missing = Object.entries(selector).filter(([k, v]) => labels[k] !== v);
    if (missing.length > 0) {
      fail(self, property, at, `its pods lack the Service selector label(s) ${missing.map(([k, v]) => `${k}=${v}`).join(', ')}, so the Service does not send them traffic`,
        'label the pod template with the Service selector');
    }
    if (typeof labels.version !== 'string' || labels.version === '') {
      fail(self, property, at, 'its pod template has no version label: routes name versions by the pods\' version label (DestinationRule subsets)',
        "label the pod template, e.g. podMetadata.addLabel('version', 'v1')");
    }
    if (labels['sidecar.istio.io/inject'] === 'false') {
      fail(self, property, at, 'its pods opt out of sidecar injection (sidecar.istio.io/inject: "false"), so they are not in the mesh', 'remove the label');
    }
    const sa = dep.spec?.template?.spec?.serviceAccountName;
    if (typeof sa !== 'string' || sa === '') {
      fail(self, property, at, 'its pods run as the namespace\'s default ServiceAccount, an identity every pod without its own shares, so policies could not tell callers apart',
        'give the pods a ServiceAccount of their own (cdk8s-plus: serviceAccount: new ServiceAccount(...))');
    }
    if (serviceAccount !== undefined && sa !== serviceAccount) {
      fail(self, property, at, `its pods run as ServiceAccount ${sa}, other versions as ${serviceAccount}: one service has one identity`, 'run every version as the same ServiceAccount');
    }
    serviceAccount = sa;
    const replicas = dep.spec?.replicas ?? 1;
    return { name: labels.version, replicas: typeof replicas === 'number' ? replicas : 1, podLabels: labels };
  });
  const otherPorts = adoptOtherPorts(self, where, ports.filter((p) => p !== port), deployments);
  return {
    name: svc.metadata.name,
    serviceAccount: serviceAccount!,
    otherPorts,
    selector,
    port: { name: port.name, port: port.port, targetPort, ...(typeof port.appProtocol === 'string' ? { appProtocol: port.appProtocol } : {}) },
    versions,
  };
}

/** `attrs.ports` of {@link MeshService.fromAttributes}, checked; the single-port attributes must not be set too. */
function attributePorts(self: Construct, attrs: MeshServiceAttributes): ServicePortIntent[] {
  for (const single of ['port', 'portName', 'targetPort'] as const) {
    if (attrs[single] !== undefined) fail(self, `attrs.${single}`, attrs[single], 'set either ports or port/portName/targetPort, not both', 'declare every port in ports');
  }
  return servicePortIntents(self, 'attrs.ports', attrs.ports!);
}

/**
 * The adopted Service's ports besides the mesh port, as model records. Kubernetes requires a name on
 * every port of a several-port Service; a named `targetPort` is followed to the container port of
 * that name in the adopted Deployments.
 */
function adoptOtherPorts(self: Construct, where: string, others: readonly any[], deployments: IConstruct[]): ServicePortIntent[] {
  return others.map((p) => {
    if (typeof p?.name !== 'string' || p.name === '') {
      fail(self, 'props.service', `${where} port ${p?.port}`, 'every port of a several-port Service needs a name (Kubernetes requires it, and Istio reads the protocol from it)', "name it after its protocol, e.g. 'grpc'");
    }
    let targetPort: number | undefined = typeof p.targetPort === 'number' ? p.targetPort : p.targetPort === undefined ? p.port : undefined;
    if (targetPort === undefined) {
      const named = deployments.flatMap((d) => ((apiObjectOf(d)?.toJson() as any)?.spec?.template?.spec?.containers ?? []) as any[])
        .flatMap((c) => (Array.isArray(c?.ports) ? c.ports : []) as any[])
        .find((cp) => cp?.name === p.targetPort && typeof cp.containerPort === 'number');
      targetPort = named?.containerPort;
    }
    if (targetPort === undefined) {
      fail(self, 'props.service', `${where} port ${p.name}`, `its targetPort "${p.targetPort}" names no container port of the adopted Deployments`, 'use a numeric targetPort, or name the container port');
    }
    return { name: p.name, port: p.port, targetPort, protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP', ...(typeof p.appProtocol === 'string' ? { appProtocol: p.appProtocol } : {}) };
  });
}
