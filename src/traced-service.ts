import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { PodSecurityOptions, podSecurityIntent } from './values/pod-security';
import { VersionWorkloadOptions, WorkloadOptions, workloadParts } from './values/workload';
import { HostTraffic } from './host-traffic';
import { IMeshMember, Mesh } from './mesh';
import { requireMeshNamespace } from './mesh-namespace-handle';
import { flaggerNameClashes } from './flagger-name-clash';
import type { IMeshNamespace } from './adopted-namespace';
import { EnvVarIntent, IWorkloadIdentity, ProbeIntent, ServicePortIntent, ServiceRef, serviceFqdn, serviceOwner, VersionIntent } from './model';
import { isHttpProtocol, portProtocol } from './rules/protocol';
import { fail } from './private/errors';
import { nameHint } from './private/hints';
import { dns1035Label, dns1123Label, toDnsLabel } from './rules/names';
import { labelValue } from './rules/labels';
import { port as checkPort, notReservedPort } from './rules/ports';
import { envVarName, otelAttributeKey, otelResourceAttributes } from './rules/workload';
import { quantity, quantityHint, quantityValue } from './rules/quantity';
import { readinessCheck, serviceAccountRenderer } from './render';
import { AllowOptions, ServiceSecurity } from './service-security';
import type { IMeshService } from './mesh-service';
import { MeshServicePort, meshServicePorts, ServicePort, servicePortIntents } from './service-port';
import { addBrand, brandSymbol, hasBrand } from './private/brand';

/**
 * One version of a service: one Deployment with `app` and `version` labels. Its workload settings
 * (command, args, autoscaling, probes) override the service's.
 */
export interface ServiceVersion extends VersionWorkloadOptions {
  /** The version label value, also the DestinationRule subset name, e.g. `v1`. */
  readonly name: string;
  /**
   * The container image.
   * @default `${imageRepository}:${name}`
   */
  readonly image?: string;
  /**
   * Replicas of this version (at least 0).
   * @default - the service's `replicas`
   */
  readonly replicas?: number;
  /**
   * Extra environment variables for this version only.
   * @default - none
   */
  readonly env?: { readonly [name: string]: string };
}

/** Container resource requests and limits, as Kubernetes quantities. */
export interface ContainerResources {
  /** @default '200m' */
  readonly cpuRequest?: string;
  /** @default '256Mi' */
  readonly memoryRequest?: string;
  /** @default '1' */
  readonly cpuLimit?: string;
  /** @default '512Mi' */
  readonly memoryLimit?: string;
}

/**
 * The readiness probe on the primary port, by its protocol: an HTTP GET on an HTTP port, the gRPC health
 * check on a gRPC port, a TCP connect on any other port.
 */
export interface ReadinessProbeOptions {
  /** The HTTP GET path (HTTP primary port only; refused on another). @default '/health' */
  readonly path?: string;
  /** @default Duration.seconds(5) */
  readonly initialDelay?: Duration;
  /** @default Duration.seconds(10) */
  readonly period?: Duration;
}

/**
 * Sidecar proxy resources, set per pod with `sidecar.istio.io/*` annotations (sidecar data plane only).
 * @see https://istio.io/latest/docs/reference/config/annotations/
 */
export interface SidecarResources {
  /** `sidecar.istio.io/proxyCPU`. @default '100m' */
  readonly cpuRequest?: string;
  /** `sidecar.istio.io/proxyMemory`. @default '128Mi' */
  readonly memoryRequest?: string;
  /** `sidecar.istio.io/proxyCPULimit`. @default - the mesh-wide proxy limit */
  readonly cpuLimit?: string;
  /** `sidecar.istio.io/proxyMemoryLimit`. @default - the mesh-wide proxy limit */
  readonly memoryLimit?: string;
}

/** OpenTelemetry SDK wiring through the standard `OTEL_*` environment variables. */
export interface OpenTelemetryOptions {
  /**
   * Whether to set the OTEL_* variables at all.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * `OTEL_EXPORTER_OTLP_ENDPOINT`, a URL.
   * @default - `http://<host>:<port>` of the mesh tracing provider
   */
  readonly endpoint?: string;
  /**
   * Extra resource attributes; `service.version` (the version) and `service.name` (OTEL_SERVICE_NAME)
   * are set by the library, and giving either here is an error.
   * @default - none
   */
  readonly resourceAttributes?: { readonly [key: string]: string };
}

