import { Duration } from 'cdk8s';
import { AutoscalingIntent, DisruptionBudgetIntent, EnvKeyRefIntent, ProbeIntent, TopologySpreadIntent, VersionIntent, VolumeIntent, WorkloadIntent } from '../model';
import { fail } from '../private/errors';
import { BOOLEAN_HINT, nameHint } from '../private/hints';
import { brand, hasBrand } from '../private/value-brand';
import { check } from '../rules/check';
import { dns1123Subdomain } from '../rules/names';
import { INT32_MAX } from '../rules/numbers';
import { port as portRule } from '../rules/ports';
import { quantity, quantityHint } from '../rules/quantity';
import { configMapKey, envVarName } from '../rules/workload';
import { autoscalingReplicas, disruptionBound, disruptionCount, mountPath as mountPathRule, podVolumeName, probeField, ProbeKind, probeSuccessThreshold, utilizationTarget } from '../rules/workload-spec';

const PROBE = Symbol.for('cdk8s-istio.Probe');
const VOLUME = Symbol.for('cdk8s-istio.Volume');
const ENV_KEY_REF = Symbol.for('cdk8s-istio.EnvKeyRef');

/**
 * Timings of a probe. Durations are whole seconds (the API takes seconds).
 * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Probe
 */
export interface ProbeTimingOptions {
  /** @default Duration.seconds(0) */
  readonly initialDelay?: Duration;
  /** @default Duration.seconds(10) */
  readonly period?: Duration;
  /** @default Duration.seconds(1) */
  readonly timeout?: Duration;
  /** Consecutive failures before the probe counts as failed. @default 3 */
  readonly failureThreshold?: number;
  /** Consecutive successes before the probe counts as succeeded again; must be 1 for liveness and startup probes. @default 1 */
  readonly successThreshold?: number;
}

/** Options of {@link Probe.httpGet}. */
export interface HttpProbeOptions extends ProbeTimingOptions {
  /** @default - the service's primary port */
  readonly port?: number;
  /** @default 'HTTP' */
  readonly scheme?: 'HTTP' | 'HTTPS';
}

/** Options of {@link Probe.grpc}. */
export interface GrpcProbeOptions extends ProbeTimingOptions {
  /** @default - the service's primary port */
  readonly port?: number;
  /**
   * The service name sent in the gRPC health check request.
   * @default - none (the server's overall health)
   */
  readonly service?: string;
}

/** Options of {@link Probe.tcp}. */
export interface TcpProbeOptions extends ProbeTimingOptions {
  /** @default - the service's primary port */
  readonly port?: number;
}

/**
 * A liveness or startup probe of a TracedService's container: one handler (HTTP GET, gRPC health
 * check, TCP connect or a command) and its timings. With sidecars, Istio's injector rewrites HTTP,
 * gRPC and TCP probes to go through the sidecar agent, so they keep working under STRICT mTLS.
 * @example Probe.httpGet('/healthz', { period: Duration.seconds(10), failureThreshold: 3 })
 */
export class Probe {
  /** True for a Probe from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, PROBE);
  }

  /** An HTTP GET on `path` (success: a status in 200..399). */
  public static httpGet(path: string, options: HttpProbeOptions = {}): Probe {
    const where = 'Probe.httpGet';
    if (typeof path !== 'string' || !path.startsWith('/') || /\s/.test(path)) fail(where, 'path', path, "a probe path must start with '/' and contain no whitespace", "e.g. '/healthz'");
    if (options.scheme !== undefined && options.scheme !== 'HTTP' && options.scheme !== 'HTTPS') fail(where, 'options.scheme', options.scheme, 'must be HTTP or HTTPS', "e.g. { scheme: 'HTTPS' }, or leave scheme out for HTTP");
    const port = probePort(where, options.port);
    return new Probe({ httpGet: { path, ...(port !== undefined ? { port } : {}), ...(options.scheme ? { scheme: options.scheme } : {}) }, ...timings(where, options) });
  }

  /** A gRPC health check (grpc.health.v1) on `port`. */
  public static grpc(options: GrpcProbeOptions = {}): Probe {
    const where = 'Probe.grpc';
    const port = probePort(where, options.port);
    if (options.service !== undefined && (typeof options.service !== 'string' || options.service.length === 0)) fail(where, 'options.service', options.service, 'a gRPC service name must be a non-empty string', "e.g. service: 'grpc.health.v1.Health', or leave it out for the server's overall health");
    return new Probe({ grpc: { ...(port !== undefined ? { port } : {}), ...(options.service !== undefined ? { service: options.service } : {}) }, ...timings(where, options) });
  }

  /** A TCP connect to `port` (success: the connection opens). */
  public static tcp(options: TcpProbeOptions = {}): Probe {
    const where = 'Probe.tcp';
    const port = probePort(where, options.port);
    return new Probe({ tcpSocket: { ...(port !== undefined ? { port } : {}) }, ...timings(where, options) });
  }

