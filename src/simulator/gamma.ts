import { IndexedObject, ManifestIndex } from '../manifests';

/**
 * Gateway API routes of `kind` (HTTPRoute, GRPCRoute) attached to the Service `fqdn` names (GAMMA:
 * a core-group Service parentRef) and to `port`, when the parentRef gives one.
 */
export function routesForService(kind: 'HTTPRoute' | 'GRPCRoute', model: ManifestIndex, fqdn: string, port: number | undefined): IndexedObject[] {
  const svc = model.serviceOfHost(fqdn);
  if (!svc) return [];
  return model.ofKind(kind).filter((r) =>
    (Array.isArray(r.spec.parentRefs) ? r.spec.parentRefs : []).some(
      (p: any) =>
        p?.kind === 'Service' &&
        (p.group ?? '') === '' &&
        p.name === svc.name &&
        (p.namespace ?? r.namespace) === svc.namespace &&
        (p.port === undefined || port === undefined || p.port === port),
    ),
  );
}
