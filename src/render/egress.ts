import {
  edgeKey,
  ExternalServiceIntent,
  IntentProblem,
  MeshIntentModel,
  MeshSettings,
  principalOf,
  sourceOwner,
} from '../model';
import { INSTALLED_GATEWAYS_ANNOTATION } from '../private/annotations';
import { lazyManifest, RenderedObject } from './types';

/**
 * Renders external services: a `ServiceEntry` (`location: MESH_EXTERNAL`) exported to the namespaces
 * of its declared callers, TLS origination at the caller's sidecar (a DestinationRule with
 * `tls.mode: SIMPLE` and SNI), and routing through the egress gateway: a Gateway on the egress
 * gateway's pods (mesh mTLS from the sidecars, `ISTIO_MUTUAL`), a VirtualService sending the
 * callers' traffic to the gateway and the gateway's on to the external host, a DestinationRule for
 * the hop to the gateway (mTLS with the external host as SNI), and an AuthorizationPolicy on the
 * egress gateway that admits only the declared callers (by principal, for this SNI).
 */

/** `<name>.<namespace>.svc.cluster.local` of a gateway's Service. */
function gatewayServiceFqdn(es: ExternalServiceIntent): string {
  const w = es.egressGateway!.workload;
  return `${w.serviceName}.${w.namespace}.svc.cluster.local`;
}

/**
 * The namespaces the ServiceEntry (and its routes) are exported to: as given, else its own
 * namespace (`.`), the namespaces of its declared callers and, through the egress gateway, the
 * gateway's namespace; sorted, `.` first.
 */
export function externalExportTo(model: MeshIntentModel, es: ExternalServiceIntent): string[] {
  if (es.exportTo) return [...es.exportTo];
  const others = new Set<string>();
  for (const c of model.externalCallsTo(edgeKey(es))) if (c.caller.namespace !== es.namespace) others.add(c.caller.namespace);
  if (es.egressGateway && es.egressGateway.workload.namespace !== es.namespace) others.add(es.egressGateway.workload.namespace);
  return ['.', ...[...others].sort()];
}

/** What a mode cannot render of the external services (ambient: no sidecar to originate TLS or route to the egress gateway). */
export function egressProblems(model: MeshIntentModel, settings: MeshSettings): IntentProblem[] {
  if (settings.dataPlane !== 'ambient') return [];
  const out: IntentProblem[] = [];
  for (const es of model.externalServices) {
    const hint = 'on an ambient data plane, route egress through a waypoint for the ServiceEntry (not supported by this library yet), or use DataPlaneMode.SIDECAR';
    if (es.tlsOrigination) {
      out.push({ property: 'tlsOrigination', value: es.tlsOrigination.sni, rule: 'TLS origination is applied by the calling sidecar; ambient workloads have no sidecar and ztunnel forwards L4 only', hint, at: es.source });
    }
    if (es.egressGateway) {
      out.push({ property: 'egressGateway', value: es.egressGateway.mode, rule: "routing to the egress gateway is applied by the calling sidecar's VirtualService; ambient workloads have no sidecar", hint, at: es.source });
    }
  }
  return out;
}

/** Every object of every external service of a model. */
export function renderEgress(model: MeshIntentModel, settings: MeshSettings): RenderedObject[] {
  return model.externalServices.flatMap((es) => renderExternalService(model, settings, es));
}