  /** A command run in the container (success: exit status 0). Not a shell: use `['sh', '-c', '…']` for one. */
  public static exec(command: string[], options: ProbeTimingOptions = {}): Probe {
    const where = 'Probe.exec';
    if (!Array.isArray(command) || command.length === 0 || command.some((c) => typeof c !== 'string') || command[0] === '') {
      fail(where, 'command', command, 'a probe command must be a non-empty list of strings with a non-empty program', "e.g. ['/bin/grpc_health_probe', '-addr=:9090']");
    }
    return new Probe({ exec: { command: [...command] }, ...timings(where, options) });
  }

  private constructor(private readonly _intent: ProbeIntent) {
    brand(this, PROBE);
  }

  /** @internal */
  public toIntent(): ProbeIntent {
    return this._intent;
  }
}

function probePort(where: string, port: number | undefined): number | undefined {
  if (port !== undefined) check(where, 'options.port', port, portRule, "e.g. port: 8080, or leave it out to probe the service's primary port");
  return port;
}

function timings(where: string, o: ProbeTimingOptions): Omit<ProbeIntent, 'httpGet' | 'grpc' | 'tcpSocket' | 'exec'> {
  const out: { -readonly [K in keyof ProbeIntent]?: ProbeIntent[K] } = {};
  for (const [option, field] of [['initialDelay', 'initialDelaySeconds'], ['period', 'periodSeconds'], ['timeout', 'timeoutSeconds']] as const) {
    const d = o[option];
    if (d === undefined) continue;
    if (!(d instanceof Duration)) fail(where, `options.${option}`, d, 'must be a Duration', 'e.g. Duration.seconds(10)');
    const s = d.toSeconds({ integral: false });
    if (!Number.isInteger(s)) fail(where, `options.${option}`, d.toHumanString(), 'a probe timing is whole seconds', 'e.g. Duration.seconds(10)');
    check(where, `options.${option}`, s, (v) => probeField(field, v), `e.g. ${option}: Duration.seconds(10)`);
    out[field] = s;
  }
  for (const field of ['failureThreshold', 'successThreshold'] as const) {
    if (o[field] === undefined) continue;
    check(where, `options.${field}`, o[field], (v) => probeField(field, v), `e.g. ${field}: ${field === 'successThreshold' ? 1 : 3}`);
    out[field] = o[field];
  }
  return out;
}

/** Options of {@link Volume.fromConfigMap} and {@link Volume.fromSecret}. */
export interface KeyVolumeOptions {
  /**
   * Only these keys, each as a file at a relative path (key → path). Keys are checked as the API
   * server checks ConfigMap/Secret keys.
   * @default - every key, each as a file named after it
   */
  readonly items?: { readonly [key: string]: string };
  /**
   * Start the pod even when the ConfigMap/Secret (or a listed key) is missing.
   * @default false
   */
  readonly optional?: boolean;
}

/** Options of {@link Volume.emptyDir}. */
export interface EmptyDirOptions {
  /**
   * Back the directory with memory (tmpfs); it counts against the container's memory limit.
   * @default false
   */
  readonly memory?: boolean;
  /**
   * The most the directory may hold, a Kubernetes quantity.
   * @default - no limit
   */
  readonly sizeLimit?: string;
}

/**
 * A pod volume of a type Pod Security "restricted" allows: a ConfigMap's or a Secret's keys as
 * files, or an emptyDir. The Secret's values stay in the cluster: only its name is in code.
 * @example Volume.fromSecret('tls', 'catalog-tls')
 */
export class Volume {
  /** True for a Volume from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, VOLUME);
  }

  /** The keys of ConfigMap `configMapName` as files. */
  public static fromConfigMap(name: string, configMapName: string, options: KeyVolumeOptions = {}): Volume {
    const where = 'Volume.fromConfigMap';
    volumeName(where, name);
    check(where, 'configMapName', configMapName, dns1123Subdomain, nameHint(configMapName, dns1123Subdomain, 'orders-config'), 'a ConfigMap name');
    return new Volume({ name, configMap: { name: configMapName, ...keyOptions(where, options) } });
  }

  /** The keys of Secret `secretName` as files. */
  public static fromSecret(name: string, secretName: string, options: KeyVolumeOptions = {}): Volume {
    const where = 'Volume.fromSecret';
    volumeName(where, name);
    check(where, 'secretName', secretName, dns1123Subdomain, nameHint(secretName, dns1123Subdomain, 'orders-secrets'), 'a Secret name');
    return new Volume({ name, secret: { secretName, ...keyOptions(where, options) } });
  }

