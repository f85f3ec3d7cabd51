import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  MESH_OWNER,
  MeshIntentModel,
  MeshSettings,
} from './model';
import { fail, validationMessage } from './private/errors';
import { BOOLEAN_HINT, nameHint, namespaceHint } from './private/hints';
import { dns1123Label, dns1123Subdomain } from './rules/names';
import { outputDirOf } from './private/output-dir';
import { RenderedApiObject } from './private/rendered-object';
import { addSynthHook } from './private/synth-hooks';
import { MeshRenderer, RenderedObject, RenderResult, selectRenderer } from './render';
import { checkTelemetryProviders, isTelemetry } from './validation/mesh-config';
import { CustomTag } from './values/custom-tag';
import { DataPlaneMode, RoutingApi } from './values/data-plane';
import { ExtensionProvider } from './values/extension-provider';
import { addWarning } from './warnings';
import { installPlainAppValidation } from './plain-app';
import { orderChartsByNamespace } from './namespace-charts';
import type { ValidationOptions } from './validation';
import { addBrand, brandSymbol, hasBrand } from './private/brand';

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
   * Whether istiod runs with `ENABLE_LAYERED_WAYPOINT_AUTHORIZATION_POLICIES=true` (ambient only). Then a
   * waypoint also enforces, at L4, the namespace-wide and selector policies that apply to its own pod
   * (pilot/pkg/networking/core/listener_waypoint.go), so a namespace default deny would refuse every
   * connection to the waypoint: the mesh then renders, per namespace with a default deny, an ALLOW
   * policy for the waypoint's pod admitting the callers its services allow. It must match istiod's
   * setting: without it that policy selects a pod nothing enforces policies for.
   * @default false (Istio's default)
   */
  readonly layeredWaypointAuthorization?: boolean;
  /**
   * Whether the cluster's Istio install runs the istio-cni node agent (sidecar data plane): the
   * injector then adds an unprivileged `istio-validation` init container instead of `istio-init`
   * (NET_ADMIN, NET_RAW, root), so injected pods can meet Pod Security "baseline" and "restricted"
   * and a {@link MeshNamespace} may enforce them. A {@link ControlPlane} of this mesh installs it
   * (`components.cni.enabled`, Helm `pilot.cni.enabled`) and must agree; a cluster installed
   * elsewhere must really run it. Ambient always runs istio-cni.
   * @default false (sidecar: Istio's default, istio-init); true for ambient
   */
  readonly istioCni?: boolean;
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
  /**
   * Validation under a plain cdk8s `App`: `app.synth()` validates every chart's objects first and
   * writes nothing on an error, as {@link MeshApp} does (a MeshApp has its own `validation` option).
   * `false` turns it off, and synth says so once; options configure the checks.
   * @default true
   */
  readonly validation?: boolean | ValidationOptions;
}

/** Anything registered with a mesh: namespaces, services, policies. */
export interface IMeshMember extends IConstruct {
  /** The mesh this member belongs to. */
  readonly mesh: Mesh;
}

/**
 * Creates the object for a rendered manifest under an owner, when the owner needs something other
 * than a plain rendered ApiObject (e.g. a namespace's waypoint is a {@link Waypoint} construct).
 * Returns undefined to get the default.
 */
export type RenderedObjectFactory = (id: string, manifest: RenderedObject['manifest']) => ApiObject | undefined;

const MESH_SYMBOL = brandSymbol('Mesh');

/** Members (namespaces, services, policies) at which a mesh asks its MeshApp to start validating early. */
const PREWARM_VALIDATION_AT = 100;

interface OwnerEntry {
  readonly scope: IConstruct;
  readonly create?: RenderedObjectFactory;
}

