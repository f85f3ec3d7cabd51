import type { InputProblem } from '../io/files';
import { MANIFEST_EXTENSIONS, parseDocuments, readInputs } from '../io/manifests';
import { labelsMatch, SimulatorError } from './match';

/** Options shared by every simulator entry point. */
export interface MeshModelOptions {
  /**
   * Read folders recursively. Off by default: like `kubectl apply -f <folder>`, a folder means the
   * files directly in it, so `dist/` does not mix in the variants in `dist/ambient/` and friends.
   * @default false
   */
  readonly recursive?: boolean;
  /**
   * The mesh root namespace: its PeerAuthentications and AuthorizationPolicies apply mesh-wide.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The cluster DNS suffix that short hosts are completed with.
   * @default 'cluster.local'
   */
  readonly domainSuffix?: string;
  /**
   * The mesh trust domain, for principals the simulator derives itself (a waypoint's).
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
}

/** A Kubernetes object as read from a manifest. */
export interface ManifestObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly [k: string]: any };
  readonly spec?: any;
  readonly [k: string]: any;
}

/** An indexed object: its manifest plus the namespace it lives in (defaulted to `default`). */
export interface IndexedObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly manifest: ManifestObject;
  /** The spec, `{}` when absent. */
  readonly spec: any;
}

/** A pod-producing workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Pod). */
export interface Workload extends IndexedObject {
  /** The pod labels (the pod template's for controllers). */
  readonly labels: Record<string, string>;
  /** The pod's ServiceAccount (`default` when unset). */
  readonly serviceAccount: string;
}

/** Kinds the model reads, by `kind` then API group. Anything else is kept in `others`. */
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Pod']);

/**
 * The indexed manifests the simulator reasons over. It knows nothing of routing or policy rules:
 * it loads, indexes and resolves names. New kinds (Gateway API HTTPRoute, ServiceEntry, waypoints)
 * are added here as one more index plus the evaluator that reads it.
 */
export class MeshModel {
  /** Reads manifests from YAML (multi-document) or JSON files, and from folders recursively. */
  public static fromFiles(paths: string[], options: MeshModelOptions = {}): MeshModel {
    return new MeshModel(loadManifestFiles(paths, { recursive: options.recursive }), options);
  }

  /** The mesh root namespace. */
  public readonly rootNamespace: string;
  /** The cluster DNS suffix. */
  public readonly domainSuffix: string;
  /** The mesh trust domain. */
  public readonly trustDomain: string;
  /** Every object by kind, in input order. */
  private readonly byKind = new Map<string, IndexedObject[]>();
  private readonly workloadList: Workload[] = [];

  constructor(objects: readonly ManifestObject[], options: MeshModelOptions = {}) {
    this.rootNamespace = options.rootNamespace ?? 'istio-system';
    this.domainSuffix = options.domainSuffix ?? 'cluster.local';
    this.trustDomain = options.trustDomain ?? 'cluster.local';
    for (const o of flatten(objects)) this.add(o);
  }

  /** Objects of `kind` (e.g. `VirtualService`), in input order. */
  public ofKind(kind: string): readonly IndexedObject[] {
    return this.byKind.get(kind) ?? [];
  }

  /** Every pod-producing workload. */
  public get workloads(): readonly Workload[] {
    return this.workloadList;
  }

  /** The Service `name` in `namespace`, if any. */
  public service(name: string, namespace: string): IndexedObject | undefined {
    return this.ofKind('Service').find((s) => s.name === name && s.namespace === namespace);
  }

  /** The workloads a Service selects (a Service without selector selects none). */
  public workloadsOfService(svc: IndexedObject): Workload[] {
    const selector = svc.spec.selector as Record<string, string> | undefined;
    if (!selector || Object.keys(selector).length === 0) return [];
    return this.workloadList.filter((w) => w.namespace === svc.namespace && labelsMatch(selector, w.labels));
  }

  /**
   * Completes a host to its FQDN: `svc` → `svc.<namespace>.svc.<suffix>` (relative to `namespace`),
   * `svc.ns` → `svc.ns.svc.<suffix>`, `svc.ns.svc` → `svc.ns.svc.<suffix>`; anything longer is kept.
   * Hosts are lower-cased (DNS is case-insensitive). A dot-less host without namespace throws.
   */
  public fqdn(host: string, namespace?: string): string {
    const h = host.toLowerCase().replace(/\.$/, '');
    if (h.startsWith('*')) return h;
    const labels = h.split('.');
    if (labels.length === 1) {
      if (!namespace) throw new SimulatorError(`host ${JSON.stringify(host)} is a short name: write it as <service>.<namespace>`);
      return `${h}.${namespace}.svc.${this.domainSuffix}`;
    }
    if (labels.length === 2) return `${h}.svc.${this.domainSuffix}`;
    if (labels.length === 3 && labels[2] === 'svc') return `${h}.${this.domainSuffix}`;
    return h;
  }