  /** An empty directory that lives as long as the pod (e.g. `/tmp` with a read-only root filesystem). */
  public static emptyDir(name: string, options: EmptyDirOptions = {}): Volume {
    const where = 'Volume.emptyDir';
    volumeName(where, name);
    if (options.memory !== undefined && typeof options.memory !== 'boolean') fail(where, 'options.memory', options.memory, 'must be a boolean', BOOLEAN_HINT);
    if (options.sizeLimit !== undefined) {
      const bad = quantity(options.sizeLimit);
      if (bad) fail(where, 'options.sizeLimit', options.sizeLimit, bad, quantityHint(options.sizeLimit) ?? 'e.g. "64Mi"');
    }
    return new Volume({ name, emptyDir: { ...(options.memory ? { medium: 'Memory' as const } : {}), ...(options.sizeLimit !== undefined ? { sizeLimit: options.sizeLimit } : {}) } });
  }

  private constructor(private readonly _source: Omit<VolumeIntent, 'mountPath' | 'readOnly'>) {
    brand(this, VOLUME);
  }

  /** The volume name. */
  public get name(): string {
    return this._source.name;
  }

  /** Whether the kubelet always mounts this volume read-only (ConfigMap and Secret volumes). */
  public get alwaysReadOnly(): boolean {
    return this._source.emptyDir === undefined;
  }

  /** @internal The volume mounted at `mountPath`. */
  public toIntent(mountPath: string, readOnly: boolean): VolumeIntent {
    return { ...this._source, mountPath, readOnly };
  }
}

function volumeName(where: string, name: string): void {
  check(where, 'name', name, podVolumeName, nameHint(name, podVolumeName, 'config'));
}

function keyOptions(where: string, o: KeyVolumeOptions): { optional?: boolean; items?: { key: string; path: string }[] } {
  const out: { optional?: boolean; items?: { key: string; path: string }[] } = {};
  if (o.optional !== undefined) {
    if (typeof o.optional !== 'boolean') fail(where, 'options.optional', o.optional, 'must be a boolean', BOOLEAN_HINT);
    out.optional = o.optional;
  }
  if (o.items !== undefined) {
    const keys = Object.keys(o.items).sort();
    if (keys.length === 0) fail(where, 'options.items', o.items, 'list at least one key, or omit items to project every key', "e.g. items: { 'app.yaml': 'config/app.yaml' }");
    const paths = new Set<string>();
    out.items = keys.map((key) => {
      check(where, 'options.items', key, configMapKey, "e.g. 'app.yaml'", 'a key');
      const path = o.items![key];
      if (typeof path !== 'string' || path === '' || path.startsWith('/') || path.split('/').includes('..')) {
        fail(where, `options.items.${key}`, path, "a file path must be relative, without '..' elements", "e.g. 'config/app.yaml'");
      }
      if (paths.has(path)) fail(where, `options.items.${key}`, path, 'two keys would write the same file', 'give each key its own file path');
      paths.add(path);
      return { key, path };
    });
  }
  return out;
}

/** Options of {@link EnvKeyRef.secret} and {@link EnvKeyRef.configMap}. */
export interface EnvKeyRefOptions {
  /**
   * Start the container even when the Secret/ConfigMap or the key is missing (the variable is then unset).
   * @default false
   */
  readonly optional?: boolean;
}

/**
 * An environment variable read from one key of a Secret or a ConfigMap (`valueFrom`). The value
 * never appears in code or in the manifests, only the object's name and the key.
 * @example EnvKeyRef.secret('catalog-db', 'password')
 */
export class EnvKeyRef {
  /** True for an EnvKeyRef from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, ENV_KEY_REF);
  }

  /** The value of `key` in Secret `secretName` (`valueFrom.secretKeyRef`). */
  public static secret(secretName: string, key: string, options: EnvKeyRefOptions = {}): EnvKeyRef {
    return new EnvKeyRef('secretKeyRef', keyRef('EnvKeyRef.secret', 'secretName', secretName, key, options));
  }

  /** The value of `key` in ConfigMap `configMapName` (`valueFrom.configMapKeyRef`). */
  public static configMap(configMapName: string, key: string, options: EnvKeyRefOptions = {}): EnvKeyRef {
    return new EnvKeyRef('configMapKeyRef', keyRef('EnvKeyRef.configMap', 'configMapName', configMapName, key, options));
  }

  private constructor(private readonly kind: 'secretKeyRef' | 'configMapKeyRef', private readonly ref: { name: string; key: string; optional?: boolean }) {
    brand(this, ENV_KEY_REF);
  }

  /** @internal The variable `name` read from this key. */
  public toIntent(name: string): EnvKeyRefIntent {
    return { name, [this.kind]: { ...this.ref } };
  }
}

