/**
 * Helpers shared by the istiod webhook checks: a finding sink, safe accessors for untrusted YAML,
 * and the rules istiod applies to several kinds (metadata annotations, workload selectors,
 * `targetRef(s)`, `exportTo`, destinations, connection pools, TLS options).
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/validation.go
 */
import { policyTargetRef } from '../rules/authz';
import { istioDuration } from '../rules/duration';
import { ipAddress } from '../rules/ip';
import { istioLabelKey, istioLabelValue, selectorEntry } from '../rules/labels';
import { istioDnsLabel, wildcardDomain } from '../rules/names';
import { nonNegativeInt32, percentInt } from '../rules/numbers';
import { port } from '../rules/ports';
import { CLIENT_TLS_FILE_FIELDS, clientTlsCredentialConflict } from '../rules/tls';
import { RawFinding } from './report';
import { DRY_RUN_ANNOTATION, parseGoBool } from '../rules/annotations';

/** Collects findings of one object. */
export class Sink {
  public readonly out: RawFinding[] = [];
  /** An error: istiod's webhook rejects the object. */
  public err(code: string, message: string): void {
    this.out.push({ code, level: 'error', message });
  }
  /** A warning: istiod admits the object and warns. */
  public warn(code: string, message: string): void {
    this.out.push({ code, level: 'warning', message });
  }
  /** An error when `rule` rejects `value`: `<path>: <value> is invalid: <rule>`. */
  public rule(code: string, path: string, value: unknown, rule: (v: any) => string | undefined): void {
    const bad = rule(value);
    if (bad) this.err(code, `${path}: ${q(value)} is invalid: ${bad}`);
  }
  /** Istio's duration rule on an optional duration field. */
  public duration(code: string, path: string, v: unknown): void {
    if (v !== undefined && v !== null) this.rule(code, path, v, istioDuration);
  }
}

/** JSON for messages, long strings cut. */
export function q(v: unknown): string {
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 120 ? `${s.slice(0, 100)}..."` : s;
}

/** The array at `v`, or [] when it is not one. */
export function arr(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

/** The object at `v`, or undefined when it is not a mapping. */
export function obj(v: unknown): Record<string, any> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : undefined;
}

/** The entries of a mapping (none when it is not one). */
export function entries(v: unknown): [string, any][] {
  const o = obj(v);
  return o ? Object.entries(o) : [];
}

/** Whether a repeated or map field is set and non-empty (proto3 treats `[]`/`{}` as unset). */
export function nonEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  const o = obj(v);
  return o !== undefined && Object.keys(o).length > 0;
}

/** Whether a string/number/bool scalar is set to a non-default value (proto3 semantics). */
export function setScalar(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && v !== 0 && v !== false;
}

/**
 * The annotations istiod's `validateMetadata` refuses on every Istio resource: `istio.io/dry-run`
 * outside AuthorizationPolicy (or with a value Go's `strconv.ParseBool` does not read, or on a
 * CUSTOM/AUDIT policy), and the internal ones users may not set.
 */
export function metadataAnnotations(m: any, s: Sink): void {
  const ann = obj(m.metadata?.annotations) ?? {};
  const isAuthz = m.kind === 'AuthorizationPolicy';
  const dry = ann[DRY_RUN_ANNOTATION];
  if (dry !== undefined) {
    if (!isAuthz) s.err('CI2010', `metadata.annotations["istio.io/dry-run"]: only an AuthorizationPolicy supports this annotation`);
    else {
      const action = m.spec?.action ?? 'ALLOW';
      if (action !== 'ALLOW' && action !== 'DENY') s.err('CI2010', `metadata.annotations["istio.io/dry-run"]: supported only with action ALLOW or DENY, not ${q(action)}`);
      else if (parseGoBool(dry) === undefined) {
        s.err('CI2010', `metadata.annotations["istio.io/dry-run"]: ${q(dry)} is invalid: must be a boolean ("true" or "false")`);
      }
    }
  }
  for (const k of ['internal.istio.io/webhook-always-reject', 'internal.istio.io/parent-namespace', 'internal.istio.io/parents']) {
    if (ann[k] !== undefined) s.err('CI2010', `metadata.annotations[${q(k)}]: this internal annotation may not be set by users`);
  }
}