  /** The Service an FQDN names (`<svc>.<ns>.svc.<suffix>`), if it is in the model. */
  public serviceOfHost(fqdn: string): IndexedObject | undefined {
    const suffix = `.svc.${this.domainSuffix}`;
    if (!fqdn.endsWith(suffix)) return undefined;
    const parts = fqdn.slice(0, -suffix.length).split('.');
    return parts.length === 2 ? this.service(parts[0], parts[1]) : undefined;
  }

  /** The namespace object `name`, if present. */
  public namespaceObject(name: string): IndexedObject | undefined {
    return this.ofKind('Namespace').find((n) => n.name === name);
  }

  private add(o: ManifestObject): void {
    if (!o || typeof o !== 'object' || typeof o.kind !== 'string') return;
    const kind = o.kind;
    const name = String(o.metadata?.name ?? '');
    const namespace = kind === 'Namespace' ? '' : String(o.metadata?.namespace ?? 'default');
    const indexed: IndexedObject = { kind, name, namespace, manifest: o, spec: o.spec ?? {} };
    if (!this.byKind.has(kind)) this.byKind.set(kind, []);
    this.byKind.get(kind)!.push(indexed);
    if (WORKLOAD_KINDS.has(kind)) {
      const pod = kind === 'Pod' ? o : (o.spec?.template ?? {});
      const podSpec = kind === 'Pod' ? o.spec ?? {} : pod.spec ?? {};
      this.workloadList.push({
        ...indexed,
        labels: { ...(pod.metadata?.labels ?? {}) },
        serviceAccount: podSpec.serviceAccountName ?? podSpec.serviceAccount ?? 'default',
      });
    }
  }
}

/** Expands `List` objects and arrays; drops empty YAML documents. */
function flatten(objects: readonly any[]): ManifestObject[] {
  const out: ManifestObject[] = [];
  flattenInto(objects, out);
  return out;
}

/** {@link flatten} into `out`, without recursion or argument spreading (inputs can hold 100k+ objects). */
function flattenInto(objects: readonly any[], out: ManifestObject[]): void {
  const stack: any[] = [];
  for (let i = objects.length - 1; i >= 0; i--) stack.push(objects[i]);
  while (stack.length > 0) {
    const o = stack.pop();
    if (o === null || o === undefined) continue;
    const items = Array.isArray(o) ? o : typeof o === 'object' && typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items) ? o.items : undefined;
    if (items) {
      for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]);
    } else out.push(o);
  }
}

/**
 * Reads every `.yaml`, `.yml` and `.json` file of the given files and folders (a folder's own files,
 * or with `recursive` its subfolders' too; entries sorted so the result is deterministic) through
 * the package's one reader (src/io: symbolic links, FIFOs, devices, size, UTF-8 and YAML alias
 * limits). Every unreadable or unparsable file is named in one {@link SimulatorError}.
 */
export function loadManifestFiles(paths: readonly string[], options: { readonly recursive?: boolean } = {}): ManifestObject[] {
  const { objects, problems } = readManifestInputs(paths, options);
  const errors = problems.filter((p) => p.level === 'error');
  if (errors.length > 0) throw new SimulatorError(errors.map((p) => `${p.file}: ${p.message}`).join('\n'));
  return objects;
}

/** The objects of the given files and folders, and every per-file problem (read and parse failures). */
export function readManifestInputs(paths: readonly string[], options: { readonly recursive?: boolean } = {}): { objects: ManifestObject[]; problems: InputProblem[] } {
  const { files, problems } = readInputs(paths, { extensions: MANIFEST_EXTENSIONS, recursive: options.recursive ?? false });
  const all: InputProblem[] = [...problems];
  const objects: ManifestObject[] = [];
  for (const f of files) {
    if (f.outcome.ok) flattenInto(f.outcome.docs, objects);
    else if (f.outcome.failure === 'content') all.push({ file: f.input.name, message: `cannot parse: ${f.outcome.message}`, level: 'error' });
  }
  return { objects, problems: all };
}

/** Parses one file's text: JSON (object, array or List) or multi-document YAML, under the reader's limits. */
export function parseManifestText(text: string, file = '<input>'): ManifestObject[] {
  const r = parseDocuments(text, file);
  if (!r.ok) throw new SimulatorError(`${file}: cannot parse: ${r.message}`);
  return flatten(r.docs);
}