function keyRef(where: string, property: string, name: string, key: string, o: EnvKeyRefOptions): { name: string; key: string; optional?: boolean } {
  check(where, property, name, dns1123Subdomain, nameHint(name, dns1123Subdomain, 'orders-config'), 'an object name');
  check(where, 'key', key, configMapKey, "e.g. 'DATABASE_URL' or 'app.yaml'");
  if (o.optional !== undefined && typeof o.optional !== 'boolean') fail(where, 'options.optional', o.optional, 'must be a boolean', BOOLEAN_HINT);
  return { name, key, ...(o.optional !== undefined ? { optional: o.optional } : {}) };
}

/** Checks a mount path (used by TracedService for each mount). */
export function checkMountPath(where: string, property: string, path: string): void {
  check(where, property, path, mountPathRule, "e.g. '/etc/orders'");
}

/**
 * A HorizontalPodAutoscaler (`autoscaling/v2`) for each version's Deployment. The Deployment then
 * has no `replicas` (the autoscaler owns it: re-applying the manifests never resets a scaled-out
 * version), and the version counts as running `minReplicas` pods (routes and the mesh report).
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
export interface AutoscalingOptions {
  /**
   * The fewest pods, at least 1.
   * @default 2
   */
  readonly minReplicas?: number;
  /** The most pods, at least `minReplicas`. */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilization, percent of the pods' CPU requests (sidecar included).
   * @default 80, unless only memoryUtilization is set
   */
  readonly cpuUtilization?: number;
  /**
   * Target average memory utilization, percent of the pods' memory requests.
   * @default - none
   */
  readonly memoryUtilization?: number;
}

/** Options of {@link DisruptionBudget.maxUnavailable} and {@link DisruptionBudget.minAvailable}. */
export interface DisruptionBudgetEvictionOptions {
  /**
   * Let evictions remove pods that are not ready anyway (`unhealthyPodEvictionPolicy: AlwaysAllow`),
   * so a crash-looping version does not block node drains.
   * @default true
   */
  readonly evictUnhealthyPods?: boolean;
}

/**
 * The bounds of a PodDisruptionBudget (`policy/v1`) per version with at least 2 pods (with an
 * autoscaler: at least 2 `minReplicas`); a version with fewer pods gets none, since a budget over one
 * pod either protects nothing or blocks every node drain. Set at most one of the bounds. The same
 * bounds as {@link DisruptionBudget.maxUnavailable} / {@link DisruptionBudget.minAvailable}.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export interface DisruptionBudgetOptions extends DisruptionBudgetEvictionOptions {
  /**
   * At most this many pods of a version may be evicted at once (node drains, upgrades).
   * @default 1 (unless minAvailable is set)
   */
  readonly maxUnavailable?: number;
  /**
   * At least this many pods of a version must stay available during evictions.
   * @default - not set (maxUnavailable is used)
   */
  readonly minAvailable?: number;
}

const DISRUPTION_BUDGET = Symbol.for('cdk8s-istio.DisruptionBudget');

/**
 * The PodDisruptionBudget (`policy/v1`) of each Deployment a TracedService writes with at least 2 pods
 * (autoscaled: `minReplicas` of at least 2). Without a setting every such Deployment gets
 * `DisruptionBudget.maxUnavailable(1)`: node drains and cluster upgrades evict its pods one at a
 * time. A count is checked here (at least 1) and against each version's pods where the service is
 * written (at most pods − 1).
 * @example DisruptionBudget.none() // opt out: evictions may take every pod of a version at once
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export class DisruptionBudget {
  /** True for a DisruptionBudget from any copy of this package. */
  public static [Symbol.hasInstance](x: unknown): boolean {
    return hasBrand(x, DISRUPTION_BUDGET);
  }

  /** At most `count` pods of a version evicted at once (the default is `maxUnavailable(1)`). */
  public static maxUnavailable(count: number, options: DisruptionBudgetEvictionOptions = {}): DisruptionBudget {
    return DisruptionBudget.bound('DisruptionBudget.maxUnavailable', 'maxUnavailable', count, options);
  }

  /** At least `count` pods of a version kept available during evictions. */
  public static minAvailable(count: number, options: DisruptionBudgetEvictionOptions = {}): DisruptionBudget {
    return DisruptionBudget.bound('DisruptionBudget.minAvailable', 'minAvailable', count, options);
  }

  /**
   * No PodDisruptionBudget: node drains and cluster upgrades may evict every pod of a version at once.
   * For workloads whose availability another mechanism guards (or that can be down), named so the
   * choice is visible in code.
   */
  public static none(): DisruptionBudget {
    return new DisruptionBudget(undefined);
  }

  private static bound(where: string, field: 'maxUnavailable' | 'minAvailable', count: number, o: DisruptionBudgetEvictionOptions): DisruptionBudget {
    check(where, 'count', count, (v) => disruptionCount(field, v), `e.g. DisruptionBudget.${field}(1)`);
    if (o.evictUnhealthyPods !== undefined && typeof o.evictUnhealthyPods !== 'boolean') fail(where, 'options.evictUnhealthyPods', o.evictUnhealthyPods, 'must be a boolean', BOOLEAN_HINT);
    return new DisruptionBudget({ [field]: count, ...(o.evictUnhealthyPods !== undefined ? { evictUnhealthyPods: o.evictUnhealthyPods } : {}) });
  }

  private constructor(private readonly _options: DisruptionBudgetOptions | undefined) {
    brand(this, DISRUPTION_BUDGET);
  }

  /** @internal The bounds, or undefined for {@link DisruptionBudget.none}. */
  public toOptions(): DisruptionBudgetOptions | undefined {
    return this._options === undefined ? undefined : { ...this._options };
  }
}