/** The objects of one external service, in a fixed order: ServiceEntry, DestinationRules, Gateway, VirtualService, AuthorizationPolicy. */
export function renderExternalService(model: MeshIntentModel, settings: MeshSettings, es: ExternalServiceIntent): RenderedObject[] {
  const owner = sourceOwner(es.source);
  const meta = { name: es.name, namespace: es.namespace };
  const out: RenderedObject[] = [
    { owner, id: 'Resource', manifest: lazyManifest('networking.istio.io/v1', 'ServiceEntry', meta, () => renderServiceEntrySpec(model, es)) },
  ];
  const o = es.tlsOrigination;
  if (o) {
    out.push({ owner, id: 'DestinationRule', manifest: lazyManifest('networking.istio.io/v1', 'DestinationRule', meta, () => ({
      host: es.hosts[0],
      trafficPolicy: { portLevelSettings: [{ port: { number: o.port }, tls: { mode: 'SIMPLE', sni: o.sni, caCertificates: o.caCertificates } }] },
      exportTo: externalExportTo(model, es),
    })) });
  }
  const g = es.egressGateway;
  if (!g) return out;
  const host = es.hosts[0];
  const gwName = `${es.name}-egress`;
  const gwRef = `${es.namespace}/${gwName}`;
  const gwHost = gatewayServiceFqdn(es);
  const appPort = g.mode === 'passthrough' ? tlsPortOf(es) : httpPortOf(es);
  // The shared egress gateway is installed with Istio, outside this set: say so, for the analyzers.
  const installed = g.workload.kind === 'shared' && g.workload.serviceName ? { annotations: { [INSTALLED_GATEWAYS_ANNOTATION]: g.workload.serviceName } } : {};
  out.push({ owner, id: 'EgressGatewayDestinationRule', manifest: lazyManifest('networking.istio.io/v1', 'DestinationRule', { name: `${es.name}-egress-gateway`, namespace: es.namespace, ...installed }, () => ({
    host: gwHost,
    subsets: [{ name: es.name, trafficPolicy: { portLevelSettings: [{ port: { number: g.port }, tls: { mode: 'ISTIO_MUTUAL', sni: host } }] } }],
    exportTo: externalExportTo(model, es),
  })) });
  if (g.mode === 'originate') {
    const target = es.ports.find((p) => p.number === appPort)?.targetPort ?? 443;
    out.push({ owner, id: 'DestinationRule', manifest: lazyManifest('networking.istio.io/v1', 'DestinationRule', meta, () => ({
      host,
      trafficPolicy: { portLevelSettings: [{ port: { number: target }, tls: { mode: 'SIMPLE', sni: host, caCertificates: g.caCertificates ?? SYSTEM_CA_BUNDLE } }] },
      exportTo: externalExportTo(model, es),
    })) });
  }
  out.push({ owner, id: 'EgressGateway', manifest: { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: gwName, namespace: es.namespace, ...installed }, spec: {
    selector: { ...g.workload.selector },
    servers: [{
      port: { number: g.port, name: `${g.mode === 'passthrough' ? 'tls' : 'https'}-${g.port}`, protocol: g.mode === 'passthrough' ? 'TLS' : 'HTTPS' },
      hosts: es.hosts.map((h) => `${es.namespace}/${h}`),
      tls: { mode: 'ISTIO_MUTUAL' },
    }],
  } } });
  out.push({ owner, id: 'EgressVirtualService', manifest: lazyManifest('networking.istio.io/v1', 'VirtualService', { name: gwName, namespace: es.namespace, ...installed }, () => {
    const toGateway = { destination: { host: gwHost, subset: es.name, port: { number: g.port } } };
    const spec: Record<string, unknown> = { hosts: [...es.hosts], gateways: ['mesh', gwRef], exportTo: externalExportTo(model, es) };
    if (g.mode === 'passthrough') {
      spec.tls = [{ match: [{ gateways: ['mesh'], port: appPort, sniHosts: [host] }], route: [toGateway] }];
      spec.tcp = [{ match: [{ gateways: [gwRef], port: g.port }], route: [{ destination: { host, port: { number: appPort } } }] }];
    } else {
      const target = es.ports.find((p) => p.number === appPort)?.targetPort ?? 443;
      spec.http = [
        { match: [{ gateways: ['mesh'], port: appPort }], route: [toGateway] },
        { match: [{ gateways: [gwRef], port: g.port }], route: [{ destination: { host, port: { number: target } } }] },
      ];
    }
    return spec;
  }) });
  const w = g.workload;
  out.push({ owner, id: 'EgressGatewayPolicy', manifest: lazyManifest('security.istio.io/v1', 'AuthorizationPolicy', { name: `${es.namespace}-${es.name}-egress`, namespace: w.namespace, ...installed }, () => {
    const callers = model.externalCallsTo(edgeKey(es)).map((c) => c.caller);
    const spec: Record<string, unknown> = { selector: { matchLabels: { ...w.selector } }, action: 'ALLOW' };
    // No declared caller: an ALLOW policy without rules admits nobody for this host.
    if (callers.length > 0) {
      spec.rules = [{
        from: [{ source: { principals: [...new Set(callers.map((c) => principalOf(c, settings.trustDomain)))], namespaces: [...new Set(callers.map((c) => c.namespace))] } }],
        when: [{ key: 'connection.sni', values: [host] }],
      }];
    }
    return spec;
  }) });
  return out;
}

/** The CA bundle of Istio's proxy image (proxyv2), which verifies public server certificates. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The TLS port applications call (passthrough through the egress gateway). */
export function tlsPortOf(es: ExternalServiceIntent): number {
  return es.ports.find((p) => p.protocol === 'TLS' || p.protocol === 'HTTPS')!.number;
}

/** The plain HTTP port applications call (TLS originated by the egress gateway). */
export function httpPortOf(es: ExternalServiceIntent): number {
  return es.ports.find((p) => p.protocol === 'HTTP' && p.targetPort !== undefined)?.number ?? es.ports.find((p) => p.protocol === 'HTTP')!.number;
}

/** The ServiceEntry spec. */
export function renderServiceEntrySpec(model: MeshIntentModel, es: ExternalServiceIntent): Record<string, unknown> {
  const spec: Record<string, unknown> = { hosts: [...es.hosts] };
  if (es.addresses.length > 0) spec.addresses = [...es.addresses];
  spec.ports = es.ports.map((p) => ({ number: p.number, name: p.name, protocol: p.protocol, ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}) }));
  spec.location = 'MESH_EXTERNAL';
  spec.resolution = es.resolution;
  if (es.endpoints.length > 0) spec.endpoints = es.endpoints.map((address) => ({ address }));
  spec.exportTo = externalExportTo(model, es);
  return spec;
}
