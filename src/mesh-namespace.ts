import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IMeshMember, Mesh } from './mesh';
import { fail } from './private/errors';
import { dns1123Label, labelKey, labelValue } from './private/names';

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
}

/**
 * A namespace that joins the mesh. With sidecars it carries `istio-injection: enabled`; in ambient
 * mode `istio.io/dataplane-mode: ambient`. Label only namespaces that need the mesh (the article's
 * pitfall 1): unrelated namespaces stay as they are.
 */
export class MeshNamespace extends Construct implements IMeshMember {
  /** Whether `x` is a MeshNamespace. */
  public static isMeshNamespace(x: unknown): x is MeshNamespace {
    return x instanceof MeshNamespace;
  }

  /** The mesh. */
  public readonly mesh: Mesh;
  /** The namespace name. */
  public readonly name: string;
  /** The Namespace object. */
  public readonly resource: ApiObject;
  private readonly _labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: MeshNamespaceProps) {
    super(scope, id);
    this.mesh = props.mesh;
    this.name = props.name ?? id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    const bad = dns1123Label(this.name);
    if (bad) fail(this, 'props.name', this.name, `a namespace name ${bad}`);
    const meshLabels: Record<string, string> = this.mesh.isAmbient
      ? { 'istio.io/dataplane-mode': 'ambient' }
      : { 'istio-injection': 'enabled' };
    for (const [k, v] of Object.entries(props.labels ?? {})) {
      const badKey = labelKey(k);
      if (badKey) fail(this, `props.labels`, k, badKey);
      const badValue = labelValue(v);
      if (badValue) fail(this, `props.labels.${k}`, v, badValue);
      if (k in meshLabels || k === 'istio-injection' || k === 'istio.io/dataplane-mode' || k === 'istio.io/rev') {
        fail(this, 'props.labels', k, 'mesh membership labels are set by the mesh data plane mode, not by hand');
      }
    }
    this._labels = { ...(props.labels ?? {}), ...meshLabels };
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: this.name, labels: this._labels },
    });
    this.mesh._register(this);
  }

  /** The namespace labels, including the mesh label. */
  public get labels(): { readonly [key: string]: string } {
    return { ...this._labels };
  }

  /** Adds a label to the Namespace object (e.g. `istio.io/use-waypoint`). @internal */
  public _addLabel(key: string, value: string): void {
    this._labels[key] = value;
    this.resource.metadata.addLabel(key, value);
  }
}
