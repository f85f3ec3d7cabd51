import { Duration } from 'cdk8s';
import { AutoscalingIntent, DisruptionBudgetIntent, EnvKeyRefIntent, ProbeIntent, TopologySpreadIntent, VersionIntent, VolumeIntent, WorkloadIntent } from '../model';
import { fail } from '../private/errors';
import { brand, hasBrand } from '../private/value-brand';
import { check } from '../rules/check';
import { dns1123Subdomain } from '../rules/names';
import { INT32_MAX } from '../rules/numbers';
import { port as portRule } from '../rules/ports';
import { quantity, quantityHint } from '../rules/quantity';
import { configMapKey, envVarName } from '../rules/workload';
import { autoscalingReplicas, disruptionBound, mountPath as mountPathRule, podVolumeName, probeField, ProbeKind, probeSuccessThreshold, utilizationTarget } from '../rules/workload-spec';

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
    if (options.scheme !== undefined && options.scheme !== 'HTTP' && options.scheme !== 'HTTPS') fail(where, 'options.scheme', options.scheme, 'must be HTTP or HTTPS');
    const port = probePort(where, options.port);
    return new Probe({ httpGet: { path, ...(port !== undefined ? { port } : {}), ...(options.scheme ? { scheme: options.scheme } : {}) }, ...timings(where, options) });
  }

  /** A gRPC health check (grpc.health.v1) on `port`. */
  public static grpc(options: GrpcProbeOptions = {}): Probe {
    const where = 'Probe.grpc';
    const port = probePort(where, options.port);
    if (options.service !== undefined && (typeof options.service !== 'string' || options.service.length === 0)) fail(where, 'options.service', options.service, 'a gRPC service name must be a non-empty string');
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
  if (port !== undefined) check(where, 'options.port', port, portRule);
  return port;
}