/** Where to set what a fixed variable carries instead of `env`. */
const FIXED_ENV_HINTS: { readonly [name: string]: string } = {
  SERVICE_PORT: 'set the port with props.port or props.ports',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'set props.openTelemetry.endpoint',
  OTEL_SERVICE_NAME: 'set the service name with props.name',
  OTEL_RESOURCE_ATTRIBUTES: 'set props.openTelemetry.resourceAttributes',
};

/**
 * Properties of a {@link TracedService}. The workload settings (probes, volumes, key-sourced env,
 * command/args, autoscaling, disruption budget, zone spread) are {@link WorkloadOptions}.
 */
export interface TracedServiceProps extends WorkloadOptions {
  /**
   * The mesh namespace the service runs in: a MeshNamespace, an adopted one (`MeshNamespace.fromName`)
   * or any other {@link IMeshNamespace} whose mesh's model declares or adopts the namespace.
   */
  readonly namespace: IMeshNamespace;
  /**
   * The service name: Service, ServiceAccount and `app` label. A DNS-1123 label.
   * @default - the construct id in kebab case (`OrderService` → `order-service`); for the id
   * `Default`, the id of the enclosing construct (a wrapper's `new TracedService(this, 'Default', …)`
   * is named after the wrapper, as AWS CDK names default children)
   */
  readonly name?: string;
  /** The versions that run, each one Deployment. At least one, names unique. */
  readonly versions: ServiceVersion[];
  /**
   * Image repository; each version's image defaults to `<repository>:<version>`. Pin tags: `latest`
   * and untagged images are rejected.
   * @example 'registry.example.com/order-service'
   */
  readonly imageRepository: string;
  /**
   * The HTTP port the container listens on and the Service exposes (a one-port service; for several
   * ports use `ports`).
   * @default 8080
   */
  readonly port?: number;
  /**
   * Service port name; Istio picks the protocol from its prefix (`http`, `http2`, `grpc`...).
   * @default 'http'
   */
  readonly portName?: string;
  /**
   * Several named ports, each with its protocol (instead of `port`/`portName`). The primary port
   * (the first, or the one marked `primary`) is the one routes, policies, the readiness probe and
   * `SERVICE_PORT` use unless they name another; a CanaryRoute or CircuitBreaker can target any
   * port with its `port`.
   * @example [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9090 }]
   * @default - one port: `port` named `portName`
   */
  readonly ports?: ServicePort[];
  /**
   * Replicas per version (at least 0).
   * @default 3
   */
  readonly replicas?: number;
  /** @default - 200m/256Mi requests, 1/512Mi limits */
  readonly resources?: ContainerResources;
  /** @default - GET /health on the port, 5s initial delay, 10s period */
  readonly readinessProbe?: ReadinessProbeOptions;
  /** @default - 100m CPU and 128Mi memory requests */
  readonly sidecarResources?: SidecarResources;
  /** @default - enabled, endpoint from the mesh tracing provider */
  readonly openTelemetry?: OpenTelemetryOptions;
  /**
   * Extra environment variables for every version. `SERVICE_PORT` is always the (primary) container port.
   * @default - none
   */
  readonly env?: { readonly [name: string]: string };
  /**
   * The ServiceAccount name (the workload identity).
   * @default - the service name
   */
  readonly serviceAccountName?: string;
  /**
   * Pod security settings; each field opts out of one Pod Security "restricted" control.
   * @default - Pod Security "restricted": non-root, RuntimeDefault seccomp, no privilege escalation,
   * every capability dropped, no Kubernetes API token mounted
   */
  readonly podSecurity?: PodSecurityOptions;
}

const TRACED_SERVICE_SYMBOL = brandSymbol('TracedService');

/**
 * A Go-style HTTP service in the mesh: its ServiceAccount identity, a Service with a named port that
 * selects on `app` only, and one Deployment per version labelled `app` and `version`, with probes,
 * resources, sidecar annotations and OpenTelemetry wiring.
 *
 * It declares the service in the mesh model ({@link Mesh.model}); the mesh renders its objects at
 * synth. Routing (CanaryRoute) and resilience (CircuitBreaker) write into the same model, keyed by
 * the service, so there is exactly one VirtualService and one DestinationRule per host.
 */