/**
 * Spreading of each version's pods across zones (`topologySpreadConstraints` on
 * `topology.kubernetes.io/zone`, selecting the version's own pods).
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 */
export interface TopologySpreadOptions {
  /**
   * The most the pod count of two zones may differ, at least 1.
   * @default 1
   */
  readonly maxSkew?: number;
  /**
   * `DoNotSchedule` keeps pods pending rather than skew more; `ScheduleAnyway` only prefers spreading.
   * @default 'ScheduleAnyway'
   */
  readonly whenUnsatisfiable?: 'DoNotSchedule' | 'ScheduleAnyway';
}

/** A volume and where the service's container mounts it. */
export interface VolumeMountOptions {
  /** The volume. */
  readonly volume: Volume;
  /** The absolute path in the container. */
  readonly mountPath: string;
  /**
   * Mount it read-only. ConfigMap and Secret volumes are always read-only (the kubelet mounts them
   * so), so `false` is refused for them.
   * @default - true for ConfigMap and Secret volumes, false for an emptyDir
   */
  readonly readOnly?: boolean;
}

/**
 * The workload settings one version of a service may set for itself, overriding the service's (the
 * workload part of a TracedService's `ServiceVersion`).
 */
export interface VersionWorkloadOptions {
  /**
   * This version's container command (entrypoint).
   * @default - the service's `command`
   */
  readonly command?: string[];
  /**
   * This version's container args.
   * @default - the service's `args`
   */
  readonly args?: string[];
  /**
   * This version's autoscaler, or `false` for a fixed `replicas` count while other versions scale.
   * @default - the service's `autoscaling`
   */
  readonly autoscaling?: AutoscalingOptions | false;
  /**
   * This version's liveness probe (e.g. a new health endpoint).
   * @default - the service's `livenessProbe`
   */
  readonly livenessProbe?: Probe;
  /**
   * This version's startup probe.
   * @default - the service's `startupProbe`
   */
  readonly startupProbe?: Probe;
}

/**
 * The workload settings of a service's pods, beyond ports, resources and identity: probes, volumes,
 * variables from Secret/ConfigMap keys, command/args, autoscaling, disruption budgets and zone
 * spread. `TracedServiceProps` extends it; a team's own service construct can take (and pass on) the
 * same options. Each setting is checked where it is written (docs/workloads.md).
 */
export interface WorkloadOptions {
  /**
   * The liveness probe: the kubelet restarts the container when it fails.
   * @example Probe.httpGet('/healthz', { period: Duration.seconds(10) })
   * @default - none
   */
  readonly livenessProbe?: Probe;
  /**
   * The startup probe: liveness and readiness wait until it succeeds (for slow starts).
   * @default - none
   */
  readonly startupProbe?: Probe;
  /**
   * Volumes the container mounts: ConfigMaps, Secrets, emptyDirs (types Pod Security "restricted" allows).
   * @example [{ volume: Volume.fromSecret('tls', 'catalog-tls'), mountPath: '/etc/tls' }]
   * @default - none
   */
  readonly volumes?: VolumeMountOptions[];
  /**
   * Environment variables read from Secret or ConfigMap keys (`valueFrom`), by variable name. The
   * values stay in the cluster.
   * @example { DB_PASSWORD: EnvKeyRef.secret('catalog-db', 'password') }
   * @default - none
   */
  readonly envFromKeys?: { readonly [name: string]: EnvKeyRef };
  /**
   * The container command (entrypoint) of every version.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * The container args of every version.
   * @default - the image's cmd
   */
  readonly args?: string[];
  /**
   * A HorizontalPodAutoscaler per version. The Deployments then leave `replicas` to it, and
   * `replicas` may not be set for an autoscaled version.
   * @default - none: fixed `replicas`
   */
  readonly autoscaling?: AutoscalingOptions;
  /**
   * The PodDisruptionBudget of each version with at least 2 pods (autoscaled: `minReplicas` ≥ 2),
   * selecting exactly that version's pods (with Flagger: its primary's). `DisruptionBudget.none()`
   * opts out; the bounds (`DisruptionBudget.maxUnavailable(n)`, or `{ maxUnavailable?, minAvailable?,
   * evictUnhealthyPods? }`, where `{}` is `maxUnavailable: 1`) must fit every such version.
   * @example DisruptionBudget.none()
   * @default DisruptionBudget.maxUnavailable(1) for each version with at least 2 pods
   */
  readonly disruptionBudget?: DisruptionBudget | DisruptionBudgetOptions;
  /**
   * Spread each version's pods across zones (`topology.kubernetes.io/zone`).
   * @default - no spread constraint
   */
  readonly topologySpread?: TopologySpreadOptions;
}

