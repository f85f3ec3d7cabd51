/**
 * istiod's validation webhook rules (istio-rules.md §1), per object. Codes: CI21xx VirtualService,
 * CI22xx DestinationRule, CI23xx PeerAuthentication, CI24xx AuthorizationPolicy, CI25xx Telemetry.
 */
import { parseDurationMs } from '../private/duration';
import { dns1123Label, httpToken, labelKey, labelValue } from '../private/names';
import { RawFinding } from './report';

const RETRY_ON = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure', 'cancelled',
  'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);
/** HTTP status codes Go's net/http knows (http.StatusText non-empty), as istio's agent checks. */
const HTTP_STATUS = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423,
  424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);
const WHEN_KEYS = new Set([
  'source.ip', 'remote.ip', 'source.namespace', 'source.principal', 'source.serviceAccount', 'source.trustDomain',
  'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'destination.ip', 'destination.port',
  'connection.sni',
]);
const WHEN_BRACKET_KEYS = new Set(['request.headers', 'request.auth.claims']);

type Out = RawFinding[];
const err = (out: Out, code: string, message: string) => out.push({ code, level: 'error', message });
const warn = (out: Out, code: string, message: string) => out.push({ code, level: 'warning', message });
const q = (v: unknown) => JSON.stringify(v);

/** Runs the webhook rules for the object's kind; other kinds produce nothing. */
export function checkWebhook(m: any): RawFinding[] {
  const out: Out = [];
  const group = typeof m.apiVersion === 'string' ? m.apiVersion.split('/')[0] : '';
  const spec = m.spec ?? {};
  if (typeof spec !== 'object') return out;
  if (group === 'networking.istio.io' && m.kind === 'VirtualService') virtualService(spec, out);
  else if (group === 'networking.istio.io' && m.kind === 'DestinationRule') destinationRule(spec, out);
  else if (group === 'security.istio.io' && m.kind === 'PeerAuthentication') peerAuthentication(spec, out);
  else if (group === 'security.istio.io' && m.kind === 'AuthorizationPolicy') authorizationPolicy(spec, out);
  else if (group === 'telemetry.istio.io' && m.kind === 'Telemetry') telemetry(spec, out);
  return out;
}

/** Istio's duration rule: at least 1ms, millisecond precision at most. */
export function durationRule(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'must be a duration string such as "10s"';
  const ms = parseDurationMs(v);
  if (ms === undefined) return 'must be a duration string such as "10s"';
  if (ms < 1) return 'a duration must be at least 1ms';
  if (Math.abs(ms - Math.round(ms)) > 1e-9) return 'a duration must have millisecond precision at most';
  return undefined;
}

function duration(out: Out, code: string, path: string, v: unknown): void {
  if (v === undefined) return;
  const r = durationRule(v);
  if (r) err(out, code, `${path}: ${q(v)} is invalid: ${r}`);
}

/** Istio's wildcard-domain check: `*` only as the whole first label, DNS-1123 labels, ≤ 255 chars. */
export function hostRule(host: unknown): string | undefined {
  if (typeof host !== 'string' || host === '') return 'a host must be a non-empty string';
  if (host.length > 255) return 'a host must be at most 255 characters';
  if (host === '*') return undefined;
  const labels = host.split('.');
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (i === 0 && l.startsWith('*')) {
      if (l !== '*' && !/^\*[a-z0-9-]*$/i.test(l)) return 'a wildcard is only allowed as the first label';
      continue;
    }
    if (i === labels.length - 1 && l === '' && labels.length > 1) return 'a host must not end with a dot';
    if (!/^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/.test(l) || l.length > 63) {
      return l.includes('*') ? 'a wildcard is only allowed as the first label' : 'each label must be a DNS-1123 label';
    }
  }
  return undefined;
}

function stringMatch(out: Out, path: string, sm: any): void {
  if (!sm || typeof sm !== 'object') return;
  if (sm.prefix === '') err(out, 'CI2110', `${path}.prefix: "" is invalid: an empty prefix match is not allowed`);
  if (sm.regex !== undefined) {
    const r = regexRule(sm.regex);
    if (r) err(out, 'CI2111', `${path}.regex: ${q(truncate(sm.regex))} is invalid: ${r}`);
  }
}