/**
 * Istio's `validateWorkloadSelector` (`selector.matchLabels`) and `ValidateAlphaWorkloadSelector`
 * (`workloadSelector.labels`): no empty key, no `*`; an empty selector is a warning.
 */
export function workloadSelector(path: string, labels: unknown, present: boolean, s: Sink): void {
  if (!present) return;
  const es = entries(labels);
  for (const [k, v] of es) {
    const bad = selectorEntry(k, v);
    if (bad) s.err('CI2011', `${path}[${q(k)}]: ${bad}`);
  }
  if (es.length === 0) s.warn('CI2012', `${path}: a workload selector without labels selects every workload of the namespace`);
}

/** Istio's `validateOneOfSelectorType` plus `validatePolicyTargetReference(s)` (AuthorizationPolicy, RequestAuthentication, Telemetry). */
export function policyTargets(spec: any, s: Sink, code: string): void {
  const set = ['selector', 'targetRef', 'targetRefs'].filter((k) => (k === 'targetRefs' ? nonEmpty(spec[k]) : spec[k] !== undefined && spec[k] !== null));
  if (set.length > 1) s.err(code, `spec: only one of selector, targetRef or targetRefs may be set (got ${set.join(', ')})`);
  workloadSelector('spec.selector.matchLabels', spec.selector?.matchLabels, obj(spec.selector) !== undefined, s);
  if (spec.targetRef !== undefined && spec.targetRef !== null) s.rule('CI2013', 'spec.targetRef', spec.targetRef, policyTargetRef);
  arr(spec.targetRefs).forEach((r, i) => s.rule('CI2013', `spec.targetRefs[${i}]`, r, policyTargetRef));
}

/**
 * Istio's `validateExportTo`: entries are `.`, `*` or a namespace (`~` for ServiceEntries only),
 * no duplicates (`.` counts as the object's namespace), `*` alone, `~` alone.
 */
export function exportTo(path: string, list: unknown, namespace: string | undefined, s: Sink, isServiceEntry = false, drWithSelector = false): void {
  const items = arr(list);
  if (items.length === 0) return;
  const seen = new Set<string>();
  items.forEach((e, i) => {
    const key = e === '.' ? namespace ?? '.' : String(e);
    if (seen.has(key)) {
      s.err('CI2014', `${path}[${i}]: duplicate exportTo entry ${q(e)}`);
      return;
    }
    if (isServiceEntry && e === '~') {
      seen.add(key);
      return;
    }
    if (e === '~') s.err('CI2014', `${path}[${i}]: "~" is invalid: exportTo ~ (none) is only allowed for a ServiceEntry`);
    else if (e !== '.' && e !== '*' && istioDnsLabel(e)) s.err('CI2014', `${path}[${i}]: ${q(e)} is invalid: only ".", "*" or a namespace (a DNS-1123 label) is allowed`);
    else seen.add(key);
  });
  if (drWithSelector && seen.size > 0) {
    if (namespace !== undefined && seen.has(namespace)) {
      if (seen.size > 1) s.err('CI2014', `${path}: a DestinationRule with a workload selector cannot have several exportTo entries`);
    } else s.err('CI2014', `${path}: a DestinationRule with a workload selector cannot be exported beyond its own namespace`);
  }
  if (seen.has('*') && items.length > 1) s.err('CI2014', `${path}: "*" (public) cannot be combined with other exportTo entries`);
  if (seen.has('~') && items.length > 1) s.err('CI2014', `${path}: "~" (no one) cannot be combined with other exportTo entries`);
}

/** Istio's label check (`labels.Instance.Validate`) on a label map: keys and values. */
export function istioLabels(code: string, path: string, labels: unknown, s: Sink): void {
  for (const [k, v] of entries(labels)) {
    if (istioLabelKey(k)) s.err(code, `${path}[${q(k)}]: ${q(k)} is an invalid label key: ${istioLabelKey(k)}`);
    else if (istioLabelValue(v)) s.err(code, `${path}[${q(k)}]: ${q(v)} is invalid: ${istioLabelValue(v)}`);
  }
}

