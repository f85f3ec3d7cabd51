/**
 * istiod's validation webhook, per object, following `pkg/config/validation` of Istio 1.30.3 with
 * the rules of `src/rules/`. Codes: CI201x shared (metadata annotations, selectors, targetRefs,
 * exportTo, server TLS), CI21xx VirtualService, CI22xx DestinationRule, CI23xx PeerAuthentication
 * and RequestAuthentication (CI235x), CI24xx AuthorizationPolicy, CI25xx Telemetry, CI27xx Sidecar,
 * CI28xx ServiceEntry, CI29xx Gateway, CI295x EnvoyFilter.
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/validation.go
 */
import { re2Compiles } from '../rules/regex';
import { checkEnvoyPatchValue } from './envoy';
import { RawFinding } from './report';
import { arr, metadataAnnotations, obj, q, Sink, workloadSelector } from './webhook-common';
import { destinationRule, gateway, serviceEntry, sidecar, virtualService } from './webhook-networking';
import { authorizationPolicy, peerAuthentication, requestAuthentication, telemetry } from './webhook-security';

const ISTIO_GROUPS = new Set(['networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io']);

/** Runs the webhook rules for the object's kind; other kinds produce nothing. */
export function checkWebhook(m: any): RawFinding[] {
  const group = typeof m.apiVersion === 'string' ? m.apiVersion.split('/')[0] : '';
  if (!ISTIO_GROUPS.has(group)) return [];
  const spec = obj(m.spec) ?? {};
  const s = new Sink();
  metadataAnnotations(m, s);
  const kind = `${group}/${m.kind}`;
  switch (kind) {
    case 'networking.istio.io/VirtualService': virtualService(m, spec, s); break;
    case 'networking.istio.io/DestinationRule': destinationRule(m, spec, s); break;
    case 'networking.istio.io/Sidecar': sidecar(m, spec, s); break;
    case 'networking.istio.io/Gateway': gateway(m, spec, s); break;
    case 'networking.istio.io/ServiceEntry': serviceEntry(m, spec, s); break;
    case 'networking.istio.io/EnvoyFilter': envoyFilter(spec, s); break;
    case 'security.istio.io/AuthorizationPolicy': authorizationPolicy(spec, s); break;
    case 'security.istio.io/PeerAuthentication': peerAuthentication(spec, s); break;
    case 'security.istio.io/RequestAuthentication': requestAuthentication(spec, s); break;
    case 'telemetry.istio.io/Telemetry': telemetry(spec, s); break;
    default: break;
  }
  return s.out;
}

const LISTENER_CLASS = ['LISTENER', 'FILTER_CHAIN', 'NETWORK_FILTER', 'HTTP_FILTER'];
const ROUTE_CLASS = ['ROUTE_CONFIGURATION', 'VIRTUAL_HOST', 'HTTP_ROUTE'];

/**
 * `ValidateEnvoyFilter` (pkg/config/validation/envoyfilter/envoyfilter.go): patch shape, applyTo
 * and match agreement, then the patch value decoded against Envoy's API (./envoy.ts).
 */
function envoyFilter(spec: any, s: Sink): void {
  const ws = obj(spec.workloadSelector);
  workloadSelector('spec.workloadSelector.labels', ws?.labels, ws !== undefined, s);
  arr(spec.configPatches).forEach((cp: any, i: number) => {
    const p = `spec.configPatches[${i}]`;
    if (!obj(cp)) {
      s.err('CI2951', `${p}: a config patch may not be null`);
      return;
    }
    const match = obj(cp.match);
    if (match?.context === 'WAYPOINT') return; // istiod does not validate waypoint patches yet
    if (cp.applyTo === undefined || cp.applyTo === 'INVALID') {
      s.err('CI2951', `${p}.applyTo: missing applyTo`);
      return;
    }
    const patch = obj(cp.patch);
    if (!patch) {
      s.err('CI2951', `${p}.patch: missing patch`);
      return;
    }
    if (patch.operation === undefined || patch.operation === 'INVALID') {
      s.err('CI2951', `${p}.patch.operation: missing patch operation`);
      return;
    }
    if (patch.operation !== 'REMOVE' && (patch.value === undefined || patch.value === null)) {
      s.err('CI2951', `${p}.patch.value: a ${patch.operation} patch needs a value`);
      return;
    }
    const proxyVersion = match?.proxy?.proxyVersion;
    if (typeof proxyVersion === 'string' && proxyVersion !== '' && re2Compiles(proxyVersion)) {
      s.err('CI2952', `${p}.match.proxy.proxyVersion: ${q(proxyVersion)} is not a valid regex: ${re2Compiles(proxyVersion)}`);
      return;
    }
    const objectType = match && ['listener', 'routeConfiguration', 'cluster'].find((k) => match[k] !== undefined && match[k] !== null);
    if (LISTENER_CLASS.includes(cp.applyTo)) {
      if (objectType && objectType !== 'listener') {
        s.err('CI2952', `${p}.match: applyTo ${cp.applyTo} needs a listener match, not ${objectType}`);
        return;
      }
      const filter = obj(match?.listener?.filterChain?.filter);
      if (filter) {
        if (cp.applyTo === 'LISTENER' || cp.applyTo === 'FILTER_CHAIN') s.warn('CI2953', `${p}.match.listener.filterChain.filter: a filter match has no effect with applyTo ${cp.applyTo}`);
        if (!filter.name) {
          s.err('CI2952', `${p}.match.listener.filterChain.filter.name: a filter match needs a name`);
          return;
        }
        if (filter.subFilter !== undefined && filter.subFilter !== null) {
          if (cp.applyTo !== 'HTTP_FILTER') {
            s.err('CI2952', `${p}.match.listener.filterChain.filter.subFilter: a subFilter match needs applyTo HTTP_FILTER`);
            return;
          }
          if (filter.name !== 'envoy.filters.network.http_connection_manager' && filter.name !== 'envoy.http_connection_manager') {
            s.err('CI2952', `${p}.match.listener.filterChain.filter.subFilter: a subFilter match needs the filter envoy.filters.network.http_connection_manager`);
            return;
          }
          if (!filter.subFilter?.name) {
            s.err('CI2952', `${p}.match.listener.filterChain.filter.subFilter.name: a subFilter match needs a name`);
            return;
          }
        }
      }
    } else if (ROUTE_CLASS.includes(cp.applyTo)) {
      if (objectType && objectType !== 'routeConfiguration') s.err('CI2952', `${p}.match: applyTo ${cp.applyTo} needs a routeConfiguration match, not ${objectType}`);
    } else if (cp.applyTo === 'CLUSTER') {
      if (objectType && objectType !== 'cluster') s.err('CI2952', `${p}.match: applyTo CLUSTER needs a cluster match, not ${objectType}`);
    }
    // The value decoded against Envoy's API (envoy.ts): what istiod's decoder and the proxy refuse.
    if (patch.value !== undefined && patch.value !== null) {
      for (const f of checkEnvoyPatchValue(cp.applyTo, patch.value, { merge: patch.operation === 'MERGE' })) {
        s.out.push({ code: f.code, level: f.level, message: `${p}.patch.value${f.path ? `.${f.path}` : ''}: ${f.message}` });
      }
    }
  });
}
