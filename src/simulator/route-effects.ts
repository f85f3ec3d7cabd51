import { ManifestIndex } from '../manifests';
import { normalizeDuration } from './destination';
import { requestFqdn } from './request';
import { stripQuery } from './match';
import { FaultEffect, HeaderChanges, MirrorEffect, RouteEffectsResult } from './types';
import { gatewayPrefixRewrite } from '../rules/route';

/**
 * What a matched route does to a request besides choosing where it goes: fault injection, mirrors,
 * the rewritten path and authority, header changes and CORS, read from a VirtualService rule or an
 * HTTPRoute rule's filters. Percentages are normalized as pilot reads them (`percentage.value`, else
 * the deprecated integer `percent`, else 100 for a mirror), mirrors resolved to FQDNs.
 */

function percentOf(p: any, legacy: any, dflt: number): number {
  if (p && typeof p === 'object' && typeof p.value === 'number') return p.value;
  if (typeof legacy === 'number') return legacy;
  return dflt;
}

function changes(h: any): HeaderChanges | undefined {
  if (!h || typeof h !== 'object') return undefined;
  const out: { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] } = {};
  if (h.set && Object.keys(h.set).length > 0) out.set = { ...h.set };
  if (h.add && Object.keys(h.add).length > 0) out.add = { ...h.add };
  if (Array.isArray(h.remove) && h.remove.length > 0) out.remove = [...h.remove];
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The effects of one VirtualService HTTP route, for a request with `path` matched by the block
 * `matched` (undefined: the rule has no match). The rewritten path follows Envoy's `prefix_rewrite`
 * as pilot writes it: a prefix match's prefix is replaced (`/` when the block has no uri condition),
 * an exact or regex match's whole path (the query string is kept).
 */
export function virtualServiceEffects(model: ManifestIndex, rule: any, matched: any, path: string, namespace: string): RouteEffectsResult {
  const out: { -readonly [K in keyof RouteEffectsResult]: RouteEffectsResult[K] } = {};
  const f = rule.fault;
  if (f && typeof f === 'object') {
    const fault: { delay?: FaultEffect['delay']; abort?: FaultEffect['abort'] } = {};
    if (f.delay?.fixedDelay) fault.delay = { fixedDelay: normalizeDuration(f.delay.fixedDelay), percent: percentOf(f.delay.percentage, f.delay.percent, 100) };
    if (f.abort) {
      fault.abort = {
        ...(typeof f.abort.httpStatus === 'number' ? { httpStatus: f.abort.httpStatus } : {}),
        ...(typeof f.abort.grpcStatus === 'string' ? { grpcStatus: f.abort.grpcStatus } : {}),
        percent: percentOf(f.abort.percentage, undefined, 100),
      };
    }
    if (fault.delay || fault.abort) out.fault = fault;
  }
  const mirrors: MirrorEffect[] = [];
  const mirrorOf = (d: any, pct: number): MirrorEffect => ({
    host: requestFqdn(model, String(d?.host ?? ''), namespace),
    ...(d?.subset ? { subset: d.subset } : {}),
    ...(d?.port?.number ? { port: d.port.number } : {}),
    percent: pct,
  });
  if (rule.mirror) mirrors.push(mirrorOf(rule.mirror, percentOf(rule.mirrorPercentage, rule.mirrorPercent, 100)));
  for (const m of Array.isArray(rule.mirrors) ? rule.mirrors : []) mirrors.push(mirrorOf(m?.destination, percentOf(m?.percentage, undefined, 100)));
  if (mirrors.length > 0) out.mirrors = mirrors;
  const rw = rule.rewrite;
  if (rw && typeof rw === 'object') {
    const r: { path?: string; authority?: string; spec: unknown } = { spec: rw };
    if (typeof rw.uri === 'string' && rw.uri !== '') r.path = rewritePath(path, matched?.uri, rw.uri);
    if (typeof rw.authority === 'string' && rw.authority !== '') r.authority = rw.authority;
    out.rewrite = r;
  }
  const request = changes(rule.headers?.request);
  const response = changes(rule.headers?.response);
  if (request || response) out.headers = { ...(request ? { request } : {}), ...(response ? { response } : {}) };
  if (rule.corsPolicy) out.cors = rule.corsPolicy;
  return out;
}