/**
 * Istio's `validateDestination`: host not `*` and a valid wildcard domain, subset (when set) an
 * Istio DNS label, port (when the selector is present) 1..65535.
 */
export function destination(path: string, d: any, s: Sink, hostCode = 'CI2104'): void {
  const o = obj(d);
  if (!o) return;
  if (o.host === '*') s.err(hostCode, `${path}.host: "*" is invalid: a destination host cannot be a wildcard`);
  else if (o.host !== undefined) s.rule(hostCode, `${path}.host`, o.host, wildcardDomain);
  if (setScalar(o.subset)) s.rule('CI2115', `${path}.subset`, o.subset, istioDnsLabel);
  if (o.port !== undefined && o.port !== null) s.rule('CI2116', `${path}.port.number`, o.port?.number ?? 0, port);
}

/** Istio's `validateConnectionPool`. */
export function connectionPool(path: string, cp: any, s: Sink): void {
  if (cp === undefined || cp === null) return;
  const o = obj(cp) ?? {};
  if ((o.http === undefined || o.http === null) && (o.tcp === undefined || o.tcp === null)) {
    s.err('CI2203', `${path}: an empty connectionPool is invalid: set tcp or http`);
    return;
  }
  const http = obj(o.http);
  if (http) {
    for (const k of ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'maxConcurrentStreams']) {
      if (typeof http[k] === 'number' && http[k] < 0) s.err('CI2204', `${path}.http.${k}: ${http[k]} is invalid: must not be negative`);
    }
    s.duration('CI2206', `${path}.http.idleTimeout`, http.idleTimeout);
    if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol === true) {
      s.err('CI2205', `${path}.http: h2UpgradePolicy UPGRADE cannot be combined with useClientProtocol`);
    }
  }
  const tcp = obj(o.tcp);
  if (tcp) {
    if (typeof tcp.maxConnections === 'number' && tcp.maxConnections < 0) s.err('CI2204', `${path}.tcp.maxConnections: ${tcp.maxConnections} is invalid: must not be negative`);
    s.duration('CI2206', `${path}.tcp.connectTimeout`, tcp.connectTimeout);
    s.duration('CI2206', `${path}.tcp.maxConnectionDuration`, tcp.maxConnectionDuration);
    // 0s disables the idle timeout and is allowed.
    if (tcp.idleTimeout !== undefined && !/^[+-]?0+(\.0*)?[a-zµμ]*$/.test(String(tcp.idleTimeout))) s.duration('CI2206', `${path}.tcp.idleTimeout`, tcp.idleTimeout);
    const ka = obj(tcp.tcpKeepalive);
    if (ka) {
      s.duration('CI2206', `${path}.tcp.tcpKeepalive.time`, ka.time);
      s.duration('CI2206', `${path}.tcp.tcpKeepalive.interval`, ka.interval);
    }
  }
}

/**
 * Istio's `validateTLSOptions` for a server TLS block (Gateway servers, Sidecar ingress). The mode
 * defaults to PASSTHROUGH, proto3's zero value.
 */
