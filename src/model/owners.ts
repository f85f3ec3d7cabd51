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