/** A regex must be non-empty, at most 1024 characters, and compile as RE2. */
export function regexRule(re: unknown): string | undefined {
  if (typeof re !== 'string' || re === '') return 'an empty regex is not allowed';
  if (re.length > 1024) return `a regex must be at most 1024 characters (got ${re.length})`;
  try {
    const { RE2JS } = require('re2js');
    RE2JS.compile(re);
  } catch (e) {
    return `does not compile as RE2 (${e instanceof Error ? e.message : String(e)}); RE2 has no lookarounds or backreferences`;
  }
  return undefined;
}

function truncate(s: unknown): unknown {
  return typeof s === 'string' && s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function headerNames(out: Out, path: string, headers: any): void {
  if (!headers || typeof headers !== 'object') return;
  for (const [name, sm] of Object.entries(headers)) {
    if (httpToken(name)) err(out, 'CI2112', `${path}[${q(name)}]: header name is invalid: ${httpToken(name)}`);
    else if (name !== name.toLowerCase()) out.push({ code: 'CI2114', level: 'info', message: `${path}[${q(name)}]: header names are case-insensitive and HTTP/2 sends them lowercase; write ${q(name.toLowerCase())}` });
    stringMatch(out, `${path}[${q(name)}]`, sm);
  }
}

function portNumber(out: Out, code: string, path: string, v: unknown): void {
  if (v === undefined) return;
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 65535) err(out, code, `${path}: ${q(v)} is invalid: a port must be an integer in 1..65535`);
}

function destination(out: Out, path: string, d: any): void {
  if (!d || typeof d !== 'object') {
    err(out, 'CI2103', `${path}: a destination is required`);
    return;
  }
  if (d.host === undefined) return; // the schema reports the missing host
  if (d.host === '*') err(out, 'CI2104', `${path}.host: "*" is invalid: a destination host cannot be a wildcard`);
  else if (hostRule(d.host)) err(out, 'CI2104', `${path}.host: ${q(d.host)} is invalid: ${hostRule(d.host)}`);
  if (d.subset !== undefined && dns1123Label(d.subset)) err(out, 'CI2115', `${path}.subset: ${q(d.subset)} is invalid: ${dns1123Label(d.subset)}`);
  portNumber(out, 'CI2116', `${path}.port.number`, d.port?.number);
}

function weights(out: Out, path: string, routes: any[]): void {
  let sum = 0;
  routes.forEach((r, i) => {
    const w = r?.weight;
    if (typeof w === 'number') {
      if (w < 0) err(out, 'CI2101', `${path}[${i}].weight: ${w} is invalid: a weight must not be negative`);
      sum += w;
    }
  });
  if (routes.length > 1 && sum === 0) {
    err(out, 'CI2102', `${path}: the weights of ${routes.length} destinations sum to 0: at least one must be positive`);
  }
}

function retryOnRule(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'must be a string';
  for (const tok of v.split(',')) {
    if (tok !== tok.trim() || tok === '') return `${q(tok)}: tokens are comma-separated with no spaces`;
    if (RETRY_ON.has(tok)) continue;
    if (/^\d+$/.test(tok) && HTTP_STATUS.has(Number(tok))) continue;
    return `${q(tok)} is not a retry policy or a known HTTP status code`;
  }
  return undefined;
}

function virtualService(spec: any, out: Out): void {
  const hosts: any[] = Array.isArray(spec.hosts) ? spec.hosts : [];
  const gateways: any[] = Array.isArray(spec.gateways) ? spec.gateways : [];
  const boundToMesh = gateways.length === 0 || gateways.includes('mesh');
  const seen = new Set<string>();
  hosts.forEach((h, i) => {
    if (h === '*' && boundToMesh) err(out, 'CI2105', `spec.hosts[${i}]: "*" is invalid: a wildcard host is not allowed on a VirtualService bound to the mesh`);
    else if (hostRule(h)) err(out, 'CI2105', `spec.hosts[${i}]: ${q(h)} is invalid: ${hostRule(h)}`);
    if (typeof h === 'string') {
      if (seen.has(h.toLowerCase())) err(out, 'CI2106', `spec.hosts[${i}]: duplicate host ${q(h)}`);
      seen.add(h.toLowerCase());
    }
  });
  if (!spec.http && !spec.tcp && !spec.tls) err(out, 'CI2107', 'spec: at least one of http, tcp or tls is required');
  (Array.isArray(spec.http) ? spec.http : []).forEach((rule: any, i: number) => httpRoute(out, `spec.http[${i}]`, rule ?? {}));
  for (const proto of ['tcp', 'tls'] as const) {
    (Array.isArray(spec[proto]) ? spec[proto] : []).forEach((rule: any, i: number) => {
      const routes = Array.isArray(rule?.route) ? rule.route : [];
      if (routes.length === 0) err(out, 'CI2103', `spec.${proto}[${i}].route: at least one route destination is required`);
      routes.forEach((r: any, j: number) => destination(out, `spec.${proto}[${i}].route[${j}].destination`, r?.destination));
      weights(out, `spec.${proto}[${i}].route`, routes);
    });
  }
}