function timings(where: string, o: ProbeTimingOptions): Omit<ProbeIntent, 'httpGet' | 'grpc' | 'tcpSocket' | 'exec'> {
  const out: { -readonly [K in keyof ProbeIntent]?: ProbeIntent[K] } = {};
  for (const [option, field] of [['initialDelay', 'initialDelaySeconds'], ['period', 'periodSeconds'], ['timeout', 'timeoutSeconds']] as const) {
    const d = o[option];
    if (d === undefined) continue;
    if (!(d instanceof Duration)) fail(where, `options.${option}`, d, 'must be a Duration', 'e.g. Duration.seconds(10)');
    const s = d.toSeconds({ integral: false });
    if (!Number.isInteger(s)) fail(where, `options.${option}`, d.toHumanString(), 'a probe timing is whole seconds');
    check(where, `options.${option}`, s, (v) => probeField(field, v));
    out[field] = s;
  }
  for (const field of ['failureThreshold', 'successThreshold'] as const) {
    if (o[field] === undefined) continue;
    check(where, `options.${field}`, o[field], (v) => probeField(field, v));
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
    check(where, 'configMapName', configMapName, dns1123Subdomain, undefined, 'a ConfigMap name');
    return new Volume({ name, configMap: { name: configMapName, ...keyOptions(where, options) } });
  }

  /** The keys of Secret `secretName` as files. */
  public static fromSecret(name: string, secretName: string, options: KeyVolumeOptions = {}): Volume {
    const where = 'Volume.fromSecret';
    volumeName(where, name);
    check(where, 'secretName', secretName, dns1123Subdomain, undefined, 'a Secret name');
    return new Volume({ name, secret: { secretName, ...keyOptions(where, options) } });
  }

  /** An empty directory that lives as long as the pod (e.g. `/tmp` with a read-only root filesystem). */
  public static emptyDir(name: string, options: EmptyDirOptions = {}): Volume {
    const where = 'Volume.emptyDir';
    volumeName(where, name);
    if (options.memory !== undefined && typeof options.memory !== 'boolean') fail(where, 'options.memory', options.memory, 'must be a boolean');
    if (options.sizeLimit !== undefined) {
      const bad = quantity(options.sizeLimit);
      if (bad) fail(where, 'options.sizeLimit', options.sizeLimit, bad, quantityHint(options.sizeLimit));
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
  check(where, 'name', name, podVolumeName);
}

function keyOptions(where: string, o: KeyVolumeOptions): { optional?: boolean; items?: { key: string; path: string }[] } {
  const out: { optional?: boolean; items?: { key: string; path: string }[] } = {};
  if (o.optional !== undefined) {
    if (typeof o.optional !== 'boolean') fail(where, 'options.optional', o.optional, 'must be a boolean');
    out.optional = o.optional;
  }
  if (o.items !== undefined) {
    const keys = Object.keys(o.items).sort();
    if (keys.length === 0) fail(where, 'options.items', o.items, 'list at least one key, or omit items to project every key');
    const paths = new Set<string>();
    out.items = keys.map((key) => {
      check(where, 'options.items', key, configMapKey, undefined, 'a key');
      const path = o.items![key];
      if (typeof path !== 'string' || path === '' || path.startsWith('/') || path.split('/').includes('..')) {
        fail(where, `options.items.${key}`, path, "a file path must be relative, without '..' elements");
      }
      if (paths.has(path)) fail(where, `options.items.${key}`, path, 'two keys would write the same file');
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
  check(where, property, name, dns1123Subdomain, undefined, 'an object name');
  check(where, 'key', key, configMapKey);
  if (o.optional !== undefined && typeof o.optional !== 'boolean') fail(where, 'options.optional', o.optional, 'must be a boolean');
  return { name, key, ...(o.optional !== undefined ? { optional: o.optional } : {}) };
}

/** Checks a mount path (used by TracedService for each mount). */
export function checkMountPath(where: string, property: string, path: string): void {
  check(where, property, path, mountPathRule);
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

/**
 * A PodDisruptionBudget (`policy/v1`) per version with at least 2 pods (with an autoscaler: at least
 * 2 `minReplicas`); a version with fewer pods gets none, since a budget over one pod either protects
 * nothing or blocks every node drain. Set at most one of the bounds.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export interface DisruptionBudgetOptions {
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
  /**
   * Let evictions remove pods that are not ready anyway (`unhealthyPodEvictionPolicy: AlwaysAllow`),
   * so a crash-looping version does not block node drains.
   * @default true
   */
  readonly evictUnhealthyPods?: boolean;
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

/** The workload props {@link workloadParts} reads (a TracedService's). */
export interface WorkloadPartsProps {
  readonly replicas?: number;
  readonly versions: readonly {
    readonly name: string; readonly replicas?: number; readonly command?: string[]; readonly args?: string[]; readonly autoscaling?: AutoscalingOptions | false;
    readonly livenessProbe?: Probe; readonly startupProbe?: Probe;
  }[];
  readonly livenessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly volumes?: VolumeMountOptions[];
  readonly envFromKeys?: { readonly [name: string]: EnvKeyRef };
  readonly command?: string[];
  readonly args?: string[];
  readonly autoscaling?: AutoscalingOptions;
  readonly disruptionBudget?: DisruptionBudgetOptions;
  readonly topologySpread?: TopologySpreadOptions;
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
  const out = versions.map((v, i) => {
    const spec = props.versions[i];
    const command = spec.command !== undefined ? commandList(where, `props.versions[${i}].command`, spec.command) : serviceCommand;
    const args = spec.args !== undefined ? commandList(where, `props.versions[${i}].args`, spec.args, true) : serviceArgs;
    const hpa = scaled[i];
    const replicas = hpa ? hpa.minReplicas : v.replicas;
    const budget = props.disruptionBudget !== undefined && replicas >= 2 ? disruptionBudget(where, props.disruptionBudget, replicas, v.name) : undefined;
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
  if (props.disruptionBudget !== undefined && out.every((v) => v.disruptionBudget === undefined)) {
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
  if (typeof o !== 'object' || o === null) fail(where, property, o, 'must be an object with maxReplicas');
  const min = o.minReplicas ?? 2;
  const bad = autoscalingReplicas(min, o.maxReplicas);
  if (bad) fail(where, `${property}.${bad.property}`, bad.property === 'minReplicas' ? min : o.maxReplicas, bad.rule);
  for (const k of ['cpuUtilization', 'memoryUtilization'] as const) {
    if (o[k] !== undefined) check(where, `${property}.${k}`, o[k], utilizationTarget);
  }
  const cpu = o.cpuUtilization ?? (o.memoryUtilization === undefined ? 80 : undefined);
  return { minReplicas: min, maxReplicas: o.maxReplicas, ...(cpu !== undefined ? { cpuUtilization: cpu } : {}), ...(o.memoryUtilization !== undefined ? { memoryUtilization: o.memoryUtilization } : {}) };
}

function disruptionBudget(where: string, o: DisruptionBudgetOptions, replicas: number, version: string): DisruptionBudgetIntent {
  if (o.maxUnavailable !== undefined && o.minAvailable !== undefined) {
    fail(where, 'props.disruptionBudget', o, 'set maxUnavailable or minAvailable, not both (the API server rejects both)');
  }
  if (o.evictUnhealthyPods !== undefined && typeof o.evictUnhealthyPods !== 'boolean') fail(where, 'props.disruptionBudget.evictUnhealthyPods', o.evictUnhealthyPods, 'must be a boolean');
  const field = o.minAvailable !== undefined ? 'minAvailable' : 'maxUnavailable';
  const value = o.minAvailable ?? o.maxUnavailable ?? 1;
  const bad = disruptionBound(field, value, replicas);
  if (bad) fail(where, `props.disruptionBudget.${field}`, value, `${bad} (version ${version})`);
  return { [field]: value, unhealthyPodEvictionPolicy: o.evictUnhealthyPods === false ? 'IfHealthyBudget' : 'AlwaysAllow' };
}

function probe(where: string, property: string, kind: ProbeKind, p: Probe): ProbeIntent {
  if (!(p instanceof Probe)) fail(where, property, p, 'must be a Probe', "e.g. Probe.httpGet('/healthz')");
  const intent = p.toIntent();
  check(where, `${property}.successThreshold`, intent.successThreshold ?? 1, (v) => probeSuccessThreshold(kind, v));
  return intent;
}

function volumes(where: string, list: readonly VolumeMountOptions[]): VolumeIntent[] {
  if (!Array.isArray(list)) fail(where, 'props.volumes', list, 'must be a list of { volume, mountPath }');
  const names = new Set<string>();
  const paths = new Set<string>();
  return list.map((m, i) => {
    const p = `props.volumes[${i}]`;
    if (!(m?.volume instanceof Volume)) fail(where, `${p}.volume`, m?.volume, 'must be a Volume', "e.g. Volume.emptyDir('tmp')");
    checkMountPath(where, `${p}.mountPath`, m.mountPath);
    if (names.has(m.volume.name)) fail(where, `${p}.volume`, m.volume.name, 'volume names must be unique in a pod', 'give each volume its own name');
    if (paths.has(m.mountPath)) fail(where, `${p}.mountPath`, m.mountPath, 'mount paths must be unique in a container (the API server rejects a second mount at the same path)');
    names.add(m.volume.name);
    paths.add(m.mountPath);
    if (m.readOnly !== undefined && typeof m.readOnly !== 'boolean') fail(where, `${p}.readOnly`, m.readOnly, 'must be a boolean');
    if (m.readOnly === false && m.volume.alwaysReadOnly) {
      fail(where, `${p}.readOnly`, false, 'ConfigMap and Secret volumes are always mounted read-only by the kubelet, so a writable mount would not be', 'use an emptyDir for files the container writes');
    }
    return m.volume.toIntent(m.mountPath, m.readOnly ?? m.volume.alwaysReadOnly);
  });
}

function envKeyRefs(where: string, refs: { readonly [name: string]: EnvKeyRef }, taken: ReadonlySet<string>): EnvKeyRefIntent[] {
  if (typeof refs !== 'object' || refs === null) fail(where, 'props.envFromKeys', refs, 'must be an object of variable name → EnvKeyRef');
  return Object.keys(refs).sort().map((name) => {
    check(where, 'props.envFromKeys', name, envVarName);
    if (taken.has(name)) fail(where, 'props.envFromKeys', name, `${name} is already set (by env or by TracedService itself)`, 'set each variable once');
    const ref = refs[name];
    if (!(ref instanceof EnvKeyRef)) fail(where, `props.envFromKeys.${name}`, ref, 'must be an EnvKeyRef', "e.g. EnvKeyRef.secret('db', 'password')");
    return ref.toIntent(name);
  });
}

function topologySpread(where: string, o: TopologySpreadOptions): TopologySpreadIntent {
  const maxSkew = o.maxSkew ?? 1;
  if (!Number.isInteger(maxSkew) || maxSkew < 1 || maxSkew > INT32_MAX) fail(where, 'props.topologySpread.maxSkew', maxSkew, 'maxSkew must be an integer of at least 1');
  const when = o.whenUnsatisfiable ?? 'ScheduleAnyway';
  if (when !== 'DoNotSchedule' && when !== 'ScheduleAnyway') fail(where, 'props.topologySpread.whenUnsatisfiable', when, 'must be DoNotSchedule or ScheduleAnyway');
  return { maxSkew, whenUnsatisfiable: when };
}