/** What {@link workloadParts} reads: the workload options and the versions with their replicas. */
export interface WorkloadPartsProps extends WorkloadOptions {
  readonly replicas?: number;
  readonly versions: readonly (VersionWorkloadOptions & { readonly name: string; readonly replicas?: number })[];
}

/**
 * The workload parts of a TracedService's props, checked: the versions with their autoscaler,
 * disruption budget and command (replicas of an autoscaled version become its `minReplicas`), and
 * the probes, volumes, key-sourced env and topology spread of the pods. `taken`: env names set
 * otherwise (literal and fixed), which a key-sourced variable may not reuse.
 */
export function workloadParts(where: string, props: WorkloadPartsProps, versions: readonly VersionIntent[], taken: ReadonlySet<string>): {
  versions: VersionIntent[];
  workload: Pick<WorkloadIntent, 'livenessProbe' | 'startupProbe' | 'volumes' | 'envKeyRefs' | 'topologySpread'>;
} {
  const serviceCommand = commandList(where, 'props.command', props.command);
  const serviceArgs = commandList(where, 'props.args', props.args, true);
  const serviceScaling = props.autoscaling !== undefined ? autoscaling(where, 'props.autoscaling', props.autoscaling) : undefined;
  const scaled = props.versions.map((v) => (v.autoscaling === false ? undefined : v.autoscaling !== undefined ? autoscaling(where, `props.versions.${v.name}.autoscaling`, v.autoscaling) : serviceScaling));
  props.versions.forEach((v, i) => {
    if (scaled[i] && v.replicas !== undefined) {
      fail(where, `props.versions[${i}].replicas`, v.replicas, 'an autoscaled version\'s replicas belong to its HorizontalPodAutoscaler (a fixed count in the Deployment would fight it on every apply)', `set autoscaling.minReplicas instead, or autoscaling: false on this version`);
    }
  });
  if (props.replicas !== undefined && scaled.every((s) => s !== undefined)) {
    fail(where, 'props.replicas', props.replicas, 'every version is autoscaled, so a fixed replica count would never apply', 'set autoscaling.minReplicas instead');
  }
  // Explicit bounds must fit some version; the default budget goes to every version with 2 or more pods.
  const explicitBudget = props.disruptionBudget !== undefined && !(props.disruptionBudget instanceof DisruptionBudget && props.disruptionBudget.toOptions() === undefined);
  const budgetOptions = budgetChoice(where, props.disruptionBudget);
  const out = versions.map((v, i) => {
    const spec = props.versions[i];
    const command = spec.command !== undefined ? commandList(where, `props.versions[${i}].command`, spec.command) : serviceCommand;
    const args = spec.args !== undefined ? commandList(where, `props.versions[${i}].args`, spec.args, true) : serviceArgs;
    const hpa = scaled[i];
    const replicas = hpa ? hpa.minReplicas : v.replicas;
    const budget = budgetOptions && replicas >= 2 ? disruptionBudget(where, budgetOptions, replicas, v.name) : undefined;
    const liveness = spec.livenessProbe !== undefined ? probe(where, `props.versions[${i}].livenessProbe`, 'liveness', spec.livenessProbe) : undefined;
    const startup = spec.startupProbe !== undefined ? probe(where, `props.versions[${i}].startupProbe`, 'startup', spec.startupProbe) : undefined;
    return {
      ...v,
      replicas,
      ...(liveness ? { livenessProbe: liveness } : {}),
      ...(startup ? { startupProbe: startup } : {}),
      ...(command ? { command } : {}),
      ...(args ? { args } : {}),
      ...(hpa ? { autoscaling: hpa } : {}),
      ...(budget ? { disruptionBudget: budget } : {}),
    };
  });
  if (explicitBudget && out.every((v) => v.disruptionBudget === undefined)) {
    fail(where, 'props.disruptionBudget', props.disruptionBudget, 'no version runs at least 2 pods, so no budget would be written (one pod is either unprotected or blocks every node drain)', 'run 2 or more replicas (or autoscaling.minReplicas), or drop disruptionBudget');
  }
  return {
    versions: out,
    workload: {
      ...(props.livenessProbe !== undefined ? { livenessProbe: probe(where, 'props.livenessProbe', 'liveness', props.livenessProbe) } : {}),
      ...(props.startupProbe !== undefined ? { startupProbe: probe(where, 'props.startupProbe', 'startup', props.startupProbe) } : {}),
      ...(props.volumes !== undefined ? { volumes: volumes(where, props.volumes) } : {}),
      ...(props.envFromKeys !== undefined ? { envKeyRefs: envKeyRefs(where, props.envFromKeys, taken) } : {}),
      ...(props.topologySpread !== undefined ? { topologySpread: topologySpread(where, props.topologySpread) } : {}),
    },
  };
}