export function serverTls(path: string, tls: any, s: Sink): void {
  const t = obj(tls);
  if (!t) return;
  const mode = t.mode ?? 'PASSTHROUGH';
  const certs = arr(t.tlsCertificates);
  const credNames = arr(t.credentialNames);
  if (mode === 'ISTIO_MUTUAL') {
    for (const k of ['serverCertificate', 'privateKey', 'caCertificates', 'credentialName']) {
      if (setScalar(t[k])) s.err('CI2015', `${path}.${k}: ISTIO_MUTUAL TLS cannot have an associated ${k}`);
    }
    if (certs.length) s.err('CI2015', `${path}.tlsCertificates: ISTIO_MUTUAL TLS cannot have associated tlsCertificates`);
    if (credNames.length) s.err('CI2015', `${path}.credentialNames: ISTIO_MUTUAL TLS cannot have associated credentialNames`);
    return;
  }
  let sources = 0;
  if (setScalar(t.serverCertificate) && setScalar(t.privateKey)) sources++;
  if (setScalar(t.credentialName)) sources++;
  if (credNames.length) sources++;
  if (certs.length) sources++;
  if (sources > 1) s.err('CI2015', `${path}: only one of credentialName, credentialNames, serverCertificate/privateKey, tlsCertificates may be set`);
  const terminating = mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL';
  if (terminating && (setScalar(t.credentialName) || credNames.length)) return;
  if (terminating) {
    const mutual = mode !== 'SIMPLE';
    if (mutual && !setScalar(t.caCertificates)) s.err('CI2015', `${path}.caCertificates: ${mode} TLS requires a client CA bundle`);
    const toCheck = certs.length ? certs : [{ serverCertificate: t.serverCertificate, privateKey: t.privateKey }];
    toCheck.forEach((c: any) => {
      if (!setScalar(c?.serverCertificate)) s.err('CI2015', `${path}: ${mode} TLS requires a server certificate`);
      if (!setScalar(c?.privateKey)) s.err('CI2015', `${path}: ${mode} TLS requires a private key`);
    });
  }
  if (setScalar(t.caCrl)) {
    if (setScalar(t.credentialName)) s.err('CI2015', `${path}.caCrl: a CRL is not supported with credentialName`);
    if (mode === 'SIMPLE') s.err('CI2015', `${path}.caCrl: a CRL is not supported with SIMPLE TLS`);
  }
}

/** Istio's `agent.ValidateTLS` for client TLS settings (DestinationRule `trafficPolicy.tls`). */
export function clientTls(path: string, tls: any, namespace: string | undefined, s: Sink): void {
  const t = obj(tls);
  if (!t) return;
  const mode = t.mode ?? 'DISABLE';
  const cred = setScalar(t.credentialName) ? String(t.credentialName) : '';
  if (cred.startsWith('configmap://')) {
    const rest = cred.slice('configmap://'.length).split('/');
    const ns = rest.length === 2 ? rest[0] : namespace;
    if (rest.some((p) => p === '') || rest.length > 2 || ns !== namespace || !namespace) {
      s.err('CI2214', `${path}.credentialName: ${q(cred)} is invalid: a configmap:// credential must be in the object's own namespace`);
    }
  }
  const skip = t.insecureSkipVerify === true || t.insecureSkipVerify?.value === true;
  if (skip && mode === 'SIMPLE' && (setScalar(t.caCertificates) || cred || t.subjectAltNames !== undefined)) {
    s.err('CI2214', `${path}: with insecureSkipVerify, caCertificates, credentialName and subjectAltNames cannot be set`);
  }
  if (skip && mode === 'MUTUAL' && (setScalar(t.caCertificates) || t.subjectAltNames !== undefined)) {
    s.err('CI2214', `${path}: with insecureSkipVerify, caCertificates and subjectAltNames cannot be set`);
  }
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && cred) {
    const conflict = clientTlsCredentialConflict(mode, cred, CLIENT_TLS_FILE_FIELDS.filter((k) => setScalar(t[k])));
    if (conflict) s.err('CI2214', `${path}: ${conflict}`);
    return;
  }
  if (mode === 'MUTUAL') {
    if (!setScalar(t.clientCertificate)) s.err('CI2214', `${path}.clientCertificate: MUTUAL TLS requires a client certificate`);
    if (!setScalar(t.privateKey)) s.err('CI2214', `${path}.privateKey: MUTUAL TLS requires a private key`);
  }
}

/** A unix-socket path as Istio's `ValidateUnixAddress` wants it: absolute, no trailing `/`, or `@abstract`. */
export function unixAddress(v: string): string | undefined {
  if (v.length === 0) return 'a unix address must not be empty';
  if (v.startsWith('@')) return undefined;
  return v.startsWith('/') && !v.endsWith('/') ? undefined : `${q(v)} is not an absolute path to a file`;
}

/** Istio's `ValidatePercent` on an optional int. */
export function percentField(code: string, path: string, v: unknown, s: Sink): void {
  if (typeof v === 'number') s.rule(code, path, v, percentInt);
}

/** A bind address: empty, or an IP address. */
export function bindAddress(code: string, path: string, v: unknown, s: Sink): void {
  if (setScalar(v)) s.rule(code, path, v, ipAddress);
}

export { nonNegativeInt32 };
