import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IMeshMember, Mesh } from './mesh';
import { namespaceOwner, serviceOwner } from './model';
import { fail, validationMessage } from './private/errors';
import { BOOLEAN_HINT, MESH_HINT, namespaceHint } from './private/hints';
import { dns1123Label } from './rules/names';
import { labelKey, labelValue } from './rules/labels';
import { POD_SECURITY_LABEL_PREFIX, podSecurityLevel, podSecurityVersion, podSecurityViolations } from './rules/pod-security';
import { meshMemberNamespace } from './rules/workload';
import { namespaceWaypoint, Waypoint } from './waypoint';
import { hasControlPlane, refusedWaypointNamespaces, WARN_WAYPOINT_POD_SECURITY } from './waypoint-pod-security';
import { addWarning } from './warnings';
import { addBrand, brandSymbol, hasBrand } from './private/brand';
import { AdoptedMeshNamespace, AdoptedNamespaceOptions, IMeshNamespace, waypointNameProblems } from './adopted-namespace';

/** Properties of a {@link MeshNamespace}. */
export interface MeshNamespaceProps {
  /** The mesh the namespace joins. */
  readonly mesh: Mesh;
  /**
   * The namespace name.
   * @default - the construct id in kebab case
   */
  readonly name?: string;
  /**
   * Extra labels. The mesh labels (`istio-injection` or `istio.io/dataplane-mode`) cannot be overridden here.
   * @default - none
   */
  readonly labels?: { readonly [key: string]: string };
  /**
   * Ambient mode only: whether the namespace may get a waypoint. The library creates one (Gateway
   * `waypoint`, and `istio.io/use-waypoint: waypoint` on the namespace) as soon as a service of the
   * namespace is routed, has a connection policy or an authorization rule: ztunnel enforces only L4,
   * and an L7 policy with a selector and no waypoint fails closed. With `false`, such intent is an
   * error, and authorization rules must be L4-only (they are then enforced by ztunnel with `selector`).
   * @default true
   */
  readonly waypoint?: boolean;
  /**
   * Pod Security Admission for the namespace (`pod-security.kubernetes.io/*` labels). Every pod the
   * library writes meets "restricted". With sidecars and without istio-cni, `enforce: baseline` or
   * `restricted` is refused: the injected `istio-init` container needs NET_ADMIN and NET_RAW, which
   * both levels forbid, so the API server would reject every pod (declare istio-cni with Mesh
   * `istioCni: true`, use `warn`/`audit`, or the ambient data plane).
   * In ambient mode, a namespace enforcing "restricted" that gets a waypoint needs the install to set
   * `values.gateways.seccompProfile: {type: RuntimeDefault}` (Istio's waypoint template sets no seccomp
   * profile otherwise): a {@link ControlPlane} of the mesh writes it; without one, synth warns (CI0603).
   * @default - no Pod Security labels (the cluster's default level)
   */
  readonly podSecurity?: PodSecurityAdmission;
}

/** Pod Security Admission levels of a namespace (`privileged`, `baseline` or `restricted`). */
export interface PodSecurityAdmission {
  /**
   * Pods that break this level are rejected.
   * @default - not set
   */
  readonly enforce?: 'privileged' | 'baseline' | 'restricted';
  /**
   * Pods that break this level produce a warning for the user.
   * @default - not set
   */
  readonly warn?: 'privileged' | 'baseline' | 'restricted';
  /**
   * Pods that break this level are recorded in the audit log.
   * @default - not set
   */
  readonly audit?: 'privileged' | 'baseline' | 'restricted';
  /**
   * The policy version for every mode set: `latest` or `v<major>.<minor>`.
   * @default 'latest'
   */
  readonly version?: string;
}

/** Labels the data plane sets; they cannot be given by hand. */
const MESH_LABELS = ['istio-injection', 'istio.io/dataplane-mode', 'istio.io/rev', 'istio.io/use-waypoint'];

const NAMESPACE_SYMBOL = brandSymbol('MeshNamespace');

/**
 * A namespace that joins the mesh. With sidecars it carries `istio-injection: enabled`; in ambient
 * mode `istio.io/dataplane-mode: ambient`. Label only namespaces that need the mesh (the article's
 * pitfall 1): unrelated namespaces stay as they are. The Namespace object is the construct's
 * `Resource` child, so `ApiObject.of(namespace)` is the escape hatch.
 */
export class MeshNamespace extends Construct implements IMeshMember, IMeshNamespace {
  /**
   * A namespace that exists already (a Helm chart or another repository creates it), adopted into
   * the mesh: the app writes the mesh's namespace-wide objects there (a ZeroTrustPolicy's default deny
   * and PeerAuthentication, SidecarScope Sidecars, the waypoint Gateway) and the objects of the
   * services in it, but no Namespace object, so no labels: the namespace's owner sets the mesh labels
   * the handle's `labels` lists. For a service in a namespace the app neither writes nor adopts, pass
   * the namespace name to `MeshService.fromAttributes` instead: the mesh then writes only that
   * service's own objects there.
   * @example
   * const payments = MeshNamespace.fromName(chart, 'Payments', 'payments', { mesh });
   * new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: payments }] });
   */
  public static fromName(scope: Construct, id: string, name: string, options: AdoptedNamespaceOptions): IMeshNamespace {
    return new AdoptedMeshNamespace(scope, id, name, options);
  }