/**
 * The mesh: its settings (root namespace, trust domain, data plane, routing API, mesh config
 * providers, tracing), its model ({@link Mesh.model}, the intent every construct of the mesh writes)
 * and the renderer its settings select ({@link Mesh.renderer}).
 *
 * Constructs never create the mesh's Kubernetes objects themselves: they write intent into the
 * model, and the mesh renders the model once, at synth. Each rendered object is an `ApiObject` under
 * the construct that owns its intent, with a stable id (the VirtualService of order-service is
 * `…/order-service/VirtualService`). An object is created when a public handle for it is first read
 * (`route.virtualService`, `service.deploymentOf('v1')`), or at synth for every object not created
 * yet; its content is read from the render pass at synth, so cdk8s JSON patches apply on top.
 * Once handed out, an object is kept: intent that would remove it is refused where it is written.
 *
 * @example
 * const mesh = new Mesh(chart, 'Mesh', {
 *   tracing: { provider: ExtensionProvider.openTelemetry({ name: 'otel', service: 'otel-collector.observability.svc.cluster.local' }), samplingPercentage: 10 },
 * });
 */
export class Mesh extends Construct {
  /** Whether `x` is a Mesh (works across copies of this package). */
  public static isMesh(x: unknown): x is Mesh {
    return hasBrand(x, MESH_SYMBOL);
  }

  /** `x instanceof Mesh`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is Mesh {
    return hasBrand(x, MESH_SYMBOL);
  }

  /** The root namespace. */
  public readonly rootNamespace: string;
  /** The trust domain. */
  public readonly trustDomain: string;
  /** The data plane mode. */
  public readonly dataPlane: DataPlaneMode;
  /** The routing API. */
  public readonly routingApi: RoutingApi;
  /**
   * The mesh model: everything the mesh's constructs declared, as plain data keyed by names and
   * identities. Constructs write intent through its methods; `mesh.model.snapshot()` (or
   * `JSON.stringify(mesh.model)`) reads it all. See docs/architecture.md.
   */
  public readonly model: MeshIntentModel;
  /**
   * The renderer the settings select (data plane × routing API; Flagger per progressive host). Its
   * `capabilities` and refusals are what constructs ask before writing mode-dependent intent.
   */
  public readonly renderer: MeshRenderer;

  private readonly _providers: ExtensionProvider[] = [];
  private readonly _members: IMeshMember[] = [];
  private _memberCache = new WeakMap<Function, IMeshMember[]>();
  private readonly _tracing?: MeshTracingOptions;
  private readonly _owners = new Map<string, OwnerEntry>();
  private readonly _objects = new Map<string, ApiObject>();
  private readonly _byOwner = new Map<string, Set<string>>();
  private readonly _noticed = new Set<string>();
  private _prepared?: { readonly version: number; readonly objects: number; readonly errors: readonly string[] };
  private _rendered?: { readonly version: number; readonly result: RenderResult; readonly byKey: Map<string, RenderedObject> };