function httpRoute(out: Out, path: string, rule: any): void {
  const routes: any[] = Array.isArray(rule.route) ? rule.route : [];
  const hasRoute = routes.length > 0;
  if (hasRoute && (rule.redirect || rule.directResponse)) {
    err(out, 'CI2108', `${path}: route cannot be combined with ${rule.redirect ? 'redirect' : 'directResponse'}`);
  }
  if (!hasRoute && !rule.redirect && !rule.directResponse && !rule.delegate) {
    err(out, 'CI2103', `${path}.route: a route needs at least one destination (or a redirect, directResponse or delegate)`);
  }
  routes.forEach((r, j) => destination(out, `${path}.route[${j}].destination`, r?.destination));
  weights(out, `${path}.route`, routes);
  const mp = rule.mirrorPercentage?.value;
  if (typeof mp === 'number' && (mp < 0 || mp > 100)) err(out, 'CI2109', `${path}.mirrorPercentage.value: ${mp} is invalid: must be within 0..100`);
  duration(out, 'CI2113', `${path}.timeout`, rule.timeout);
  const rt = rule.retries;
  if (rt && typeof rt === 'object') {
    if (typeof rt.attempts === 'number' && rt.attempts < 0) err(out, 'CI2117', `${path}.retries.attempts: ${rt.attempts} is invalid: must be >= 0`);
    if (rt.attempts === 0 && (rt.perTryTimeout !== undefined || rt.retryOn !== undefined)) {
      err(out, 'CI2117', `${path}.retries: with attempts 0 (retries disabled), perTryTimeout and retryOn must not be set`);
    }
    duration(out, 'CI2113', `${path}.retries.perTryTimeout`, rt.perTryTimeout);
    duration(out, 'CI2113', `${path}.retries.backoff`, rt.backoff);
    if (rt.retryOn !== undefined) {
      const r = retryOnRule(rt.retryOn);
      if (r) err(out, 'CI2118', `${path}.retries.retryOn: ${q(rt.retryOn)} is invalid: ${r}`);
    }
  }
  (Array.isArray(rule.match) ? rule.match : []).forEach((mt: any, k: number) => {
    const mp2 = `${path}.match[${k}]`;
    if (!mt || typeof mt !== 'object') return;
    for (const f of ['uri', 'scheme', 'method', 'authority'] as const) stringMatch(out, `${mp2}.${f}`, mt[f]);
    headerNames(out, `${mp2}.headers`, mt.headers);
    headerNames(out, `${mp2}.withoutHeaders`, mt.withoutHeaders);
    if (mt.queryParams) for (const [qn, sm] of Object.entries(mt.queryParams)) stringMatch(out, `${mp2}.queryParams[${q(qn)}]`, sm);
    portNumber(out, 'CI2116', `${mp2}.port`, mt.port);
  });
  if (rule.fault?.delay) duration(out, 'CI2113', `${path}.fault.delay.fixedDelay`, rule.fault.delay.fixedDelay);
}