export class TracedService extends Construct implements IMeshMember, IWorkloadIdentity, IMeshService {
  /** Whether `x` is a TracedService (works across copies of this package). */
  public static isTracedService(x: unknown): x is TracedService {
    return hasBrand(x, TRACED_SERVICE_SYMBOL);
  }

  /** `x instanceof TracedService`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is TracedService {
    return hasBrand(x, TRACED_SERVICE_SYMBOL);
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The mesh namespace. */
  public readonly meshNamespace: IMeshNamespace;
  /** The service name. */
  public readonly name: string;
  /** The namespace name. */
  public readonly namespace: string;
  /** The service port. */
  public readonly port: number;
  /** The service port name. */
  public readonly portName: string;
  /** Every port of the service, the primary first. */
  public readonly ports: readonly MeshServicePort[];
  /** The ServiceAccount name. */
  public readonly serviceAccountName: string;
  /** This host's traffic intent and routing objects, shared by every construct that routes or protects it. */
  public readonly traffic: HostTraffic;
  /** This workload's security intent: who may call it, and its own mTLS mode. */
  public readonly security: ServiceSecurity;

  constructor(scope: Construct, id: string, props: TracedServiceProps) {
    super(scope, id);
    addBrand(this, TRACED_SERVICE_SYMBOL);
    this.meshNamespace = props.namespace;
    // Any IMeshNamespace whose mesh's model declares or adopts it (an app's own class too).
    const ns = requireMeshNamespace(this, 'props.namespace', props.namespace);
    this.mesh = ns.mesh;
    this.namespace = ns.name;
    this.name = props.name ?? toDnsLabel(id === 'Default' && scope.node.id !== '' ? scope.node.id : id);
    const badName = dns1035Label(this.name);
    if (badName) fail(this, 'props.name', this.name, `a service name ${badName}`, `try "${toDnsLabel(this.name)}"`);
    let ports: ServicePortIntent[];
    if (props.ports !== undefined) {
      for (const single of ['port', 'portName'] as const) {
        if (props[single] !== undefined) fail(this, `props.${single}`, props[single], 'set either ports or port/portName, not both', 'declare every port in ports');
      }
      ports = servicePortIntents(this, 'props.ports', props.ports);
    } else {
      const port = props.port ?? 8080;
      const badPort = checkPort(port) ?? notReservedPort(port);
      if (badPort) fail(this, 'props.port', port, badPort, 'use an application port such as 8080');
      const portName = props.portName ?? 'http';
      const badPortName = dns1123Label(portName);
      if (badPortName || portName.length > 15) {
        fail(this, 'props.portName', portName, 'a port name must be a DNS-1123 label of at most 15 characters', "use 'http' or 'http-<suffix>'");
      }
      ports = [{ name: portName, port, targetPort: port, protocol: 'TCP' }];
    }
    this.port = ports[0].port;
    this.portName = ports[0].name;
    if (props.readinessProbe?.path !== undefined && !('httpGet' in readinessCheck(ports[0], props.readinessProbe.path))) {
      fail(this, 'props.readinessProbe.path', props.readinessProbe.path, `the primary port ${ports[0].name} (${ports[0].port}) is not HTTP: its readiness probe is a gRPC health check or a TCP connect, which has no path`,
        'drop readinessProbe.path, or make an HTTP port the primary one');
    }
    this.serviceAccountName = props.serviceAccountName ?? this.name;
    const badSa = dns1123Label(this.serviceAccountName);
    if (badSa) fail(this, 'props.serviceAccountName', this.serviceAccountName, badSa, `${nameHint(this.serviceAccountName, dns1123Label, 'orders')}, or leave serviceAccountName out for the service name`);

    const replicas = props.replicas ?? 3;
    checkReplicas(this, 'props.replicas', replicas);
    checkImageRepository(this, props.imageRepository);
    if (!Array.isArray(props.versions) || props.versions.length === 0) {
      fail(this, 'props.versions', props.versions, 'a service needs at least one version', "e.g. versions: [{ name: 'v1' }]");
    }
    const seen = new Set<string>();
    const versions = props.versions.map((v, i) => {
      const where = `props.versions[${i}].name`;
      const badVersion = labelValue(v.name) ?? (v.name === '' ? 'must be non-empty' : undefined);
      if (badVersion) fail(this, where, v.name, `a version ${badVersion}`, "e.g. 'v1'");
      if (dns1123Label(v.name)) {
        fail(this, where, v.name, 'a version is also a DestinationRule subset name and a Deployment name suffix, so it must be a DNS-1123 label', `try "${toDnsLabel(v.name)}"`);
      }
      if (seen.has(v.name)) fail(this, where, v.name, 'versions must be unique', 'remove the duplicate version');
      seen.add(v.name);
      const r = v.replicas ?? replicas;
      checkReplicas(this, `props.versions[${i}].replicas`, r);
      const image = v.image ?? `${props.imageRepository}:${v.name}`;
      checkImage(this, v.image !== undefined ? `props.versions[${i}].image` : 'props.imageRepository', image);
      return { name: v.name, replicas: r, image };
    });

    const probe = props.readinessProbe ?? {};
    const probePath = probe.path ?? '/health';
    if (!probePath.startsWith('/')) fail(this, 'props.readinessProbe.path', probePath, "a probe path must start with '/'", "e.g. path: '/health' (the default)");
    const initialDelay = wholeSeconds(this, 'props.readinessProbe.initialDelay', probe.initialDelay ?? Duration.seconds(5), 0);
    const period = wholeSeconds(this, 'props.readinessProbe.period', probe.period ?? Duration.seconds(10), 1);
    const res = props.resources ?? {};
    const resources = {
      cpuRequest: checkQuantity(this, 'props.resources.cpuRequest', res.cpuRequest ?? '200m'),
      memoryRequest: checkQuantity(this, 'props.resources.memoryRequest', res.memoryRequest ?? '256Mi'),
      cpuLimit: checkQuantity(this, 'props.resources.cpuLimit', res.cpuLimit ?? '1'),
      memoryLimit: checkQuantity(this, 'props.resources.memoryLimit', res.memoryLimit ?? '512Mi'),
    };
    for (const r of ['cpu', 'memory'] as const) {
      const req = resources[`${r}Request`];
      const lim = resources[`${r}Limit`];
      if (quantityValue(req) > quantityValue(lim)) {
        fail(this, `props.resources.${r}Request`, req, `a request must not exceed its limit (${lim})`, `lower the request to at most ${lim}, or raise ${r}Limit`);
      }
    }
    const side = props.sidecarResources ?? {};
    const noSidecars = this.mesh.renderer.capabilities.noSidecars;
    if (props.sidecarResources !== undefined && noSidecars) {
      fail(this, 'props.sidecarResources', props.sidecarResources, `sidecar resources are annotations for the sidecar injector, and ${noSidecars}: they would be dropped`,
        'remove sidecarResources; on ambient, ztunnel and waypoint resources are set on the ControlPlane install and the waypoint, not per service');
    }
    for (const k of ['cpuRequest', 'memoryRequest', 'cpuLimit', 'memoryLimit'] as const) {
      if (side[k] !== undefined) checkQuantity(this, `props.sidecarResources.${k}`, side[k]!);
    }
    for (const r of ['cpu', 'memory'] as const) {
      const given = side[`${r}Request`];
      const req = given ?? (r === 'cpu' ? '100m' : '128Mi');
      const lim = side[`${r}Limit`];
      if (lim !== undefined && quantityValue(req) > quantityValue(lim)) {
        // name the property the user wrote: the limit, when the request is the default
        if (given === undefined) {
          fail(this, `props.sidecarResources.${r}Limit`, lim, `a limit must not be below the request, and the sidecar's ${r} request is the default ${req}; the injector would write a pod the API server rejects`,
            `set ${r}Limit to at least ${req}, or set ${r}Request too`);
        }
        fail(this, `props.sidecarResources.${r}Request`, req, `a request must not exceed its limit (${lim}); the injector would write a pod the API server rejects`,
          `lower ${r}Request to at most ${lim}, or raise ${r}Limit`);
      }
    }
    const envNames = [...Object.keys(props.env ?? {}).map((n) => ['props.env', n]), ...props.versions.flatMap((v, i) => Object.keys(v.env ?? {}).map((n) => [`props.versions[${i}].env`, n]))];
    for (const [where, n] of envNames) {
      const badEnv = envVarName(n);
      if (badEnv) fail(this, where, n, badEnv, 'use the variable name as the key and its value as the value, e.g. { LOG_LEVEL: "info" }');
    }
    for (const k of Object.keys(props.openTelemetry?.resourceAttributes ?? {})) {
      const badKey = otelAttributeKey(k);
      if (badKey) fail(this, 'props.openTelemetry.resourceAttributes', k, badKey, 'use letters, digits, \'.\', \'_\' or \'-\' in keys, e.g. "deployment.environment"; put anything else in the value');
    }
    // Set by the library: the OTel SDK takes service.name from OTEL_SERVICE_NAME over OTEL_RESOURCE_ATTRIBUTES
    // (OpenTelemetry SDK environment variable spec), and service.version is each Deployment's version.
    for (const [k, setBy] of [['service.name', 'OTEL_SERVICE_NAME (the service name)'], ['service.version', 'the version of each Deployment']] as const) {
      if (props.openTelemetry?.resourceAttributes?.[k] !== undefined) {
        fail(this, `props.openTelemetry.resourceAttributes['${k}']`, props.openTelemetry.resourceAttributes[k], `${k} is set by TracedService from ${setBy} and cannot be overridden`,
          k === 'service.name' ? 'set the service name with props.name' : 'name the version in props.versions (it becomes service.version)');
      }
    }
    const otel = props.openTelemetry ?? {};
    const provider = this.mesh.tracing?.provider;
    const endpoint = otel.endpoint ?? (provider ? `http://${provider.host}:${provider.port}` : undefined);
    if ((otel.enabled ?? true) && otel.endpoint === undefined && !provider) {
      fail(this, 'props.openTelemetry.endpoint', undefined, 'OpenTelemetry wiring needs a collector endpoint: set it here, configure mesh tracing, or set enabled: false', "e.g. openTelemetry: { endpoint: 'http://otel-collector.observability:4317' }");
    }
    if (otel.endpoint !== undefined && !/^https?:\/\/[^\s/]+(:\d+)?(\/\S*)?$/.test(otel.endpoint)) {
      fail(this, 'props.openTelemetry.endpoint', otel.endpoint, 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL', 'e.g. "http://otel-collector.observability.svc.cluster.local:4317"');
    }

    const selector = { app: this.name };
    const versionIntents: VersionIntent[] = versions.map((v) => {
      const env: Record<string, string> = { ...(props.env ?? {}) };
      Object.assign(env, props.versions.find((x) => x.name === v.name)?.env ?? {});
      const fixed: EnvVarIntent[] = [{ name: 'SERVICE_PORT', value: String(ports[0].targetPort) }];
      if ((otel.enabled ?? true) && endpoint) {
        const attrs: Record<string, string> = { ...(otel.resourceAttributes ?? {}), 'service.version': v.name };
        fixed.push(
          { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: endpoint },
          { name: 'OTEL_SERVICE_NAME', value: this.name },
          { name: 'OTEL_RESOURCE_ATTRIBUTES', value: otelResourceAttributes(attrs) },
        );
      }
      for (const f of fixed) {
        if (f.name in env) fail(this, 'props.env', f.name, `${f.name} is set by TracedService and cannot be overridden in env`, FIXED_ENV_HINTS[f.name]);
      }
      const extra = Object.keys(env).sort().map((name) => ({ name, value: env[name] }));
      return { name: v.name, replicas: v.replicas, podLabels: { ...selector, version: v.name }, image: v.image, env: [...fixed, ...extra] };
    });

    // Workload features: probes, volumes, key-sourced env, command/args, autoscaling, budgets, spread.
    const envTaken = new Set(versionIntents.flatMap((v) => (v.env ?? []).map((e) => e.name)));
    const parts = workloadParts(this.node.path, props, versionIntents, envTaken);
    checkProbePorts(this, 'props', parts.workload, ports);
    parts.versions.forEach((v, i) => checkProbePorts(this, `props.versions[${i}]`, v, ports));

    this.mesh.model.addService({
      name: this.name,
      namespace: this.namespace,
      serviceAccount: this.serviceAccountName,
      ports,
      selector,
      versions: parts.versions,
      workload: {
        containerName: this.name,
        resources: {
          requests: { cpu: resources.cpuRequest, memory: resources.memoryRequest },
          limits: { cpu: resources.cpuLimit, memory: resources.memoryLimit },
        },
        readinessProbe: { path: probePath, initialDelaySeconds: initialDelay, periodSeconds: period },
        proxyResources: {
          cpuRequest: side.cpuRequest ?? '100m',
          memoryRequest: side.memoryRequest ?? '128Mi',
          ...(side.cpuLimit ? { cpuLimit: side.cpuLimit } : {}),
          ...(side.memoryLimit ? { memoryLimit: side.memoryLimit } : {}),
        },
        podSecurity: podSecurityIntent(this.node.path, props.podSecurity),
        ...parts.workload,
      },
      source: this.node.path,
    });
    this.ports = meshServicePorts(this.mesh.model.service(this)!);
    this.mesh.registerOwner(serviceOwner(this), this);
    this.traffic = new HostTraffic(this.mesh, this);
    this.security = new ServiceSecurity(this);
    this.mesh.addMember(this);
    // Flagger's names for a progressive service of this namespace (<x>-primary, <x>-canary): at synth,
    // so the order in which this service and the progressive route are declared does not matter.
    this.node.addValidation({ validate: () => flaggerNameClashes(this.mesh, this, 'props.name') });
  }

  /**
   * Allows `caller` (a TracedService, or an ExternalIdentity such as the ingress gateway) to call
   * this service, optionally only on some methods, paths and ports, and only when conditions hold.
   * The principal is derived from the caller's ServiceAccount, namespace and the mesh trust domain.
   * Shorthand for `this.security.allowFrom(caller, options)`.
   *
   * @example payment.allowFrom(order, { methods: [HttpMethod.POST], paths: [PathMatch.prefix('/api/payments/')] })
   */
  public allowFrom(caller: IWorkloadIdentity, options: AllowOptions = {}): void {
    this.security.allowFrom(caller, options);
  }

  /** The service in the mesh model: `{ namespace, name }`. */
  public get ref(): ServiceRef {
    return { namespace: this.namespace, name: this.name };
  }

  /**
   * The ServiceAccount object (an escape hatch). Services that run as the same identity share one
   * ServiceAccount, rendered by the first of them to be declared.
   */
  public get serviceAccount(): ApiObject {
    const owner = serviceAccountRenderer(this.mesh.model, this.mesh.model.service(this)!)!;
    return this.mesh.objectOf(serviceOwner(owner), 'ServiceAccount')!;
  }

  /**
   * The Service object (an escape hatch). Undefined when a progressive CanaryRoute hands the host to
   * Flagger, which creates the Services itself. Once read, the Service is kept: a later progressive
   * route for this service is refused.
   */
  public get service(): ApiObject | undefined {
    return this.mesh.objectOf(serviceOwner(this), 'Service');
  }

  /** The version names, in declaration order. */
  public get versions(): string[] {
    return this.mesh.model.service(this)!.versions.map((v) => v.name);
  }

  /** Replicas of a version. */
  public replicasOf(version: string): number | undefined {
    return this.mesh.model.service(this)!.versions.find((v) => v.name === version)?.replicas;
  }

  /**
   * The Deployment of a version (an escape hatch). With a progressive CanaryRoute only the canary
   * version has one (the Flagger target, named after the service). Once read, the Deployment is
   * kept: a later progressive route that would drop it is refused.
   */
  public deploymentOf(version: string): ApiObject | undefined {
    const progressive = this.mesh.model.host(this).progressive;
    if (progressive) return version === progressive.canaryVersion ? this.mesh.objectOf(serviceOwner(this), 'Deployment') : undefined;
    return this.mesh.objectOf(serviceOwner(this), `Deployment-${version}`);
  }

  /**
   * The HorizontalPodAutoscaler of a version (an escape hatch), when the version is autoscaled;
   * undefined otherwise.
   */
  public autoscalerOf(version: string): ApiObject | undefined {
    return this.mesh.objectOf(serviceOwner(this), `HorizontalPodAutoscaler-${version}`);
  }

  /**
   * The PodDisruptionBudget of a version (an escape hatch): every version with at least 2 pods has
   * one unless `disruptionBudget` is `DisruptionBudget.none()`; undefined otherwise. With a
   * progressive CanaryRoute only the canary version (Flagger's target, whose replicas the primary
   * copies) has one, over Flagger's primary pods (`<name>-primary`).
   */
  public disruptionBudgetOf(version: string): ApiObject | undefined {
    const progressive = this.mesh.model.host(this).progressive;
    if (progressive) return version === progressive.canaryVersion ? this.mesh.objectOf(serviceOwner(this), 'PodDisruptionBudget') : undefined;
    return this.mesh.objectOf(serviceOwner(this), `PodDisruptionBudget-${version}`);
  }

  /** Labels that select every pod of the service (`app` only). */
  public get selectorLabels(): { readonly [key: string]: string } {
    return { app: this.name };
  }

  /** The ServiceAccount's namespace (for {@link IWorkloadIdentity}). */
  public get identityNamespace(): string {
    return this.namespace;
  }

  /** The service's short host name, as VirtualService and DestinationRule name it. */
  public get host(): string {
    return this.name;
  }

  /** The fully qualified host name, `<name>.<namespace>.svc.cluster.local`. */
  public get fqdn(): string {
    return serviceFqdn(this);
  }
}

function checkQuantity(scope: Construct, property: string, v: string): string {
  const bad = quantity(v);
  if (bad) fail(scope, property, v, bad, quantityHint(v) ?? 'e.g. "250m" for CPU or "256Mi" for memory');
  return v;
}

function checkReplicas(scope: Construct, property: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) fail(scope, property, v, 'replicas must be an integer of at least 0', 'e.g. 2');
}