  constructor(scope: Construct, id: string, props: MeshProps = {}) {
    super(scope, id);
    addBrand(this, MESH_SYMBOL);
    this.rootNamespace = props.rootNamespace ?? 'istio-system';
    this.trustDomain = props.trustDomain ?? 'cluster.local';
    this.dataPlane = props.dataPlane ?? DataPlaneMode.SIDECAR;
    this.routingApi = props.routingApi ?? RoutingApi.ISTIO;
    const badNs = dns1123Label(this.rootNamespace);
    if (badNs) fail(this, 'props.rootNamespace', this.rootNamespace, badNs, `${namespaceHint(this.rootNamespace, dns1123Label)}, or leave rootNamespace out for "istio-system"`);
    if (props.layeredWaypointAuthorization !== undefined && typeof props.layeredWaypointAuthorization !== 'boolean') {
      fail(this, 'props.layeredWaypointAuthorization', props.layeredWaypointAuthorization, 'must be a boolean', BOOLEAN_HINT);
    }
    if (props.layeredWaypointAuthorization && this.dataPlane !== DataPlaneMode.AMBIENT) {
      fail(this, 'props.layeredWaypointAuthorization', true, 'layered waypoint authorization is an ambient setting: a sidecar mesh has no waypoints',
        'set dataPlane: DataPlaneMode.AMBIENT, or drop layeredWaypointAuthorization');
    }
    if (props.istioCni !== undefined && typeof props.istioCni !== 'boolean') fail(this, 'props.istioCni', props.istioCni, 'must be a boolean', BOOLEAN_HINT);
    if (props.istioCni === false && this.dataPlane.value === DataPlaneMode.AMBIENT.value) {
      fail(this, 'props.istioCni', false, 'the ambient data plane needs the istio-cni node agent (it redirects pod traffic to ztunnel)', 'drop istioCni, or use DataPlaneMode.SIDECAR');
    }
    const badTd = dns1123Subdomain(this.trustDomain);
    if (badTd) fail(this, 'props.trustDomain', this.trustDomain, `a trust domain ${badTd}`, "e.g. 'cluster.local' (the default) or 'prod.example.com'");

    const providers: ExtensionProvider[] = [];
    for (const p of props.extensionProviders ?? []) {
      if (providers.some((x) => x.name === p.name)) fail(this, 'extensionProviders', p.name, 'extension provider names must be unique', 'give each extension provider its own name');
      providers.push(p);
    }
    let tracing: MeshSettings['tracing'];
    if (props.tracing) {
      this._tracing = props.tracing;
      const t = props.tracing;
      const pct = t.samplingPercentage ?? 1;
      if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > 100) {
        fail(this, 'props.tracing.samplingPercentage', pct, 'a sampling percentage must be within 0..100', 'keep production sampling at 1-10');
      }
      for (const [tag, value] of Object.entries(t.customTags ?? {})) {
        if (tag.length === 0) fail(this, 'props.tracing.customTags', tag, 'a custom tag name must be non-empty', "name the tag, e.g. { 'user-id': CustomTag.header('x-user-id') }");
        if (!(CustomTag.isCustomTag(value))) fail(this, `props.tracing.customTags.${tag}`, value, 'must be a CustomTag (CustomTag.header/literal/environment)', "e.g. CustomTag.header('x-user-id'), CustomTag.literal('prod') or CustomTag.environment('POD_NAME')");
      }
      const resourceName = t.resourceName ?? 'mesh-default';
      const badName = dns1123Subdomain(resourceName);
      if (badName) fail(this, 'props.tracing.resourceName', resourceName, badName, `${nameHint(resourceName, dns1123Subdomain, 'mesh-default')}, or leave resourceName out for "mesh-default"`);
      if (!providers.some((p) => p.name === t.provider.name)) providers.push(t.provider);
      tracing = {
        resourceName,
        provider: t.provider.toIntent(),
        samplingPercentage: pct,
        customTags: Object.fromEntries(Object.entries(t.customTags ?? {}).map(([k, v]) => [k, v.toIntent()])),
      };
    }
    this._providers.push(...providers);
    const settings: MeshSettings = {
      rootNamespace: this.rootNamespace,
      trustDomain: this.trustDomain,
      dataPlane: this.dataPlane.value === DataPlaneMode.AMBIENT.value ? 'ambient' : 'sidecar',
      routingApi: this.routingApi.value === RoutingApi.GATEWAY_API.value ? 'gateway-api' : 'istio',
      extensionProviders: providers.map((p) => p.toIntent()),
      ...(tracing ? { tracing } : {}),
      ...(props.layeredWaypointAuthorization ? { layeredWaypointAuthorization: true } : {}),
      ...(props.istioCni ? { istioCni: true } : {}),
    };
    this.renderer = selectRenderer(settings);
    this.model = new MeshIntentModel(settings, {
      policy: this.renderer,
      onChange: (owners, source) => this.keepHandedOut(owners, source),
    });
    this.registerOwner(MESH_OWNER, this);