function trafficPolicy(out: Out, path: string, tp: any): void {
  if (tp === undefined) return;
  if (!tp || typeof tp !== 'object' || Object.keys(tp).length === 0) {
    err(out, 'CI2203', `${path}: an empty trafficPolicy is invalid: set at least one field`);
    return;
  }
  const cp = tp.connectionPool;
  if (cp !== undefined) {
    if (!cp || Object.keys(cp).length === 0) err(out, 'CI2203', `${path}.connectionPool: an empty connectionPool is invalid: set tcp or http`);
    const tcp = cp?.tcp ?? {};
    const http = cp?.http ?? {};
    for (const [k, v] of Object.entries({ ...prefixKeys('tcp', tcp), ...prefixKeys('http', http) })) {
      if (typeof v === 'number' && v < 0) err(out, 'CI2204', `${path}.connectionPool.${k}: ${v} is invalid: must not be negative`);
    }
    if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol === true) {
      err(out, 'CI2205', `${path}.connectionPool.http: h2UpgradePolicy UPGRADE cannot be combined with useClientProtocol`);
    }
    for (const k of ['connectTimeout', 'maxConnectionDuration', 'idleTimeout']) duration(out, 'CI2206', `${path}.connectionPool.tcp.${k}`, tcp[k]);
    duration(out, 'CI2206', `${path}.connectionPool.http.idleTimeout`, http.idleTimeout);
    const ka = tcp.tcpKeepalive;
    if (ka) {
      duration(out, 'CI2206', `${path}.connectionPool.tcp.tcpKeepalive.time`, ka.time);
      duration(out, 'CI2206', `${path}.connectionPool.tcp.tcpKeepalive.interval`, ka.interval);
    }
  }
  const od = tp.outlierDetection;
  if (od && typeof od === 'object') {
    for (const k of ['maxEjectionPercent', 'minHealthPercent']) {
      const v = od[k];
      if (typeof v === 'number' && (v < 0 || v > 100)) err(out, 'CI2207', `${path}.outlierDetection.${k}: ${v} is invalid: must be within 0..100`);
    }
    for (const k of ['consecutiveErrors', 'consecutive5xxErrors', 'consecutiveGatewayErrors', 'consecutiveLocalOriginFailures']) {
      const v = od[k];
      if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 4294967295)) {
        err(out, 'CI2208', `${path}.outlierDetection.${k}: ${q(v)} is invalid: must be a uint32 (0..4294967295)`);
      }
    }
    if (od.consecutiveLocalOriginFailures !== undefined && od.splitExternalLocalOriginErrors !== true) {
      err(out, 'CI2209', `${path}.outlierDetection.consecutiveLocalOriginFailures: requires splitExternalLocalOriginErrors: true`);
    }
    for (const k of ['interval', 'baseEjectionTime']) duration(out, 'CI2206', `${path}.outlierDetection.${k}`, od[k]);
  }
  (Array.isArray(tp.portLevelSettings) ? tp.portLevelSettings : []).forEach((pl: any, i: number) => {
    portNumber(out, 'CI2116', `${path}.portLevelSettings[${i}].port.number`, pl?.port?.number);
    const { port: _p, ...rest } = pl ?? {};
    if (Object.keys(rest).length) trafficPolicy(out, `${path}.portLevelSettings[${i}]`, rest);
  });
}

function prefixKeys(p: string, o: any): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o && typeof o === 'object' ? o : {}).map(([k, v]) => [`${p}.${k}`, v]));
}

function destinationRule(spec: any, out: Out): void {
  if (spec.host !== undefined && hostRule(spec.host)) err(out, 'CI2201', `spec.host: ${q(spec.host)} is invalid: ${hostRule(spec.host)}`);
  trafficPolicy(out, 'spec.trafficPolicy', spec.trafficPolicy);
  const names = new Set<string>();
  (Array.isArray(spec.subsets) ? spec.subsets : []).forEach((s: any, i: number) => {
    const p = `spec.subsets[${i}]`;
    if (typeof s?.name !== 'string' || dns1123Label(s.name)) err(out, 'CI2202', `${p}.name: ${q(s?.name)} is invalid: ${RULE(dns1123Label(s?.name))}`);
    else if (names.has(s.name)) err(out, 'CI2202', `${p}.name: duplicate subset name ${q(s.name)}`);
    if (typeof s?.name === 'string') names.add(s.name);
    for (const [k, v] of Object.entries(s?.labels ?? {})) {
      if (labelKey(k)) err(out, 'CI2210', `${p}.labels[${q(k)}]: ${labelKey(k)}`);
      else if (typeof v !== 'string' || labelValue(v)) err(out, 'CI2210', `${p}.labels[${q(k)}]: ${q(v)} is invalid: ${labelValue(String(v)) ?? 'must be a string'}`);
    }
    trafficPolicy(out, `${p}.trafficPolicy`, s?.trafficPolicy);
  });
}

function RULE(r: string | undefined): string {
  return r ?? 'invalid';
}