function checkImageRepository(scope: Construct, repo: string): void {
  if (typeof repo !== 'string' || repo.length === 0 || /\s/.test(repo) || /:[^/]*$/.test(repo) || repo.includes('@')) {
    fail(scope, 'props.imageRepository', repo, 'an image repository is a registry path without tag or digest', "e.g. 'registry.example.com/order-service'");
  }
}

function checkImage(scope: Construct, property: string, image: string): void {
  const m = /^([^\s@]+?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(image ?? '');
  if (!m) fail(scope, property, image, 'an image reference must be <repository>[:tag][@digest]', "e.g. 'example/orders:1.0.0' or 'example/orders@sha256:<64 hex digits>'");
  const [, , tag, digest] = m;
  if (!digest && (!tag || tag === 'latest')) {
    fail(scope, property, image, 'images must be pinned to a tag other than latest, or a digest', 'deploy an immutable tag such as :v1.4.2');
  }
}

function wholeSeconds(scope: Construct, property: string, d: Duration, min: number): number {
  const s = d.toSeconds({ integral: false });
  if (!Number.isInteger(s) || s < min) fail(scope, property, d.toHumanString(), `must be a whole number of seconds, at least ${min}`, `e.g. Duration.seconds(${Math.max(min, 10)})`);
  return s;
}

/**
 * A liveness or startup probe must reach a container port of the service, with a check that port's
 * protocol can answer: an HTTP GET on an HTTP port, a gRPC health check on a gRPC port (a TCP connect fits
 * any port). Otherwise the kubelet restarts healthy pods forever.
 */
function checkProbePorts(scope: Construct, at: string, probes: { readonly livenessProbe?: ProbeIntent; readonly startupProbe?: ProbeIntent }, ports: readonly ServicePortIntent[]): void {
  for (const kind of ['livenessProbe', 'startupProbe'] as const) {
    const p = probes[kind];
    if (!p) continue;
    const check = p.httpGet ? { what: 'an HTTP GET', port: p.httpGet.port } : p.grpc ? { what: 'a gRPC health check', port: p.grpc.port } : p.tcpSocket ? { what: 'a TCP connect', port: p.tcpSocket.port } : undefined;
    if (!check) continue;
    const target = check.port === undefined ? ports[0] : ports.find((x) => x.targetPort === check.port);
    if (!target) {
      fail(scope, `${at}.${kind}.port`, check.port, `${check.what} on a port that is no container port of the service (${ports.map((x) => x.targetPort).join(', ')})`, 'probe one of the service\'s container ports, or omit port to probe the primary one');
    }
    const protocol = portProtocol(target.port, target.name, target.protocol, target.appProtocol);
    const fits = p.httpGet ? isHttpProtocol(protocol) && protocol !== 'GRPC' : p.grpc ? protocol === 'GRPC' : true;
    if (!fits) {
      fail(scope, `${at}.${kind}`, `${check.what} on port ${target.name} (${target.targetPort})`, `port ${target.name} is ${protocol}, so ${check.what} there never succeeds and the kubelet would restart healthy pods`,
        p.httpGet ? 'probe an HTTP port, or use Probe.grpc() / Probe.tcp() for this one' : 'probe a gRPC port (port: …), or use Probe.tcp()');
    }
  }
}
