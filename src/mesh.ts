import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as telemetry from '../imports/telemetry.istio.io';
import { fail, validationMessage } from './private/errors';
import { renderedObject } from './private/rendered-object';
import { dns1123Label, dns1123Subdomain } from './rules/names';
import { checkTelemetryProviders, isTelemetry } from './validation/mesh-config';
import { CustomTag } from './values/custom-tag';
import { DataPlaneMode, RoutingApi } from './values/data-plane';
import { ExtensionProvider } from './values/extension-provider';
import { outputDirOf } from './private/output-dir';

/** Mesh-wide tracing: one Telemetry resource in the root namespace. */
export interface MeshTracingOptions {
  /**
   * The tracing provider. It is added to the mesh's extension providers if not already there.
   * @see https://istio.io/latest/docs/reference/config/telemetry/#Tracing
   */
  readonly provider: ExtensionProvider;
  /**
   * Percentage of requests sampled, 0..100. Keep production at 1-10%: 100% tracing is the article's
   * pitfall 4 (storage explosion).
   * @default 1 (Istio's default)
   */
  readonly samplingPercentage?: number;
  /**
   * Tags added to every span, by tag name.
   * @example { user_id: CustomTag.header('x-user-id') }
   * @default - none
   */
  readonly customTags?: { readonly [tag: string]: CustomTag };
  /**
   * Name of the Telemetry resource.
   * @default 'mesh-default'
   */
  readonly resourceName?: string;
}

/** Properties of a {@link Mesh}. */
export interface MeshProps {
  /**
   * The mesh root namespace: policies here apply mesh-wide.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The trust domain in workload principals (`<trust-domain>/ns/<ns>/sa/<sa>`).
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * Sidecar or ambient data plane. Only the rendering changes, never the constructs.
   * @default DataPlaneMode.SIDECAR
   */
  readonly dataPlane?: DataPlaneMode;
  /**
   * Istio's routing API (VirtualService/DestinationRule) or Kubernetes Gateway API (HTTPRoute).
   * @default RoutingApi.ISTIO
   */
  readonly routingApi?: RoutingApi;
  /**
   * Extension providers declared in mesh config (rendered by {@link ControlPlane}).
   * @default - none, plus the tracing provider
   */
  readonly extensionProviders?: ExtensionProvider[];
  /**
   * Mesh-wide tracing.
   * @default - no mesh-wide tracing Telemetry
   */
  readonly tracing?: MeshTracingOptions;
}

/** Anything registered with a mesh: namespaces, services, policies. */
export interface IMeshMember extends IConstruct {
  /** The mesh this member belongs to. */
  readonly mesh: Mesh;
}

const MESH_SYMBOL = Symbol.for('cdk8s-istio.Mesh');

/** Members (namespaces, services, policies) at which a mesh asks its MeshApp to start validating early. */
const PREWARM_VALIDATION_AT = 100;

/**
 * The mesh: settings every other construct reads (root namespace, trust domain, data plane, routing
 * API, mesh config providers) and the registry of its namespaces and services. It renders the
 * mesh-wide tracing Telemetry (`telemetry.istio.io/v1`) in the root namespace.
 *
 * @example
 * const mesh = new Mesh(chart, 'Mesh', {
 *   tracing: { provider: ExtensionProvider.openTelemetry({ name: 'otel', service: 'otel-collector.observability.svc.cluster.local' }), samplingPercentage: 10 },
 * });
 */
export class Mesh extends Construct {
  /** Whether `x` is a Mesh (works across copies of this package). */
  public static isMesh(x: unknown): x is Mesh {
    return typeof x === 'object' && x !== null && MESH_SYMBOL in x;
  }

  /** The root namespace. */
  public readonly rootNamespace: string;
  /** The trust domain. */
  public readonly trustDomain: string;
  /** The data plane mode. */
  public readonly dataPlane: DataPlaneMode;
  /** The routing API. */
  public readonly routingApi: RoutingApi;
  /** The mesh-wide tracing Telemetry, when tracing is configured. */
  public readonly telemetry?: ApiObject;

  private readonly _providers: ExtensionProvider[] = [];
  private readonly _members: IMeshMember[] = [];
  private _memberCache = new WeakMap<Function, IMeshMember[]>();
  private readonly _tracing?: MeshTracingOptions;

