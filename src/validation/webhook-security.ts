/**
 * istiod's webhook rules for security.istio.io and telemetry.istio.io kinds: AuthorizationPolicy,
 * PeerAuthentication, RequestAuthentication, Telemetry.
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/validation.go
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/security/security.go
 */
import {
  CUSTOM_UNSUPPORTED_SOURCE_FIELDS, customActionWhenKey, MAX_SERVICE_ACCOUNTS, nonEmptyValue, pathTemplate, serviceAccountValue,
  trustDomainValue, whenCondition, whenKey,
} from '../rules/authz';
import { ipOrCidr } from '../rules/ip';
import { authzPort } from '../rules/ports';
import { arr, entries, nonEmpty, obj, policyTargets, q, setScalar, Sink, workloadSelector } from './webhook-common';

const SOURCE_FIELDS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces',
  'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains'];
const OPERATION_FIELDS = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'];
const TCP_SOURCE_FIELDS = ['principals', 'notPrincipals', 'ipBlocks', 'notIpBlocks', 'namespaces', 'notNamespaces', 'remoteIpBlocks', 'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts'];

/** `ValidateAuthorizationPolicy`. */
export function authorizationPolicy(spec: any, s: Sink): void {
  policyTargets(spec, s, 'CI2404');
  const action = spec.action ?? 'ALLOW';
  if (!['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'].includes(action)) s.err('CI2401', `spec.action: ${q(action)} is invalid: must be one of ALLOW, DENY, AUDIT, CUSTOM`);
  const rulesSet = spec.rules !== undefined && spec.rules !== null;
  if (action === 'CUSTOM') {
    if (!rulesSet) s.err('CI2402', 'spec.rules: a CUSTOM policy without rules never triggers; add an empty rule {} to trigger it for every request');
    else if (!setScalar(spec.provider?.name)) s.err('CI2403', 'spec.provider.name: a CUSTOM policy needs a provider name');
    arr(spec.rules).forEach((rule: any, i: number) => {
      arr(rule?.from).forEach((f: any, j: number) => {
        const src = obj(f?.source);
        if (!src) return;
        for (const k of CUSTOM_UNSUPPORTED_SOURCE_FIELDS) {
          if (nonEmpty(src[k])) s.err('CI2415', `spec.rules[${i}].from[${j}].source.${k}: not supported with action CUSTOM`);
        }
      });
      arr(rule?.when).forEach((c: any, j: number) => {
        if (c === null || c === undefined) s.err('CI2411', `spec.rules[${i}].when[${j}]: a condition cannot be null`);
        else if (typeof c.key === 'string' && customActionWhenKey(c.key)) s.err('CI2415', `spec.rules[${i}].when[${j}].key: ${q(c.key)} is not supported with action CUSTOM`);
      });
    });
  }
  if (spec.provider !== undefined && spec.provider !== null && action !== 'CUSTOM') s.err('CI2416', `spec.provider: a provider is only allowed with action CUSTOM, not ${action}`);
  if (action === 'DENY' && !rulesSet) s.err('CI2402', 'spec.rules: a DENY policy without rules never triggers; add an empty rule {} to deny every request');

  arr(spec.rules).forEach((rule: any, i: number) => {
    const p = `spec.rules[${i}]`;
    if (rule === null || rule === undefined) {
      s.err('CI2405', `${p}: a rule must not be null`);
      return;
    }
    if (Array.isArray(rule.from) && rule.from.length === 0) s.err('CI2405', `${p}.from: a present but empty from is invalid`);
    let tcpInFrom = false;
    let tcpInTo = false;
    let fromExists = false;
    let toExists = false;
    arr(rule.from).forEach((f: any, j: number) => {
      const fp = `${p}.from[${j}]`;
      if (f === null || f === undefined) {
        s.err('CI2405', `${fp}: must not be null`);
        return;
      }
      const src = obj(f.source);
      if (!src) {
        s.err('CI2405', `${fp}.source: must not be null`);
        return;
      }
      fromExists = true;
      const n = (k: string) => arr(src[k]).length;
      if ((n('principals') + n('notPrincipals') + n('namespaces') + n('notNamespaces') > 0) && (n('serviceAccounts') + n('notServiceAccounts') > 0)) {
        s.err('CI2406', `${fp}.source.serviceAccounts: cannot be combined with principals or namespaces`);
      }
      if (SOURCE_FIELDS.every((k) => n(k) === 0)) s.err('CI2405', `${fp}.source: an empty source is invalid`);
      for (const k of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks']) {
        arr(src[k]).forEach((v: any, x: number) => {
          if (v === '') s.err('CI2407', `${fp}.source.${k}[${x}]: an empty string is invalid`);
          else s.rule('CI2413', `${fp}.source.${k}[${x}]`, v, ipOrCidr);
        });
      }
      for (const k of ['principals', 'requestPrincipals', 'namespaces', 'notPrincipals', 'notRequestPrincipals', 'notNamespaces']) {
        arr(src[k]).forEach((v: any, x: number) => {
          if (nonEmptyValue(v)) s.err('CI2407', `${fp}.source.${k}[${x}]: an empty string is invalid`);
        });
      }
      for (const k of ['serviceAccounts', 'notServiceAccounts']) {
        if (n(k) > MAX_SERVICE_ACCOUNTS) s.err('CI2417', `${fp}.source.${k}: at most ${MAX_SERVICE_ACCOUNTS} values are allowed`);
        arr(src[k]).forEach((v: any, x: number) => s.rule(v === '' ? 'CI2407' : 'CI2417', `${fp}.source.${k}[${x}]`, v, serviceAccountValue));
      }
      for (const k of ['trustDomains', 'notTrustDomains']) {
        arr(src[k]).forEach((v: any, x: number) => s.rule(v === '' ? 'CI2407' : 'CI2417', `${fp}.source.${k}[${x}]`, v, trustDomainValue));
      }
      if (TCP_SOURCE_FIELDS.some((k) => src[k] !== undefined && src[k] !== null)) tcpInFrom = true;
    });
    if (Array.isArray(rule.to) && rule.to.length === 0) s.err('CI2405', `${p}.to: a present but empty to is invalid`);
    arr(rule.to).forEach((t: any, j: number) => {
      const tp = `${p}.to[${j}]`;
      if (t === null || t === undefined) {
        s.err('CI2405', `${tp}: must not be null`);
        return;
      }
      const op = obj(t.operation);
      if (!op) {
        s.err('CI2405', `${tp}.operation: must not be null`);
        return;
      }
      toExists = true;
      if (OPERATION_FIELDS.every((k) => arr(op[k]).length === 0)) s.err('CI2405', `${tp}.operation: an empty operation is invalid`);
      for (const k of OPERATION_FIELDS) {
        arr(op[k]).forEach((v: any, x: number) => {
          if (v === '') {
            s.err('CI2407', `${tp}.operation.${k}[${x}]: an empty string is invalid`);
            return;
          }
          if (k === 'ports' || k === 'notPorts') s.rule('CI2408', `${tp}.operation.${k}[${x}]`, v, authzPort);
          if (k === 'paths' || k === 'notPaths') s.rule('CI2409', `${tp}.operation.${k}[${x}]`, v, pathTemplate);
        });
      }
      if (op.ports != null || op.notPorts != null) tcpInTo = true;
    });
    arr(rule.when).forEach((c: any, j: number) => {
      const cp = `${p}.when[${j}]`;
      const o = obj(c);
      if (!o || !setScalar(o.key)) {
        s.err('CI2411', `${cp}.key: a condition key must not be empty`);
        return;
      }
      const badKey = whenKey(o.key);
      if (badKey) {
        s.err('CI2411', `${cp}.key: ${q(o.key)} is invalid: ${badKey}`);
        return;
      }
      const values = arr(o.values);
      const notValues = arr(o.notValues);
      if (values.length === 0 && notValues.length === 0) {
        s.err('CI2412', `${cp}: needs values or notValues (key ${q(o.key)})`);
        return;
      }
      for (const [field, list] of [['values', values], ['notValues', notValues]] as const) {
        const empty = list.findIndex((v) => v === '');
        if (empty >= 0) {
          s.err('CI2407', `${cp}.${field}[${empty}]: an empty string is invalid`);
          continue;
        }
        const bad = whenCondition(o.key, list);
        if (bad) s.err('CI2413', `${cp}.${field}: invalid for key ${q(o.key)}: ${bad}`);
      }
    });
    // Istio's rule: a DENY rule whose from (without to) has only HTTP sources, or whose to has no ports.
    if (action === 'DENY' && ((fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo))) {
      s.warn('CI2410', `${p}: this DENY rule uses only HTTP attributes, so it also denies all TCP traffic on the ports in its scope; name the ports explicitly`);
    }
  });
}