function peerAuthentication(spec: any, out: Out): void {
  const modes = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];
  if (spec.mtls?.mode !== undefined && !modes.includes(spec.mtls.mode)) {
    err(out, 'CI2301', `spec.mtls.mode: ${q(spec.mtls.mode)} is invalid: must be one of ${modes.join(', ')}`);
  }
  if (spec.portLevelMtls !== undefined) {
    if (!spec.selector) err(out, 'CI2302', 'spec.portLevelMtls: requires a workload selector (spec.selector)');
    const entries = Object.entries(spec.portLevelMtls ?? {});
    if (entries.length === 0) err(out, 'CI2302', 'spec.portLevelMtls: must have at least one entry');
    for (const [port, v] of entries) {
      const n = Number(port);
      if (!/^\d+$/.test(port) || n < 1 || n > 65535) err(out, 'CI2303', `spec.portLevelMtls[${q(port)}]: port must be a number in 1..65535`);
      const mode = (v as any)?.mode;
      if (mode !== undefined && !modes.includes(mode)) err(out, 'CI2301', `spec.portLevelMtls[${q(port)}].mode: ${q(mode)} is invalid: must be one of ${modes.join(', ')}`);
    }
  }
}

const HTTP_ONLY_OPERATION = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];
const HTTP_ONLY_SOURCE = ['requestPrincipals', 'notRequestPrincipals'];

function authorizationPolicy(spec: any, out: Out): void {
  const actions = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'];
  const action = spec.action ?? 'ALLOW';
  if (!actions.includes(action)) err(out, 'CI2401', `spec.action: ${q(action)} is invalid: must be one of ${actions.join(', ')}`);
  if ((action === 'DENY' || action === 'CUSTOM') && spec.rules === undefined) {
    err(out, 'CI2402', `spec.rules: a ${action} policy needs rules (a ${action} policy without rules is rejected)`);
  }
  if (action === 'CUSTOM' && !spec.provider?.name) err(out, 'CI2403', 'spec.provider.name: a CUSTOM policy needs a provider name');
  const targets = ['selector', 'targetRef', 'targetRefs'].filter((k) => spec[k] !== undefined);
  if (targets.length > 1) err(out, 'CI2404', `spec: at most one of selector, targetRef or targetRefs may be set (got ${targets.join(', ')})`);
  (Array.isArray(spec.rules) ? spec.rules : []).forEach((rule: any, i: number) => {
    const p = `spec.rules[${i}]`;
    if (!rule || typeof rule !== 'object') return;
    let httpOnly = false;
    let hasTcp = false;
    for (const [field, inner, httpFields] of [['from', 'source', HTTP_ONLY_SOURCE], ['to', 'operation', HTTP_ONLY_OPERATION]] as const) {
      if (rule[field] === undefined) continue;
      if (!Array.isArray(rule[field]) || rule[field].length === 0) {
        err(out, 'CI2405', `${p}.${field}: a present but empty ${field} is invalid`);
        continue;
      }
      rule[field].forEach((e: any, j: number) => {
        const ep = `${p}.${field}[${j}].${inner}`;
        const o = e?.[inner];
        if (!o || typeof o !== 'object' || Object.keys(o).length === 0) {
          err(out, 'CI2405', `${ep}: an empty ${inner} is invalid`);
          return;
        }
        if (inner === 'source' && o.serviceAccounts !== undefined && (o.principals !== undefined || o.namespaces !== undefined)) {
          err(out, 'CI2406', `${ep}.serviceAccounts: cannot be combined with principals or namespaces`);
        }
        for (const [k, vals] of Object.entries(o)) {
          if (!Array.isArray(vals)) continue;
          if ((httpFields as readonly string[]).includes(k)) httpOnly = true;
          else hasTcp = true;
          vals.forEach((v: unknown, n: number) => {
            if (v === '') err(out, 'CI2407', `${ep}.${k}[${n}]: an empty string is invalid`);
            if (k === 'ports' || k === 'notPorts') {
              if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) > 65535) err(out, 'CI2408', `${ep}.${k}[${n}]: ${q(v)} is invalid: a port must be numeric and at most 65535`);
            }
            if ((k === 'paths' || k === 'notPaths') && typeof v === 'string') {
              const r = pathTemplateRule(v);
              if (r) err(out, 'CI2409', `${ep}.${k}[${n}]: ${q(v)} is invalid: ${r}`);
            }
          });
        }
      });
    }
    (Array.isArray(rule.when) ? rule.when : rule.when === undefined ? [] : [null]).forEach((c: any, j: number) => {
      const cp = `${p}.when[${j}]`;
      if (!c || typeof c !== 'object') {
        err(out, 'CI2411', `${cp}: a condition must be an object with key and values`);
        return;
      }
      const r = whenKeyRule(c.key);
      if (r) err(out, 'CI2411', `${cp}.key: ${q(c.key)} is invalid: ${r}`);
      if ((!Array.isArray(c.values) || c.values.length === 0) && (!Array.isArray(c.notValues) || c.notValues.length === 0)) {
        err(out, 'CI2412', `${cp}: needs values or notValues`);
      }
      for (const k of ['values', 'notValues']) {
        (Array.isArray(c[k]) ? c[k] : []).forEach((v: unknown, n: number) => {
          if (v === '') err(out, 'CI2407', `${cp}.${k}[${n}]: an empty string is invalid`);
        });
      }
      if (typeof c.key === 'string' && c.key.startsWith('request.')) httpOnly = true;
      else hasTcp = true;
    });
    if (action === 'DENY' && httpOnly && !hasTcp) {
      warn(out, 'CI2410', `${p}: this DENY rule uses only HTTP attributes, so it also denies all TCP traffic on the ports in its scope`);
    }
  });
}