  constructor(scope: Construct, id: string, props: MeshProps = {}) {
    super(scope, id);
    Object.defineProperty(this, MESH_SYMBOL, { value: true });
    this.rootNamespace = props.rootNamespace ?? 'istio-system';
    this.trustDomain = props.trustDomain ?? 'cluster.local';
    this.dataPlane = props.dataPlane ?? DataPlaneMode.SIDECAR;
    this.routingApi = props.routingApi ?? RoutingApi.ISTIO;
    const badNs = dns1123Label(this.rootNamespace);
    if (badNs) fail(this, 'props.rootNamespace', this.rootNamespace, badNs);
    const badTd = dns1123Subdomain(this.trustDomain);
    if (badTd) fail(this, 'props.trustDomain', this.trustDomain, `a trust domain ${badTd}`);

    for (const p of props.extensionProviders ?? []) this.addExtensionProvider(p);

    if (props.tracing) {
      this._tracing = props.tracing;
      const t = props.tracing;
      const pct = t.samplingPercentage ?? 1;
      if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > 100) {
        fail(this, 'props.tracing.samplingPercentage', pct, 'a sampling percentage must be within 0..100', 'keep production sampling at 1-10');
      }
      for (const [tag, value] of Object.entries(t.customTags ?? {})) {
        if (tag.length === 0) fail(this, 'props.tracing.customTags', tag, 'a custom tag name must be non-empty');
        if (!(value instanceof CustomTag)) fail(this, `props.tracing.customTags.${tag}`, value, 'must be a CustomTag (CustomTag.header/literal/environment)');
      }
      const resourceName = t.resourceName ?? 'mesh-default';
      const badName = dns1123Subdomain(resourceName);
      if (badName) fail(this, 'props.tracing.resourceName', resourceName, badName);
      if (!this._providers.some((p) => p.name === t.provider.name)) this.addExtensionProvider(t.provider);
      this.telemetry = renderedObject(this, 'Telemetry', telemetry.Telemetry.GVK, { name: resourceName, namespace: this.rootNamespace }, () => this.renderTracing(pct));
    }

    this.node.addValidation({
      validate: () => {
        const errors: string[] = [];
        const names = new Set<string>();
        for (const p of this._providers) {
          if (names.has(p.name)) errors.push(validationMessage('extensionProviders', p.name, 'extension provider names must be unique'));
          names.add(p.name);
        }
        return errors;
      },
    });
    this.node.addValidation({ validate: () => this.checkTelemetryProviders() });
  }

  /** Declares a mesh-config extension provider. */
  public addExtensionProvider(provider: ExtensionProvider): void {
    if (this._providers.some((p) => p.name === provider.name)) {
      fail(this, 'extensionProviders', provider.name, 'extension provider names must be unique');
    }
    this._providers.push(provider);
  }

  /** The declared extension providers, in declaration order. */
  public get extensionProviders(): readonly ExtensionProvider[] {
    return [...this._providers];
  }

  /** The tracing options, when mesh-wide tracing is configured. */
  public get tracing(): MeshTracingOptions | undefined {
    return this._tracing;
  }

  /** Whether the data plane is ambient. */
  public get isAmbient(): boolean {
    return this.dataPlane === DataPlaneMode.AMBIENT;
  }

  /** Registers a member (called by MeshNamespace, TracedService and policies). @internal */
  public _register(member: IMeshMember): void {
    this._memberCache = new WeakMap();
    this._members.push(member);
    // A large mesh: let a MeshApp start its validation worker now, while constructs are still built.
    if (this._members.length === PREWARM_VALIDATION_AT) {
      const root = this.node.root as { _prewarmValidation?: () => void };
      if (typeof root._prewarmValidation === 'function') root._prewarmValidation();
    }
  }

  /** Members of the given kind, in registration order. */
  public membersOf<T extends IMeshMember>(guard: (m: IMeshMember) => m is T): T[] {
    // Validations ask this once per service; caching per guard keeps synth linear in the service count.
    let hit = this._memberCache.get(guard) as T[] | undefined;
    if (!hit) {
      hit = this._members.filter(guard);
      this._memberCache.set(guard, hit);
    }
    return [...hit];
  }

  /**
   * The Telemetry→provider cross-check, over every Telemetry in the app written to the same output
   * folder as this mesh. Telemetry this mesh owns is checked against its extension providers. Raw
   * `telemetry.Telemetry` escape hatches (owned by no mesh) are checked against the providers of
   * every mesh in the folder, and reported once, by the first of those meshes.
   */
  private checkTelemetryProviders(): string[] {
    const dir = outputDirOf(this);
    const all = this.node.root.node.findAll();
    const meshes = all.filter((c): c is Mesh => Mesh.isMesh(c) && outputDirOf(c) === dir);
    const own: ApiObject[] = [];
    const raw: ApiObject[] = [];
    for (const c of all) {
      if (!(c instanceof ApiObject) || !isTelemetry(c) || outputDirOf(c) !== dir) continue;
      const owner = c.node.scopes.slice().reverse().find((s) => Mesh.isMesh(s));
      if (owner === this) own.push(c);
      else if (owner === undefined) raw.push(c);
    }
    const manifests = (objs: ApiObject[]) => objs.map((c) => ({ manifest: c.toJson(), path: c.node.path }));
    const errors = checkTelemetryProviders(manifests(own), this._providers.map((p) => p.name));
    if (meshes[0] === this && raw.length > 0) {
      const names = [...new Set(meshes.flatMap((m) => m._providers.map((p) => p.name)))];
      errors.push(...checkTelemetryProviders(manifests(raw), names));
    }
    return errors;
  }

  private renderTracing(pct: number): Record<string, unknown> {
    const t = this._tracing!;
    const tags = Object.keys(t.customTags ?? {}).sort();
    const tracing: Record<string, unknown> = {
      providers: [{ name: t.provider.name }],
      randomSamplingPercentage: pct,
    };
    if (tags.length > 0) {
      tracing.customTags = Object.fromEntries(tags.map((k) => [k, t.customTags![k]._render()]));
    }
    return { tracing: [tracing] };
  }
}