/** `ValidatePeerAuthentication`. */
export function peerAuthentication(spec: any, s: Sink): void {
  const modes = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];
  if (spec.mtls?.mode !== undefined && !modes.includes(spec.mtls.mode)) {
    s.err('CI2301', `spec.mtls.mode: ${q(spec.mtls.mode)} is invalid: must be one of ${modes.join(', ')}`);
  }
  const selectorEmpty = !nonEmpty(spec.selector?.matchLabels);
  const plm = spec.portLevelMtls;
  if (plm !== undefined && plm !== null) {
    const es = entries(plm);
    if (selectorEmpty && es.length) s.err('CI2302', 'spec.portLevelMtls: a mesh- or namespace-wide PeerAuthentication (no selector labels) cannot have port-level mTLS');
    if (es.length === 0) s.err('CI2302', 'spec.portLevelMtls: must have at least one entry when present');
    for (const [k, v] of es) {
      const n = Number(k);
      if (!/^[0-9]+$/.test(k) || n < 1 || n > 65535) s.err('CI2303', `spec.portLevelMtls[${q(k)}]: port must be a number in 1..65535`);
      const mode = (v as any)?.mode;
      if (mode !== undefined && !modes.includes(mode)) s.err('CI2301', `spec.portLevelMtls[${q(k)}].mode: ${q(mode)} is invalid: must be one of ${modes.join(', ')}`);
    }
  }
  workloadSelector('spec.selector.matchLabels', spec.selector?.matchLabels, obj(spec.selector) !== undefined, s);
}

