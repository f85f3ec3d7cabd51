/**
 * Owner keys: which construct a rendered object belongs under. Renderers tag each object with the
 * key of the intent it comes from; the Mesh maps keys to constructs. Keys are plain strings, stable
 * for the life of the app, so an object keeps its construct id (and path) whatever else is added.
 */
import { ServiceRef, serviceKey } from './identity';

/** Objects of the mesh settings (the tracing Telemetry). */
export const MESH_OWNER = 'mesh';

/** Objects of one service: its workload, routing and security objects. */
export function serviceOwner(ref: ServiceRef): string {
  return `service:${serviceKey(ref)}`;
}

/** Objects of one namespace: the Namespace and its waypoint. */
export function namespaceOwner(name: string): string {
  return `namespace:${name}`;
}

/**
 * Objects owned by the construct that wrote the intent (a LocalRateLimit's EnvoyFilter, a
 * SidecarScope's Sidecars, a ZeroTrustPolicy's namespace policies), by its construct path.
 */
export function sourceOwner(path: string): string {
  return `source:${path}`;
}

/** An owner key, parsed. */
export type OwnerRef =
  | { readonly kind: 'mesh' }
  | { readonly kind: 'service'; readonly service: ServiceRef }
  | { readonly kind: 'namespace'; readonly name: string }
  | { readonly kind: 'source'; readonly path: string };

/** Parses an owner key made by {@link serviceOwner}, {@link namespaceOwner}, {@link sourceOwner} or {@link MESH_OWNER}. */
export function parseOwner(owner: string): OwnerRef | undefined {
  if (owner === MESH_OWNER) return { kind: 'mesh' };
  const colon = owner.indexOf(':');
  const kind = owner.slice(0, colon);
  const rest = owner.slice(colon + 1);
  if (kind === 'service') {
    const slash = rest.indexOf('/');
    return slash > 0 ? { kind, service: { namespace: rest.slice(0, slash), name: rest.slice(slash + 1) } } : undefined;
  }
  if (kind === 'namespace') return { kind, name: rest };
  if (kind === 'source') return { kind, path: rest };
  return undefined;
}