  /**
   * Whether `x` is one of this package's namespace classes: a MeshNamespace or an adopted one (works
   * across copies of this package). Constructs do not require it: they take any {@link IMeshNamespace}
   * whose mesh's model declares or adopts the namespace, an app's own class included.
   */
  public static isIMeshNamespace(x: unknown): x is IMeshNamespace {
    return MeshNamespace.isMeshNamespace(x) || AdoptedMeshNamespace.isAdoptedMeshNamespace(x);
  }

  /** Whether `x` is a MeshNamespace (works across copies of this package). */
  public static isMeshNamespace(x: unknown): x is MeshNamespace {
    return hasBrand(x, NAMESPACE_SYMBOL);
  }

  /** `x instanceof MeshNamespace`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is MeshNamespace {
    return hasBrand(x, NAMESPACE_SYMBOL);
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The namespace name. */
  public readonly name: string;
  /** The Namespace object. */
  public readonly resource: ApiObject;
  /** Whether the namespace may get a waypoint (ambient mode). */
  public readonly waypointAllowed: boolean;

  constructor(scope: Construct, id: string, props: MeshNamespaceProps) {
    super(scope, id);
    addBrand(this, NAMESPACE_SYMBOL);
    if (!props || !Mesh.isMesh(props.mesh)) fail(this, 'props.mesh', props?.mesh, 'a Mesh is required', MESH_HINT);
    this.mesh = props.mesh;
    this.name = props.name ?? id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    const bad = dns1123Label(this.name);
    if (bad) fail(this, 'props.name', this.name, `a namespace name ${bad}`, namespaceHint(this.name, dns1123Label));
    for (const [k, v] of Object.entries(props.labels ?? {})) {
      const badKey = labelKey(k);
      if (badKey) fail(this, `props.labels`, k, badKey, "e.g. 'team' or 'example.com/team'");
      const badValue = labelValue(v);
      if (badValue) fail(this, `props.labels.${k}`, v, badValue, "e.g. 'payments' (a value may be empty)");
      if (MESH_LABELS.includes(k)) {
        fail(this, 'props.labels', k, 'mesh membership labels are set by the mesh data plane mode, not by hand', 'remove the label: the Mesh dataPlane (and a ControlPlane revision) decide it; to keep a namespace out of the mesh, do not make it a MeshNamespace');
      }
    }
    if (props.waypoint !== undefined && typeof props.waypoint !== 'boolean') fail(this, 'props.waypoint', props.waypoint, 'must be a boolean', BOOLEAN_HINT);
    const notMember = meshMemberNamespace(this.name, this.mesh.rootNamespace);
    if (notMember) fail(this, 'props.name', this.name, notMember, 'put the workloads into a namespace of their own');
    const psa = podSecurityLabels(this, props.podSecurity, this.mesh.dataPlane.value, this.mesh.model.settings.istioCni === true);
    for (const k of Object.keys(psa)) {
      if (props.labels && k in props.labels) fail(this, 'props.labels', k, 'Pod Security labels are set by props.podSecurity', 'set the level there');
    }
    this.waypointAllowed = props.waypoint ?? true;

    const owner = namespaceOwner(this.name);
    // The waypoint Gateway is a Waypoint construct's primary object (`Waypoint/Resource`).
    this.mesh.registerOwner(owner, this, (childId, manifest) => (childId === 'Waypoint' ? namespaceWaypoint(this, this.mesh, this.name, manifest).resource : undefined));
    this.mesh.model.addNamespace({ name: this.name, labels: { ...(props.labels ?? {}), ...psa }, waypoint: this.waypointAllowed, source: this.node.path });
    // The Namespace always exists: create it now, so ApiObject.of(namespace) works at once.
    this.resource = this.mesh.objectOf(owner, 'Resource')!;
    this.mesh.addMember(this);
    this.node.addValidation({ validate: () => this.checkWaypointName() });
    // Pods the library writes into a namespace that enforces a Pod Security level must meet it.
    const enforced = props.podSecurity?.enforce;
    if (enforced !== undefined) this.node.addValidation({ validate: () => this.checkEnforcedPodSecurity(enforced) });
    if (enforced !== undefined) this.node.addValidation({ validate: () => this.warnWaypointPodSecurity() });
  }

  private warnedWaypoint = false;