/** `ValidateRequestAuthentication` and `validateJwtRule`. */
export function requestAuthentication(spec: any, s: Sink): void {
  policyTargets(spec, s, 'CI2351');
  arr(spec.jwtRules).forEach((r: any, i: number) => {
    const p = `spec.jwtRules[${i}]`;
    const o = obj(r);
    if (!o) return;
    arr(o.audiences).forEach((a: any, j: number) => {
      if (!setScalar(a)) s.err('CI2352', `${p}.audiences[${j}]: an audience must be a non-empty string`);
    });
    if (!setScalar(o.issuer) && !setScalar(o.jwksUri)) s.err('CI2352', `${p}: issuer or jwksUri must be set`);
    if (setScalar(o.jwksUri)) {
      let scheme = '';
      try {
        scheme = new URL(String(o.jwksUri)).protocol;
      } catch {
        scheme = String(o.jwksUri).split(':')[0] + ':';
      }
      if (scheme !== 'http:' && scheme !== 'https:') s.err('CI2352', `${p}.jwksUri: ${q(o.jwksUri)} is invalid: the URI scheme must be http or https`);
    }
    if (setScalar(o.jwks)) {
      let keys: unknown;
      try {
        keys = JSON.parse(String(o.jwks));
      } catch (e) {
        s.err('CI2352', `${p}.jwks: does not parse as JSON: ${(e as Error).message}`);
      }
      if (keys !== undefined && (!obj(keys) || (!Array.isArray((keys as any).keys) && typeof (keys as any).kty !== 'string'))) {
        s.err('CI2352', `${p}.jwks: is not a JSON Web Key Set ({"keys": [...]}) or a JSON Web Key`);
      }
    }
    arr(o.fromHeaders).forEach((h: any, j: number) => {
      if (!obj(h) || !setScalar(h.name)) s.err('CI2353', `${p}.fromHeaders[${j}].name: a header name must be a non-empty string`);
    });
    arr(o.fromParams).forEach((v: any, j: number) => {
      if (!setScalar(v)) s.err('CI2353', `${p}.fromParams[${j}]: a query parameter must be a non-empty string`);
    });
    arr(o.fromCookies).forEach((v: any, j: number) => {
      if (!setScalar(v)) s.err('CI2353', `${p}.fromCookies[${j}]: a cookie name must be a non-empty string`);
    });
    arr(o.outputClaimToHeaders).forEach((c: any, j: number) => {
      const cp = `${p}.outputClaimToHeaders[${j}]`;
      if (!obj(c)) s.err('CI2353', `${cp}: must not be null`);
      else if (!setScalar(c.claim) || !setScalar(c.header)) s.err('CI2353', `${cp}: header and claim must be non-empty`);
      else if (!/^[-_A-Za-z0-9]+$/.test(String(c.header))) s.err('CI2353', `${cp}.header: ${q(c.header)} is invalid: letters, digits, '-' and '_' only`);
    });
    s.duration('CI2352', `${p}.timeout`, o.timeout);
  });
}