    // The render step: under a plain cdk8s App from this validation (cdk8s validates before it
    // collects objects), under a MeshApp before it walks the tree. Idempotent.
    this.node.addValidation({ validate: () => this.prepareSynth() });
    addSynthHook(this.node.root, () => {
      this.prepareSynth();
    });
    // after the render step: a chart writing into a namespace another chart declares is applied after it
    addSynthHook(this.node.root, () => orderChartsByNamespace(this.node.root));
    this.node.addValidation({ validate: () => this.checkTelemetryProviders() });
    // Under a plain cdk8s App, app.synth() validates like MeshApp (validation is never silently off).
    installPlainAppValidation(this.node.root, { validation: props.validation ?? true, meshPath: this.node.path });
  }

  /** Declares a mesh-config extension provider. */
  public addExtensionProvider(provider: ExtensionProvider): void {
    if (this._providers.some((p) => p.name === provider.name)) {
      fail(this, 'extensionProviders', provider.name, 'extension provider names must be unique', 'give each extension provider its own name');
    }
    this.model.addExtensionProvider(provider.toIntent(), this.node.path);
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

  /** The mesh-wide tracing Telemetry, when tracing is configured (an escape hatch). */
  public get telemetry(): ApiObject | undefined {
    return this.objectOf(MESH_OWNER, 'Telemetry');
  }

  /** Whether the data plane is ambient. */
  public get isAmbient(): boolean {
    return this.dataPlane.value === DataPlaneMode.AMBIENT.value;
  }

  /**
   * Registers a construct as a member of the mesh, so that {@link membersOf} finds it (MeshNamespace,
   * TracedService and the policies call this in their constructors; a construct of another library
   * that other constructs should find by kind does the same).
   */
  public addMember(member: IMeshMember): void {
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

  // ---- rendering --------------------------------------------------------------------------------

  /**
   * Makes `scope` the owner of the rendered objects tagged with `owner` (an owner key, see
   * `serviceOwner`, `namespaceOwner`, `sourceOwner`): they are created as its children. A construct
   * that writes intent whose objects it should own registers itself before writing.
   */
  public registerOwner(owner: string, scope: IConstruct, create?: RenderedObjectFactory): void {
    const prior = this._owners.get(owner);
    if (prior && prior.scope !== scope) {
      fail(scope.node.path, 'owner', owner, `the objects of ${owner} are already owned by ${prior.scope.node.path}`, `give this construct another name, or declare ${owner} once and pass that construct where it is needed`);
    }
    this._owners.set(owner, { scope, ...(create ? { create } : {}) });
  }

  /**
   * The object the model renders for `owner` with construct id `id`, created now if it is not yet
   * (the escape hatch behind every handle, e.g. `service.deploymentOf('v1')`). Undefined when the
   * current intent renders no such object. Once returned, the object is kept: a later write that
   * would remove it is refused.
   */
  public objectOf(owner: string, id: string): ApiObject | undefined {
    const key = objectKey(owner, id);
    const existing = this._objects.get(key);
    if (existing) return existing;
    // A stale full render is not worth redoing for one handle: render only this owner's objects.
    const rendered = this._rendered?.version === this.model.version
      ? this._rendered.byKey.get(key)
      : this.renderer.renderOwner(this.model, owner).find((o) => o.id === id);
    return rendered ? this.materialize(rendered) : undefined;
  }

  /** The current render of the model (memoized until the model changes). */
  public render(): RenderResult {
    return this.rendered().result;
  }

  /**
   * The render step: renders the model, creates every rendered object not created yet under its
   * owner, brings labels and annotations of created ones up to date, and records the renderer's
   * notices as warnings. Returns problems (objects handed out but no longer rendered, two objects
   * with the same name). Idempotent; MeshApp and cdk8s validation both call it before synthesis.
   */
  public prepareSynth(): string[] {
    // Nothing changed since the last step (MeshApp runs it, then cdk8s validation asks again).
    if (this._prepared && this._prepared.version === this.model.version && this._prepared.objects === this._objects.size) return [...this._prepared.errors];
    const { result, byKey } = this.rendered();
    const errors: string[] = [];
    // Rendered objects bring their labels and annotations up to date when serialized (toJson).
    for (const o of result.objects) {
      if (!this._objects.has(objectKey(o.owner, o.id))) this.materialize(o);
    }
    for (const [key, obj] of this._objects) {
      if (!byKey.has(key)) {
        errors.push(validationMessage('model', key, `${obj.kind} ${obj.name} (${obj.node.path}) was created, but the current intent no longer renders it`, 'read handles after the intent that decides whether the object exists'));
      }
    }
    for (const n of result.notices) {
      const entry = this._owners.get(n.owner);
      const seen = `${n.owner}#${n.code}`;
      if (!entry || this._noticed.has(seen)) continue;
      this._noticed.add(seen);
      addWarning(entry.scope, n.code, n.message);
    }
    errors.push(...duplicateObjects(result.objects, (owner) => this._owners.get(owner)?.scope.node.path ?? owner));
    this._prepared = { version: this.model.version, objects: this._objects.size, errors };
    return [...errors];
  }

  private rendered(): { readonly result: RenderResult; readonly byKey: Map<string, RenderedObject> } {
    if (this._rendered?.version !== this.model.version) {
      const result = this.renderer.render(this.model);
      const byKey = new Map(result.objects.map((o) => [objectKey(o.owner, o.id), o]));
      this._rendered = { version: this.model.version, result, byKey };
    }
    return this._rendered;
  }

  private materialize(o: RenderedObject): ApiObject {
    const key = objectKey(o.owner, o.id);
    const entry = this._owners.get(o.owner);
    if (!entry) throw new Error(`[${this.node.path}] no construct owns the rendered objects of ${o.owner}; register it with mesh.registerOwner()`);
    const existing = entry.scope.node.tryFindChild(o.id);
    let obj: ApiObject;
    if (existing) {
      // created earlier under this id (e.g. a construct whose primary object this is)
      obj = ApiObject.of(existing);
    } else {
      obj = entry.create?.(o.id, o.manifest) ?? new RenderedApiObject(entry.scope as Construct, o.id, o.manifest, () => this.rendered().byKey.get(key)?.manifest);
    }
    this._objects.set(key, obj);
    const ids = this._byOwner.get(o.owner) ?? new Set<string>();
    ids.add(o.id);
    this._byOwner.set(o.owner, ids);
    return obj;
  }

  /**
   * Refuses a write that would remove an object already handed out: the model undoes it. Only
   * owners with created objects are rendered again, so this costs nothing until a handle is read.
   */
  private keepHandedOut(owners: readonly string[], source: string): void {
    for (const owner of owners) {
      const created = this._byOwner.get(owner);
      if (!created) continue;
      const ids = new Set(this.renderer.renderOwner(this.model, owner).map((o) => o.id));
      for (const id of created) {
        if (ids.has(id)) continue;
        const obj = this._objects.get(objectKey(owner, id))!;
        fail(source, 'intent', owner, `it would remove ${obj.kind} ${obj.name} (${obj.node.path}), which was already created (a handle was read, e.g. for an escape hatch) and is never removed`,
          'write this intent before reading handles of the objects it replaces, e.g. create a progressive CanaryRoute before reading service.deploymentOf()');
      }
    }
  }

  /**
   * The Telemetry→provider cross-check, over every Telemetry in the app written to the same output
   * folder as this mesh. Telemetry this mesh owns is checked against its extension providers. Raw
   * `telemetry.Telemetry` escape hatches (owned by no mesh) are checked against the providers of
   * every mesh in the folder, and reported once, by the first of those meshes. The validation layer
   * (CI3004) checks Telemetry against mesh config only when the mesh config is in the same set.
   */
  private checkTelemetryProviders(): string[] {
    const dir = outputDirOf(this);
    const all = this.node.root.node.findAll();
    const meshes = all.filter((c): c is Mesh => Mesh.isMesh(c) && outputDirOf(c) === dir);
    const own: ApiObject[] = [];
    const raw: ApiObject[] = [];
    for (const c of all) {
      if (!(ApiObject.isApiObject(c)) || !isTelemetry(c) || outputDirOf(c) !== dir) continue;
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
}


function objectKey(owner: string, id: string): string {
  return `${owner}#${id}`;
}

/** Two rendered objects of one kind, namespace and name: the second would overwrite the first. */
function duplicateObjects(objects: readonly RenderedObject[], pathOf: (owner: string) => string): string[] {
  const seen = new Map<string, RenderedObject>();
  const errors: string[] = [];
  for (const o of objects) {
    const m = o.manifest;
    const group = m.apiVersion.includes('/') ? m.apiVersion.slice(0, m.apiVersion.indexOf('/')) : '';
    const k = `${group}|${m.kind}|${m.metadata.namespace ?? ''}|${m.metadata.name}`;
    const first = seen.get(k);
    if (!first) {
      seen.set(k, o);
      continue;
    }
    const [mine, other] = o.role ? [o, first] : [first, o];
    errors.push(validationMessage(mine.id, m.metadata.name,
      `the ${mine.role ?? m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name} clashes with a ${m.kind} of ${pathOf(other.owner)}`, 'rename one of the services'));
  }
  return errors;
}