  /**
   * CI0603: the waypoint pods of Istio's default install break the level this namespace enforces, and
   * no ControlPlane of the app writes the install value that fixes it (a ControlPlane does, by itself).
   */
  private warnWaypointPodSecurity(): string[] {
    if (this.warnedWaypoint || hasControlPlane(this.mesh)) return [];
    const refused = refusedWaypointNamespaces(this.mesh).find((n) => n.name === this.name);
    if (!refused) return [];
    this.warnedWaypoint = true;
    addWarning(this, WARN_WAYPOINT_POD_SECURITY, `namespace ${this.name} gets a waypoint and enforces Pod Security "${refused.level}", but ${refused.rule}, so the API server refuses them and every L7 request of the namespace fails. Hint: install Istio with values.gateways.seccompProfile: {type: RuntimeDefault} (IstioOperator spec.values, or the istiod Helm values; a ControlPlane construct of this mesh writes it)`);
    return [];
  }

  /**
   * The API server rejects pods that break the level a namespace enforces: a service of this namespace
   * whose `podSecurity` opts out of a control that level needs would never run.
   */
  private checkEnforcedPodSecurity(level: string): string[] {
    const out: string[] = [];
    for (const s of this.mesh.model.services) {
      if (s.namespace !== this.name || !s.workload) continue;
      for (const o of this.mesh.renderer.renderOwner(this.mesh.model, serviceOwner(s))) {
        if (o.manifest.kind !== 'Deployment') continue;
        const template = (o.manifest.spec as { template?: { metadata?: any; spec?: any } } | undefined)?.template ?? {};
        const violations = podSecurityViolations(level, { metadata: template.metadata, spec: template.spec });
        if (violations.length === 0) continue;
        out.push(validationMessage('podSecurity.enforce', level,
          `namespace ${this.name} enforces Pod Security "${level}", but Deployment ${o.manifest.metadata.name} of ${s.source} breaks it (${violations.join('; ')}): the API server would reject its pods`,
          `drop that podSecurity opt-out of ${s.source}, or enforce a lower level`));
      }
    }
    return out;
  }

  /** The namespace labels, including the mesh labels the data plane sets. */
  public get labels(): { readonly [key: string]: string } {
    const ns = this.mesh.renderer.renderOwner(this.mesh.model, namespaceOwner(this.name)).find((o) => o.id === 'Resource');
    return { ...(ns?.manifest.metadata.labels ?? {}) };
  }

  /**
   * The namespace's waypoint (ambient mode), once something needs L7: a route, a traffic policy or an
   * authorization rule of one of its services. Undefined otherwise.
   */
  public get waypoint(): Waypoint | undefined {
    if (!this.mesh.objectOf(namespaceOwner(this.name), 'Waypoint')) return undefined;
    return this.node.findChild('Waypoint') as Waypoint;
  }

  /** Istio names the waypoint's Deployment, Service and ServiceAccount after the Gateway: no service may take that name. */
  private checkWaypointName(): string[] {
    return waypointNameProblems(this);
  }
}

/** The Pod Security Admission labels of a namespace, checked (sorted by mode). */
function podSecurityLabels(scope: Construct, psa: PodSecurityAdmission | undefined, dataPlane: string, istioCni: boolean): { [key: string]: string } {
  if (psa === undefined) return {};
  if (typeof psa !== 'object' || psa === null) fail(scope, 'props.podSecurity', psa, 'must be an object of Pod Security levels', "e.g. podSecurity: { enforce: 'restricted' }");
  const out: { [key: string]: string } = {};
  const modes = (['audit', 'enforce', 'warn'] as const).filter((m) => psa[m] !== undefined);
  if (modes.length === 0) fail(scope, 'props.podSecurity', psa, 'set at least one of enforce, warn, audit', "e.g. podSecurity: { enforce: 'restricted' }, or leave podSecurity out");
  const version = psa.version ?? 'latest';
  const badVersion = podSecurityVersion(version);
  if (badVersion) fail(scope, 'props.podSecurity.version', version, badVersion, typeof version === 'string' && /^[0-9]+\.[0-9]+$/.test(version) ? `try "v${version}"` : 'e.g. "latest" or "v1.34"');
  for (const m of modes) {
    const level = psa[m]!;
    const bad = podSecurityLevel(level);
    if (bad) fail(scope, `props.podSecurity.${m}`, level, bad, `e.g. ${m}: 'restricted'`);
    out[`${POD_SECURITY_LABEL_PREFIX}${m}`] = level;
    out[`${POD_SECURITY_LABEL_PREFIX}${m}-version`] = version;
  }
  // With istio-cni the injector adds istio-validation instead (unprivileged: no capabilities, uid 1337,
  // non-root, no escalation; injection-template.yaml of Istio 1.30.3), which meets both levels.
  if (dataPlane === 'sidecar' && !istioCni && (psa.enforce === 'baseline' || psa.enforce === 'restricted')) {
    fail(scope, 'props.podSecurity.enforce', psa.enforce,
      `the sidecar injector adds an istio-init container with NET_ADMIN and NET_RAW, which "${psa.enforce}" forbids: the API server would reject every pod of the namespace`,
      'install istio-cni (which replaces istio-init) and declare it with Mesh istioCni: true, set warn/audit instead of enforce, or use DataPlaneMode.AMBIENT');
  }
  return out;
}