/** `ValidateTelemetry`. */
export function telemetry(spec: any, s: Sink): void {
  policyTargets(spec, s, 'CI2504');
  const providers = (path: string, list: unknown) => {
    const bad = arr(list).findIndex((pr: any) => !obj(pr) || !setScalar(pr.name));
    if (bad >= 0) s.err('CI2503', `${path}[${bad}].name: a provider name must not be empty`);
  };
  arr(spec.metrics).forEach((mt: any, i: number) => {
    const p = `spec.metrics[${i}]`;
    if (!obj(mt)) return;
    providers(`${p}.providers`, mt.providers);
    arr(mt.overrides).forEach((o: any, j: number) => {
      const op = `${p}.overrides[${j}]`;
      if (!obj(o)) {
        s.err('CI2505', `${op}: an override may not be null`);
        return;
      }
      for (const [tag, to] of entries(o.tagOverrides)) {
        if (tag === '') s.warn('CI2508', `${op}.tagOverrides: a tag name should not be empty`);
        if (!obj(to)) {
          s.err('CI2505', `${op}.tagOverrides[${q(tag)}]: may not be null`);
          continue;
        }
        const operation = to.operation ?? 'UPSERT';
        if (operation === 'UPSERT' && !setScalar(to.value)) s.err('CI2505', `${op}.tagOverrides[${q(tag)}].value: must be set when the operation is UPSERT`);
        if (operation === 'REMOVE' && setScalar(to.value)) s.err('CI2505', `${op}.tagOverrides[${q(tag)}].value: may only be set when the operation is UPSERT`);
      }
      if (obj(o.match) && o.match.customMetric !== undefined && !setScalar(o.match.customMetric)) s.err('CI2505', `${op}.match.customMetric: may not be empty`);
    });
  });
  const tracing = arr(spec.tracing);
  if (tracing.length > 1) s.warn('CI2506', 'spec.tracing: several tracing entries are not supported; only the first applies');
  tracing.forEach((t: any, i: number) => {
    const p = `spec.tracing[${i}]`;
    if (!obj(t)) return;
    if (arr(t.providers).length > 1) s.warn('CI2506', `${p}.providers: several providers are not supported; only the first applies`);
    providers(`${p}.providers`, t.providers);
    const r = typeof t.randomSamplingPercentage === 'object' ? t.randomSamplingPercentage?.value : t.randomSamplingPercentage;
    if (typeof r === 'number' && (r < 0 || r > 100)) s.err('CI2501', `${p}.randomSamplingPercentage: ${r} is invalid: must be within 0..100`);
    for (const [name, tag] of entries(t.customTags)) {
      const tp = `${p}.customTags[${q(name)}]`;
      if (name === '') s.err('CI2502', `${tp}: a custom tag name must not be empty`);
      if (tag === null || tag === undefined) {
        s.err('CI2502', `${tp}: a custom tag may not be null`);
        continue;
      }
      // A tag with no type ({}) is accepted by istiod; one with two types is no valid protobuf oneof.
      const kinds = ['literal', 'header', 'environment'].filter((k) => (tag as any)?.[k] !== undefined && (tag as any)?.[k] !== null);
      if (kinds.length > 1) {
        s.err('CI2502', `${tp}: at most one of literal, header or environment may be set (got ${kinds.join(', ')})`);
        continue;
      }
      if (kinds[0] === 'literal' && !setScalar((tag as any).literal?.value)) s.err('CI2502', `${tp}.literal.value: must not be empty`);
      if (kinds[0] === 'header' && !setScalar((tag as any).header?.name)) s.err('CI2502', `${tp}.header.name: must not be empty`);
      if (kinds[0] === 'environment' && !setScalar((tag as any).environment?.name)) s.err('CI2502', `${tp}.environment.name: must not be empty`);
    }
  });
  arr(spec.accessLogging).forEach((a: any, i: number) => {
    const p = `spec.accessLogging[${i}]`;
    if (!obj(a)) return;
    if (obj(a.filter)) {
      const bad = celParses(a.filter.expression);
      if (bad) s.err('CI2507', `${p}.filter.expression: ${q(a.filter.expression)} is invalid: must be a valid CEL expression (${bad})`);
    }
    providers(`${p}.providers`, a.providers);
  });
}

/** Whether a CEL expression parses (Istio parses access-log filters with cel-go). */
function celParses(expr: unknown): string | undefined {
  if (typeof expr !== 'string') return 'must be a string';
  try {
    const { parse } = require('@bufbuild/cel') as { parse?: (s: string) => unknown };
    if (typeof parse === 'function') parse(expr);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
}