/** An AuthorizationPolicy path: `{*}` / `{**}` templates allowed, `{**}` only as the last segment. */
export function pathTemplateRule(p: string): string | undefined {
  if (!p.includes('{')) return undefined;
  const segs = p.split('/');
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (!s.includes('{') && !s.includes('}')) continue;
    if (s !== '{*}' && s !== '{**}') return 'a path template segment must be exactly {*} or {**}';
    if (s === '{**}' && i !== segs.length - 1) return '{**} must be the last path segment';
  }
  return undefined;
}

/** A `when` key: one of Istio's attributes, bracketed keys as `a[b]`. */
export function whenKeyRule(key: unknown): string | undefined {
  if (typeof key !== 'string' || key === '') return 'a key is required';
  const b = key.indexOf('[');
  if (b >= 0 || key.includes(']')) {
    const m = /^([^[\]]+)\[([^[\]]+)\]$/.exec(key);
    if (!m) return 'a bracketed key must have the form a[b]';
    if (!WHEN_BRACKET_KEYS.has(m[1])) return `unknown attribute ${q(m[1])}; bracketed keys are request.headers[X] and request.auth.claims[X]`;
    return undefined;
  }
  if (!WHEN_KEYS.has(key)) return `unknown attribute; allowed: request.headers[X], request.auth.claims[X], ${[...WHEN_KEYS].join(', ')}`;
  return undefined;
}

function telemetry(spec: any, out: Out): void {
  (Array.isArray(spec.tracing) ? spec.tracing : []).forEach((t: any, i: number) => {
    const p = `spec.tracing[${i}]`;
    const r = t?.randomSamplingPercentage;
    if (typeof r === 'number' && (r < 0 || r > 100)) err(out, 'CI2501', `${p}.randomSamplingPercentage: ${r} is invalid: must be within 0..100`);
    for (const [name, tag] of Object.entries(t?.customTags ?? {})) {
      const tp = `${p}.customTags[${q(name)}]`;
      if (name === '') err(out, 'CI2502', `${tp}: a custom tag name must not be empty`);
      const kinds = ['literal', 'header', 'environment'].filter((k) => (tag as any)?.[k] !== undefined);
      if (kinds.length !== 1) {
        err(out, 'CI2502', `${tp}: exactly one of literal, header or environment is required (got ${kinds.length ? kinds.join(', ') : 'none'})`);
        continue;
      }
      const v = (tag as any)[kinds[0]];
      if (kinds[0] === 'literal' && !v?.value) err(out, 'CI2502', `${tp}.literal.value: must not be empty`);
      if (kinds[0] !== 'literal' && !v?.name) err(out, 'CI2502', `${tp}.${kinds[0]}.name: must not be empty`);
    }
  });
  for (const section of ['tracing', 'accessLogging', 'metrics']) {
    (Array.isArray(spec[section]) ? spec[section] : []).forEach((t: any, i: number) => {
      (Array.isArray(t?.providers) ? t.providers : []).forEach((pr: any, j: number) => {
        if (!pr?.name) err(out, 'CI2503', `spec.${section}[${i}].providers[${j}].name: a provider name must not be empty`);
      });
    });
  }
}
