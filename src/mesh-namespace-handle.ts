import { IConstruct } from 'constructs';
import type { IMeshNamespace } from './adopted-namespace';
import { IMeshMember, Mesh } from './mesh';
import { fail } from './private/errors';

/**
 * The namespace `x` names in its mesh's model, or a `MeshConfigError` on `scope` naming
 * `property`: what a construct that places objects in a namespace checks first. Any
 * {@link IMeshNamespace} is accepted, as the interface promises: a `MeshNamespace`, an adopted
 * one (`MeshNamespace.fromName`), or an app's own class (a wrapper that delegates to either), as long
 * as its mesh's model declares or adopts the namespace. A namespace only named by a service deployed
 * elsewhere (`MeshService.fromAttributes` with a name) has no handle and is refused: the mesh writes
 * nothing of its own there. With `mesh`, the namespace must belong to that mesh.
 */
export function requireMeshNamespace(scope: IConstruct, property: string, x: unknown, mesh?: Mesh): { readonly mesh: Mesh; readonly name: string } {
  const ns = x as Partial<IMeshNamespace> | undefined;
  const hint = 'pass a MeshNamespace, or adopt a namespace that exists with MeshNamespace.fromName(scope, id, name, { mesh }); '
    + 'a namespace class of your own declares its namespace in mesh.model.addNamespace (see docs/extending.md) or delegates to one of those';
  if (!ns || typeof ns !== 'object' || !Mesh.isMesh(ns.mesh) || typeof ns.name !== 'string') {
    fail(scope, property, describe(x), 'must be a namespace of the mesh: a MeshNamespace, an adopted one (MeshNamespace.fromName) or another IMeshNamespace', hint);
  }
  const intent = ns.mesh.model.namespace(ns.name);
  if (!intent || intent.adoption === 'named') {
    fail(scope, property, ns.name, `namespace ${ns.name} is ${intent ? 'only named by a service deployed elsewhere, not declared or adopted' : 'not declared'} in the model of mesh ${ns.mesh.node.path}; `
      + 'the mesh renders only into namespaces its model declares (it writes the Namespace) or adopts (it writes only mesh objects there)', hint);
  }
  if (mesh !== undefined && ns.mesh !== mesh) {
    fail(scope, property, ns.name, `namespace ${ns.name} belongs to mesh ${ns.mesh.node.path}, not to ${mesh.node.path}`, 'use a namespace of the same mesh');
  }
  return { mesh: ns.mesh, name: ns.name };
}

function describe(x: unknown): unknown {
  const c = x as IConstruct | undefined;
  return c && typeof c === 'object' && c.node && typeof c.node.path === 'string' ? c.node.path : x;
}

/** A member of a mesh that may be a namespace handle (the registration is checked against the model by path). */
const isNamespaceMember = (m: IMeshMember): m is IMeshNamespace & IMeshMember =>
  typeof (m as Partial<IMeshNamespace>).name === 'string' && typeof (m as Partial<IMeshNamespace>).waypointAllowed === 'boolean';

/**
 * The handle of namespace `name` of `mesh`: the member (`mesh.addMember`) that declared or adopted
 * it in the model (its construct path is the namespace's `source`), whatever its class. Undefined
 * for a namespace the model does not declare or adopt, or whose declaring construct is no member.
 */
export function meshNamespaceHandle(mesh: Mesh, name: string): IMeshNamespace | undefined {
  const intent = mesh.model.namespace(name);
  if (!intent || intent.adoption === 'named') return undefined;
  return mesh.membersOf(isNamespaceMember).find((m) => m.name === name && m.node.path === intent.source);
}