function rewritePath(path: string, uri: any, to: string): string {
  const query = path.includes('?') ? path.slice(path.indexOf('?')) : '';
  if (!uri || typeof uri !== 'object') return to + path.slice(1);
  if (typeof uri.prefix === 'string') return to + path.slice(uri.prefix.length);
  return to + query;
}

/** The effects of one HTTPRoute rule's filters (Gateway API), for a request with `path`. */
export function httpRouteEffects(model: ManifestIndex, rule: any, matchPath: { type: string; value: string }, path: string, namespace: string): RouteEffectsResult {
  const out: { -readonly [K in keyof RouteEffectsResult]: RouteEffectsResult[K] } = {};
  const mirrors: MirrorEffect[] = [];
  let request: HeaderChanges | undefined;
  let response: HeaderChanges | undefined;
  const list = (xs: any) => (Array.isArray(xs) && xs.length > 0 ? Object.fromEntries(xs.map((x: any) => [x.name, x.value])) : undefined);
  const mod = (m: any): HeaderChanges | undefined => {
    if (!m) return undefined;
    const o: { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] } = {};
    const set = list(m.set);
    const add = list(m.add);
    if (set) o.set = set;
    if (add) o.add = add;
    if (Array.isArray(m.remove) && m.remove.length > 0) o.remove = [...m.remove];
    return Object.keys(o).length > 0 ? o : undefined;
  };
  for (const f of Array.isArray(rule.filters) ? rule.filters : []) {
    if (f?.type === 'RequestHeaderModifier') request = mod(f.requestHeaderModifier);
    else if (f?.type === 'ResponseHeaderModifier') response = mod(f.responseHeaderModifier);
    else if (f?.type === 'RequestMirror') {
      const b = f.requestMirror?.backendRef ?? {};
      const fr = f.requestMirror?.fraction;
      const pct = typeof f.requestMirror?.percent === 'number' ? f.requestMirror.percent : fr ? (fr.numerator / (fr.denominator ?? 100)) * 100 : 100;
      mirrors.push({ host: model.fqdn(String(b.name ?? ''), b.namespace ?? namespace), ...(b.port ? { port: b.port } : {}), percent: pct });
    } else if (f?.type === 'URLRewrite') {
      const u = f.urlRewrite ?? {};
      const r: { path?: string; authority?: string; spec: unknown } = { spec: u };
      const query = path.includes('?') ? path.slice(path.indexOf('?')) : '';
      if (u.path?.type === 'ReplaceFullPath') r.path = u.path.replaceFullPath + query;
      else if (u.path?.type === 'ReplacePrefixMatch' && matchPath.type === 'PathPrefix') {
        // as istiod converts it (rules/route.ts gatewayPrefixRewrite): a plain prefix_rewrite, or a
        // regex that strips the prefix when the replacement is `/`
        const envoy = gatewayPrefixRewrite(matchPath.value, String(u.path.replacePrefixMatch ?? '/'));
        const bare = stripQuery(path);
        if (envoy) r.path = envoy.to + bare.slice(envoy.prefix.length) + query;
        else {
          const rest = bare.slice(matchPath.value === '/' ? 0 : matchPath.value.replace(/\/$/, '').length);
          r.path = '/' + rest.replace(/^\//, '') + query;
        }
      }
      if (u.hostname) r.authority = u.hostname;
      out.rewrite = r;
    } else if (f?.type === 'CORS') out.cors = f.cors;
  }
  if (mirrors.length > 0) out.mirrors = mirrors;
  if (request || response) out.headers = { ...(request ? { request } : {}), ...(response ? { response } : {}) };
  return out;
}