function commandList(where: string, property: string, list: readonly string[] | undefined, emptyItemsAllowed = false): string[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.length === 0 || list.some((c) => typeof c !== 'string') || (!emptyItemsAllowed && list[0] === '')) {
    fail(where, property, list, `must be a non-empty list of strings${emptyItemsAllowed ? '' : ' with a non-empty program'} (an empty list would silently mean the image's default)`, 'omit it to keep the image\'s entrypoint');
  }
  return [...list];
}

function autoscaling(where: string, property: string, o: AutoscalingOptions): AutoscalingIntent {
  if (typeof o !== 'object' || o === null) fail(where, property, o, 'must be an object with maxReplicas', 'e.g. { maxReplicas: 5 }');
  const min = o.minReplicas ?? 2;
  const [bad] = autoscalingReplicas(min, o.maxReplicas);
  if (bad) fail(where, `${property}.${bad.property}`, bad.property === 'minReplicas' ? min : o.maxReplicas, bad.rule, `e.g. minReplicas: 2, maxReplicas: ${Math.max(5, Number.isInteger(min) ? min : 0)}`);
  for (const k of ['cpuUtilization', 'memoryUtilization'] as const) {
    if (o[k] !== undefined) check(where, `${property}.${k}`, o[k], utilizationTarget, `e.g. ${k}: 80`);
  }
  const cpu = o.cpuUtilization ?? (o.memoryUtilization === undefined ? 80 : undefined);
  return { minReplicas: min, maxReplicas: o.maxReplicas, ...(cpu !== undefined ? { cpuUtilization: cpu } : {}), ...(o.memoryUtilization !== undefined ? { memoryUtilization: o.memoryUtilization } : {}) };
}

/** The bounds a service's `disruptionBudget` asks for: the default `maxUnavailable: 1`, or none for `DisruptionBudget.none()`. */
function budgetChoice(where: string, b: DisruptionBudget | DisruptionBudgetOptions | undefined): DisruptionBudgetOptions | undefined {
  if (b === undefined) return {};
  if (b instanceof DisruptionBudget) return b.toOptions();
  if (typeof b !== 'object' || b === null) fail(where, 'props.disruptionBudget', b, 'must be a DisruptionBudget or { maxUnavailable?, minAvailable?, evictUnhealthyPods? }', 'e.g. DisruptionBudget.maxUnavailable(1), or DisruptionBudget.none() to opt out');
  return b;
}

/**
 * The budget of `pods` pods of one Deployment (an ingress gateway's): `maxUnavailable: 1` by default,
 * none for `DisruptionBudget.none()` or fewer than 2 pods. `property` names the setting in errors.
 */
export function podsDisruptionBudget(where: string, property: string, b: DisruptionBudget | undefined, pods: number): DisruptionBudgetIntent | undefined {
  if (b !== undefined && !(b instanceof DisruptionBudget)) fail(where, property, b, 'must be a DisruptionBudget', 'e.g. DisruptionBudget.maxUnavailable(1), or DisruptionBudget.none() to opt out');
  const o = b === undefined ? {} : b.toOptions();
  if (o === undefined) return undefined;
  if (pods < 2) {
    if (b !== undefined) fail(where, property, b.toOptions(), `${pods} pod cannot have a disruption budget (one pod is either unprotected or blocks every node drain)`, 'run 2 or more replicas, or drop the budget');
    return undefined;
  }
  return disruptionBudget(where, o, pods, undefined, property);
}

function disruptionBudget(where: string, o: DisruptionBudgetOptions, replicas: number, version: string | undefined, property = 'props.disruptionBudget'): DisruptionBudgetIntent {
  if (o.maxUnavailable !== undefined && o.minAvailable !== undefined) {
    fail(where, property, o, 'set maxUnavailable or minAvailable, not both (the API server rejects both)', 'keep one of the two, e.g. DisruptionBudget.maxUnavailable(1)');
  }
  if (o.evictUnhealthyPods !== undefined && typeof o.evictUnhealthyPods !== 'boolean') fail(where, `${property}.evictUnhealthyPods`, o.evictUnhealthyPods, 'must be a boolean', BOOLEAN_HINT);
  const field = o.minAvailable !== undefined ? 'minAvailable' : 'maxUnavailable';
  const value = o.minAvailable ?? o.maxUnavailable ?? 1;
  const bad = disruptionBound(field, value, replicas);
  if (bad) fail(where, `${property}.${field}`, value, version !== undefined ? `${bad} (version ${version})` : bad, 'e.g. DisruptionBudget.maxUnavailable(1), or run more replicas');
  return { [field]: value, unhealthyPodEvictionPolicy: o.evictUnhealthyPods === false ? 'IfHealthyBudget' : 'AlwaysAllow' };
}

function probe(where: string, property: string, kind: ProbeKind, p: Probe): ProbeIntent {
  if (!(p instanceof Probe)) fail(where, property, p, 'must be a Probe', "e.g. Probe.httpGet('/healthz')");
  const intent = p.toIntent();
  check(where, `${property}.successThreshold`, intent.successThreshold ?? 1, (v) => probeSuccessThreshold(kind, v), 'drop successThreshold (it must stay 1 except on a readiness probe)');
  return intent;
}

function volumes(where: string, list: readonly VolumeMountOptions[]): VolumeIntent[] {
  if (!Array.isArray(list)) fail(where, 'props.volumes', list, 'must be a list of { volume, mountPath }', "e.g. volumes: [{ volume: Volume.fromConfigMap('config', 'orders-config'), mountPath: '/etc/orders' }]");
  const names = new Set<string>();
  const paths = new Set<string>();
  return list.map((m, i) => {
    const p = `props.volumes[${i}]`;
    if (!(m?.volume instanceof Volume)) fail(where, `${p}.volume`, m?.volume, 'must be a Volume', "e.g. Volume.emptyDir('tmp')");
    checkMountPath(where, `${p}.mountPath`, m.mountPath);
    if (names.has(m.volume.name)) fail(where, `${p}.volume`, m.volume.name, 'volume names must be unique in a pod', 'give each volume its own name');
    if (paths.has(m.mountPath)) fail(where, `${p}.mountPath`, m.mountPath, 'mount paths must be unique in a container (the API server rejects a second mount at the same path)', 'mount each volume at its own path');
    names.add(m.volume.name);
    paths.add(m.mountPath);
    if (m.readOnly !== undefined && typeof m.readOnly !== 'boolean') fail(where, `${p}.readOnly`, m.readOnly, 'must be a boolean', BOOLEAN_HINT);
    if (m.readOnly === false && m.volume.alwaysReadOnly) {
      fail(where, `${p}.readOnly`, false, 'ConfigMap and Secret volumes are always mounted read-only by the kubelet, so a writable mount would not be', 'use an emptyDir for files the container writes');
    }
    return m.volume.toIntent(m.mountPath, m.readOnly ?? m.volume.alwaysReadOnly);
  });
}

function envKeyRefs(where: string, refs: { readonly [name: string]: EnvKeyRef }, taken: ReadonlySet<string>): EnvKeyRefIntent[] {
  if (typeof refs !== 'object' || refs === null) fail(where, 'props.envFromKeys', refs, 'must be an object of variable name → EnvKeyRef', "e.g. envFromKeys: { DATABASE_URL: EnvKeyRef.secret('orders-db', 'url') }");
  return Object.keys(refs).sort().map((name) => {
    check(where, 'props.envFromKeys', name, envVarName, "e.g. 'DATABASE_URL'");
    if (taken.has(name)) fail(where, 'props.envFromKeys', name, `${name} is already set (by env or by TracedService itself)`, 'set each variable once');
    const ref = refs[name];
    if (!(ref instanceof EnvKeyRef)) fail(where, `props.envFromKeys.${name}`, ref, 'must be an EnvKeyRef', "e.g. EnvKeyRef.secret('db', 'password')");
    return ref.toIntent(name);
  });
}

function topologySpread(where: string, o: TopologySpreadOptions): TopologySpreadIntent {
  const maxSkew = o.maxSkew ?? 1;
  if (!Number.isInteger(maxSkew) || maxSkew < 1 || maxSkew > INT32_MAX) fail(where, 'props.topologySpread.maxSkew', maxSkew, 'maxSkew must be an integer of at least 1', 'e.g. maxSkew: 1 (the default)');
  const when = o.whenUnsatisfiable ?? 'ScheduleAnyway';
  if (when !== 'DoNotSchedule' && when !== 'ScheduleAnyway') fail(where, 'props.topologySpread.whenUnsatisfiable', when, 'must be DoNotSchedule or ScheduleAnyway', "e.g. whenUnsatisfiable: 'DoNotSchedule', or leave it out for 'ScheduleAnyway'");
  return { maxSkew, whenUnsatisfiable: when };
}
