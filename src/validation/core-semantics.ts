/**
 * The Kubernetes API server's own validation of the core kinds we read or write, beyond their
 * OpenAPI schemas: `pkg/apis/core/validation/validation.go` (Namespace, ServiceAccount, Service,
 * ConfigMap, Secret, PodTemplateSpec), `pkg/apis/apps/validation` (Deployment),
 * `pkg/apis/autoscaling/validation` (HorizontalPodAutoscaler v2) and `pkg/apis/policy/validation`
 * (PodDisruptionBudget v1), Kubernetes 1.33 (the API level of kubernetes-models 4.5.1). Ranges,
 * formats, IPs, selector/label agreement, uniqueness, quantities and required fields; the schema
 * (types, enums) is core-kinds.ts's job and unknown fields are core-fields.ts's.
 *
 * Findings are CI1203 errors (the API server rejects the object) with the field path Kubernetes
 * reports, and CI1204 warnings (an application port Istio's sidecar reserves).
 */
import { ipFamily, k8sCidr, k8sIp } from '../rules/ip';
import { labelKey, labelValue } from '../rules/labels';
import { dns1123Label, dns1123Subdomain } from '../rules/names';
import { ianaPortName, notReservedPort, port } from '../rules/ports';
import { configMapKey, envVarName } from '../rules/workload';
import { autoscalingReplicas, probeField, probeSuccessThreshold } from '../rules/workload-spec';
import { anyQuantity, quantityValue } from '../rules/quantity';
import { RawFinding } from './report';

type Out = RawFinding[];
const q = (v: unknown) => JSON.stringify(v);
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, any> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as any) : undefined);
const entries = (v: unknown): [string, any][] => Object.entries(obj(v) ?? {});
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function err(out: Out, path: string, value: unknown, rule: string): void {
  out.push({ code: 'CI1203', level: 'error', message: value === undefined ? `${path}: ${rule}` : `${path}: ${q(value)} is invalid: ${rule}` });
}
function required(out: Out, path: string): void {
  out.push({ code: 'CI1203', level: 'error', message: `${path}: Required value` });
}
function rule(out: Out, path: string, value: unknown, r: (v: any) => string | undefined): void {
  const bad = r(value);
  if (bad) err(out, path, value, bad);
}
function nonNegative(out: Out, path: string, v: unknown): void {
  if (isInt(v) && v < 0) err(out, path, v, 'must be greater than or equal to 0');
}

/** `IsConfigMapKey` and `IsEnvVarName`, stated once in src/rules/workload.ts. */
export { configMapKey } from '../rules/workload';

/** `IsValidPercent`: `^[0-9]+%$`. */
function intOrPercent(out: Out, path: string, v: unknown, maxPercent?: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) err(out, path, v, 'must be greater than or equal to 0');
    return undefined;
  }
  if (typeof v !== 'string' || !/^[0-9]+%$/.test(v)) {
    err(out, path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%')");
    return undefined;
  }
  const n = Number(v.slice(0, -1));
  if (maxPercent !== undefined && n > maxPercent) err(out, path, v, `must not be greater than ${maxPercent}%`);
  return n;
}

/** `ValidateLabelSelector` (matchLabels, matchExpressions). Returns whether it selects anything specific. */
function labelSelector(out: Out, path: string, sel: any): void {
  const s = obj(sel);
  if (!s) return;
  for (const [k, v] of entries(s.matchLabels)) {
    if (labelKey(k)) err(out, `${path}.matchLabels`, k, labelKey(k)!);
    else if (labelValue(v)) err(out, `${path}.matchLabels[${q(k)}]`, v, labelValue(v)!);
  }
  arr(s.matchExpressions).forEach((e: any, i: number) => {
    const p = `${path}.matchExpressions[${i}]`;
    if (labelKey(e?.key)) err(out, `${p}.key`, e?.key, labelKey(e?.key)!);
    const op = e?.operator;
    const values = arr(e?.values);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) err(out, `${p}.values`, undefined, 'must be specified when `operator` is \'In\' or \'NotIn\'');
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length) err(out, `${p}.values`, undefined, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'');
    } else err(out, `${p}.operator`, op, 'not a valid selector operator (In, NotIn, Exists, DoesNotExist)');
    values.forEach((v: any, j: number) => rule(out, `${p}.values[${j}]`, v, labelValue));
  });
}

/** Whether a label set satisfies a selector (matchLabels and matchExpressions). */
function selectorMatches(sel: any, labels: Record<string, unknown>): boolean {
  const s = obj(sel) ?? {};
  for (const [k, v] of entries(s.matchLabels)) if (labels[k] !== v) return false;
  for (const e of arr(s.matchExpressions)) {
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    const values = arr(e?.values);
    if (e?.operator === 'In' && !(has && values.includes(labels[e.key]))) return false;
    if (e?.operator === 'NotIn' && has && values.includes(labels[e.key])) return false;
    if (e?.operator === 'Exists' && !has) return false;
    if (e?.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** `ValidateObjectMeta` beyond name and namespace (schema.ts): annotations size, finalizers. */
function objectMetaExtras(out: Out, path: string, md: any): void {
  const m = obj(md);
  if (!m) return;
  let size = 0;
  for (const [k, v] of entries(m.annotations)) size += k.length + (typeof v === 'string' ? v.length : 0);
  if (size > 256 * 1024) err(out, `${path}.annotations`, undefined, `Too long: must have at most 262144 bytes (has ${size})`);
  arr(m.finalizers).forEach((f: any, i: number) => rule(out, `${path}.finalizers[${i}]`, f, labelKey));
}

/** Checks a core kind as the API server's validation does. */
export function checkCoreSemantics(m: any): RawFinding[] {
  const out: Out = [];
  warnReserved = m.metadata?.namespace !== 'istio-system' && m.metadata?.labels?.istio === undefined;
  objectMetaExtras(out, 'metadata', m.metadata);
  const key = `${m.apiVersion}/${m.kind}`;
  const spec = obj(m.spec) ?? {};
  switch (key) {
    case 'v1/Namespace':
      arr(spec.finalizers).forEach((f: any, i: number) => rule(out, `spec.finalizers[${i}]`, f, labelKey));
      break;
    case 'v1/ServiceAccount':
      arr(m.secrets).forEach((s: any, i: number) => {
        if (s?.name !== undefined) rule(out, `secrets[${i}].name`, s.name, dns1123Subdomain);
      });
      arr(m.imagePullSecrets).forEach((s: any, i: number) => secretName(out, `imagePullSecrets[${i}].name`, s?.name, true));
      break;
    case 'v1/ConfigMap':
      dataKeys(out, m, 1024 * 1024);
      break;
    case 'v1/Secret':
      dataKeys(out, m, 1024 * 1024);
      break;
    case 'v1/Service':
      service(out, spec);
      break;
    case 'apps/v1/Deployment':
      deployment(out, spec);
      break;
    case 'autoscaling/v2/HorizontalPodAutoscaler':
      hpa(out, spec);
      break;
    case 'policy/v1/PodDisruptionBudget':
      pdb(out, spec);
      break;
    default:
      break;
  }
  return out;
}

function dataKeys(out: Out, m: any, maxBytes: number): void {
  const seen = new Set<string>();
  let size = 0;
  for (const field of ['data', 'binaryData', 'stringData']) {
    for (const [k, v] of entries(m[field])) {
      rule(out, `${field}[${q(k)}]`, k, configMapKey);
      if (field !== 'stringData' && seen.has(k)) err(out, `${field}[${q(k)}]`, k, 'duplicate of a key in data');
      seen.add(k);
      size += typeof v === 'string' ? (field === 'binaryData' ? Math.floor(v.length * 3 / 4) : v.length) : 0;
    }
  }
  if (size > maxBytes) err(out, 'data', undefined, `Too long: must have at most ${maxBytes} bytes`);
}

function secretName(out: Out, path: string, name: unknown, optionalEmpty = false): void {
  if (name === undefined || name === '') {
    if (!optionalEmpty) required(out, path);
    return;
  }
  rule(out, path, name, dns1123Subdomain);
}

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

/** `ValidateService` (pkg/apis/core/validation/validation.go). */
function service(out: Out, spec: any): void {
  const type = spec.type ?? 'ClusterIP';
  const headless = spec.clusterIP === 'None';
  const ports = arr(spec.ports);
  if (type === 'ExternalName') {
    if (spec.clusterIP !== undefined && spec.clusterIP !== '') err(out, 'spec.clusterIP', spec.clusterIP, 'must be empty for ExternalName services');
    if (!spec.externalName) required(out, 'spec.externalName');
    else {
      const name = String(spec.externalName).replace(/\.$/, '');
      if (dns1123Subdomain(name)) err(out, 'spec.externalName', spec.externalName, 'must be a lowercase RFC-1123 hostname');
    }
  } else if (ports.length === 0 && !headless) required(out, 'spec.ports');
  if (SERVICE_TYPES.includes(type) && type !== 'LoadBalancer') {
    if (nonEmpty(spec.loadBalancerSourceRanges)) err(out, 'spec.loadBalancerSourceRanges', undefined, "may only be used when `type` is 'LoadBalancer'");
    if (spec.loadBalancerClass != null) err(out, 'spec.loadBalancerClass', undefined, "may only be used when `type` is 'LoadBalancer'");
    if (spec.allocateLoadBalancerNodePorts != null && type !== 'ExternalName') err(out, 'spec.allocateLoadBalancerNodePorts', undefined, "may only be used when `type` is 'LoadBalancer'");
  }
  if (spec.loadBalancerClass != null) rule(out, 'spec.loadBalancerClass', spec.loadBalancerClass, labelKey);
  const names = new Set<string>();
  const pairs = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p: any, i: number) => {
    const pp = `spec.ports[${i}]`;
    if (!obj(p)) return;
    if (ports.length > 1 && !p.name) required(out, `${pp}.name`);
    if (p.name) {
      rule(out, `${pp}.name`, p.name, dns1123Label);
      if (names.has(p.name)) err(out, `${pp}.name`, p.name, 'Duplicate value');
      names.add(p.name);
    }
    if (p.port === undefined) required(out, `${pp}.port`);
    else rule(out, `${pp}.port`, p.port, port);
    const proto = p.protocol ?? 'TCP';
    const pair = `${p.port}/${proto}`;
    if (pairs.has(pair)) err(out, `${pp}`, pair, 'Duplicate value: a port and protocol may appear once');
    pairs.add(pair);
    if (p.targetPort !== undefined && p.targetPort !== 0) portOrName(out, `${pp}.targetPort`, p.targetPort);
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (type === 'ClusterIP' || type === 'ExternalName') err(out, `${pp}.nodePort`, p.nodePort, `may not be used when \`type\` is '${type}'`);
      else rule(out, `${pp}.nodePort`, p.nodePort, port);
      const np = `${p.nodePort}/${proto}`;
      if (nodePorts.has(np)) err(out, `${pp}.nodePort`, p.nodePort, 'Duplicate value');
      nodePorts.add(np);
    }
    if (p.appProtocol !== undefined) rule(out, `${pp}.appProtocol`, p.appProtocol, labelKey);
    if (typeof p.targetPort === 'number') reserved(out, `${pp}.targetPort`, p.targetPort);
  });
  if (spec.clusterIP !== undefined && spec.clusterIP !== '' && spec.clusterIP !== 'None' && type !== 'ExternalName') rule(out, 'spec.clusterIP', spec.clusterIP, k8sIp);
  const cips = arr(spec.clusterIPs);
  if (cips.length > 2) err(out, 'spec.clusterIPs', undefined, 'may only hold up to 2 values');
  if (cips.length && spec.clusterIP !== undefined && spec.clusterIP !== '' && cips[0] !== spec.clusterIP) err(out, 'spec.clusterIPs[0]', cips[0], 'must match `clusterIP` when present');
  cips.forEach((ip: any, i: number) => {
    if (ip === 'None' && i === 0) return;
    rule(out, `spec.clusterIPs[${i}]`, ip, k8sIp);
  });
  if (cips.length === 2 && ipFamily(String(cips[0])) && ipFamily(String(cips[0])) === ipFamily(String(cips[1]))) err(out, 'spec.clusterIPs', undefined, 'may specify no more than one IP for each IP family');
  arr(spec.externalIPs).forEach((ip: any, i: number) => {
    const bad = k8sIp(ip);
    if (bad) err(out, `spec.externalIPs[${i}]`, ip, bad);
    else {
      const special = specialIp(String(ip));
      if (special) err(out, `spec.externalIPs[${i}]`, ip, special);
    }
  });
  if (spec.loadBalancerIP !== undefined && spec.loadBalancerIP !== '') rule(out, 'spec.loadBalancerIP', spec.loadBalancerIP, k8sIp);
  arr(spec.loadBalancerSourceRanges).forEach((r: any, i: number) => rule(out, `spec.loadBalancerSourceRanges[${i}]`, typeof r === 'string' ? r.trim() : r, k8sCidr));
  for (const [k, v] of entries(spec.selector)) {
    if (labelKey(k)) err(out, 'spec.selector', k, labelKey(k)!);
    else if (labelValue(v)) err(out, `spec.selector[${q(k)}]`, v, labelValue(v)!);
  }
  const affinityTimeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinityConfig != null && (spec.sessionAffinity ?? 'None') !== 'ClientIP') err(out, 'spec.sessionAffinityConfig', undefined, "must not be set when `sessionAffinity` is 'None'");
  if (affinityTimeout !== undefined && !(isInt(affinityTimeout) && affinityTimeout > 0 && affinityTimeout <= 86400)) err(out, 'spec.sessionAffinityConfig.clientIP.timeoutSeconds', affinityTimeout, 'must be greater than 0 and less than 86400');
  const external = type === 'NodePort' || type === 'LoadBalancer';
  if (spec.externalTrafficPolicy != null && spec.externalTrafficPolicy !== '' && !external) err(out, 'spec.externalTrafficPolicy', undefined, 'may only be set for externally-accessible services');
  if (setInt(spec.healthCheckNodePort) && !(type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local')) err(out, 'spec.healthCheckNodePort', undefined, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'");
  const families = arr(spec.ipFamilies);
  if (families.length > 2) err(out, 'spec.ipFamilies', undefined, 'may only hold up to 2 values');
  if (families.length === 2 && families[0] === families[1]) err(out, 'spec.ipFamilies[1]', families[1], 'Duplicate value');
  if (spec.ipFamilyPolicy === 'SingleStack' && families.length > 1) err(out, 'spec.ipFamilyPolicy', 'SingleStack', 'must be RequireDualStack or PreferDualStack when multiple IP families are specified');
  if (type === 'ExternalName' && (families.length || spec.ipFamilyPolicy != null)) err(out, 'spec.ipFamilies', undefined, 'may not be set for ExternalName services');
}

function setInt(v: unknown): boolean {
  return typeof v === 'number' && v !== 0;
}

function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

/** `ValidateNonSpecialIP` (Service `externalIPs`). */
function specialIp(ip: string): string | undefined {
  if (ip === '0.0.0.0' || ip === '::' || /^0+\.0+\.0+\.0+$/.test(ip)) return 'may not be unspecified (0.0.0.0)';
  if (/^0*127\./.test(ip) || ip === '::1') return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
  if (/^0*169\.0*254\./.test(ip) || /^fe[89ab][0-9a-f]?:/i.test(ip)) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  const first = Number(ip.split('.')[0]);
  if ((ip.includes('.') && !ip.includes(':') && first >= 224 && first <= 239) || /^ff[0-9a-f]{0,2}:/i.test(ip)) return 'may not be in the multicast range (224.0.0.0/4, ff00::/8)';
  return undefined;
}

/** A container/target port: 1..65535 or an IANA service name. */
function portOrName(out: Out, path: string, v: unknown): void {
  if (typeof v === 'number') rule(out, path, v, port);
  else if (typeof v === 'string') {
    // An int-or-string holding digits is a number for the API server.
    if (/^[0-9]+$/.test(v)) rule(out, path, Number(v), port);
    else rule(out, path, v, ianaPortName);
  }
}

/**
 * The Istio-reserved port warning for application workloads; Istio's own components (namespace
 * istio-system, label `istio`) use those ports on purpose.
 */
function reserved(out: Out, path: string, v: number): void {
  if (!warnReserved) return;
  const bad = notReservedPort(v);
  if (bad) out.push({ code: 'CI1204', level: 'warning', message: `${path}: ${bad}` });
}

let warnReserved = true;

/** `ValidateDeployment` (pkg/apis/apps/validation). */
function deployment(out: Out, spec: any): void {
  nonNegative(out, 'spec.replicas', spec.replicas);
  nonNegative(out, 'spec.minReadySeconds', spec.minReadySeconds);
  nonNegative(out, 'spec.revisionHistoryLimit', spec.revisionHistoryLimit);
  if (spec.progressDeadlineSeconds !== undefined) {
    nonNegative(out, 'spec.progressDeadlineSeconds', spec.progressDeadlineSeconds);
    if (isInt(spec.progressDeadlineSeconds) && isInt(spec.minReadySeconds) && spec.progressDeadlineSeconds <= spec.minReadySeconds) {
      err(out, 'spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds');
    }
  }
  const sel = obj(spec.selector);
  if (!sel) required(out, 'spec.selector');
  else {
    if (!Object.keys(obj(sel.matchLabels) ?? {}).length && !arr(sel.matchExpressions).length) err(out, 'spec.selector', sel, 'empty selector is invalid for deployment');
    labelSelector(out, 'spec.selector', sel);
  }
  const tpl = obj(spec.template);
  if (!tpl) {
    required(out, 'spec.template');
    return;
  }
  const labels = obj(tpl.metadata?.labels) ?? {};
  if (sel && !selectorMatches(sel, labels)) err(out, 'spec.template.metadata.labels', labels, '`selector` does not match template `labels`');
  podTemplate(out, 'spec.template', tpl, true);
  const strategy = obj(spec.strategy);
  if (strategy) {
    const type = strategy.type ?? 'RollingUpdate';
    if (type === 'Recreate' && strategy.rollingUpdate != null) err(out, 'spec.strategy.rollingUpdate', undefined, "may not be specified when strategy `type` is 'Recreate'");
    const ru = obj(strategy.rollingUpdate);
    if (ru) {
      const unavailable = intOrPercent(out, 'spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 100);
      const surge = intOrPercent(out, 'spec.strategy.rollingUpdate.maxSurge', ru.maxSurge);
      const zero = (v: unknown, pct: number | undefined) => v === 0 || pct === 0;
      if (zero(ru.maxUnavailable, unavailable) && zero(ru.maxSurge, surge)) err(out, 'spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0');
    }
  }
}

/** `ValidatePodTemplateSpec` with the Deployment rules (restartPolicy Always). */
function podTemplate(out: Out, path: string, tpl: any, deploymentTemplate: boolean): void {
  for (const [k, v] of entries(tpl.metadata?.labels)) {
    if (labelKey(k)) err(out, `${path}.metadata.labels`, k, labelKey(k)!);
    else if (labelValue(v)) err(out, `${path}.metadata.labels[${q(k)}]`, v, labelValue(v)!);
  }
  for (const [k] of entries(tpl.metadata?.annotations)) if (labelKey(k)) err(out, `${path}.metadata.annotations`, k, labelKey(k)!);
  const spec = obj(tpl.spec);
  if (!spec) {
    required(out, `${path}.spec`);
    return;
  }
  podSpec(out, `${path}.spec`, spec, deploymentTemplate);
}

const RESTART = ['Always', 'OnFailure', 'Never'];

/** `ValidatePodSpec`. */
function podSpec(out: Out, path: string, spec: any, deploymentTemplate: boolean): void {
  const restart = spec.restartPolicy ?? 'Always';
  if (deploymentTemplate && restart !== 'Always') err(out, `${path}.restartPolicy`, restart, "Unsupported value: only 'Always' is supported in a Deployment");
  else if (!RESTART.includes(restart)) err(out, `${path}.restartPolicy`, restart, 'Unsupported value');
  const volumes = new Set<string>();
  arr(spec.volumes).forEach((v: any, i: number) => {
    const vp = `${path}.volumes[${i}]`;
    if (!v?.name) required(out, `${vp}.name`);
    else {
      rule(out, `${vp}.name`, v.name, dns1123Label);
      if (volumes.has(v.name)) err(out, `${vp}.name`, v.name, 'Duplicate value');
      volumes.add(v.name);
    }
    const sources = Object.keys(obj(v) ?? {}).filter((k) => k !== 'name');
    if (sources.length === 0) err(out, vp, undefined, 'must specify a volume type');
    else if (sources.length > 1) err(out, vp, undefined, `may not specify more than 1 volume type (got ${sources.join(', ')})`);
    if (v?.configMap) {
      if (v.configMap.name !== undefined) rule(out, `${vp}.configMap.name`, v.configMap.name, dns1123Subdomain);
      keyPaths(out, `${vp}.configMap.items`, v.configMap.items);
    }
    if (v?.secret) {
      if (v.secret.secretName !== undefined) secretName(out, `${vp}.secret.secretName`, v.secret.secretName);
      keyPaths(out, `${vp}.secret.items`, v.secret.items);
    }
    if (v?.emptyDir?.sizeLimit !== undefined) quantityField(out, `${vp}.emptyDir.sizeLimit`, v.emptyDir.sizeLimit);
  });
  const names = new Set<string>();
  const containers = arr(spec.containers);
  if (containers.length === 0) required(out, `${path}.containers`);
  for (const [field, list] of [['initContainers', arr(spec.initContainers)], ['containers', containers]] as const) {
    const portNames = new Set<string>();
    list.forEach((c: any, i: number) => container(out, `${path}.${field}[${i}]`, c, names, volumes, field === 'containers' ? portNames : new Set(), field === 'initContainers'));
  }
  if (spec.serviceAccountName !== undefined && spec.serviceAccountName !== '') rule(out, `${path}.serviceAccountName`, spec.serviceAccountName, dns1123Subdomain);
  if (spec.terminationGracePeriodSeconds !== undefined) nonNegative(out, `${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds);
  if (isInt(spec.activeDeadlineSeconds) && spec.activeDeadlineSeconds <= 0) err(out, `${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be greater than 0');
  arr(spec.imagePullSecrets).forEach((s: any, i: number) => secretName(out, `${path}.imagePullSecrets[${i}].name`, s?.name, true));
  arr(spec.hostAliases).forEach((h: any, i: number) => {
    if (h?.ip === undefined) required(out, `${path}.hostAliases[${i}].ip`);
    else rule(out, `${path}.hostAliases[${i}].ip`, h.ip, k8sIp);
    arr(h?.hostnames).forEach((n: any, j: number) => rule(out, `${path}.hostAliases[${i}].hostnames[${j}]`, n, dns1123Subdomain));
  });
  for (const [k, v] of entries(spec.nodeSelector)) {
    if (labelKey(k)) err(out, `${path}.nodeSelector`, k, labelKey(k)!);
    else if (labelValue(v)) err(out, `${path}.nodeSelector[${q(k)}]`, v, labelValue(v)!);
  }
  arr(spec.tolerations).forEach((t: any, i: number) => {
    const tp = `${path}.tolerations[${i}]`;
    if (t?.key) rule(out, `${tp}.key`, t.key, labelKey);
    const op = t?.operator ?? 'Equal';
    if (!t?.key && op !== 'Exists') err(out, `${tp}.operator`, op, 'must be Exists when `key` is empty, which means "match all values and all keys"');
    if (op === 'Exists' && t?.value) err(out, `${tp}.operator`, op, 'value must be empty when `operator` is \'Exists\'');
    if (op !== 'Exists' && op !== 'Equal') err(out, `${tp}.operator`, op, 'Unsupported value: "Equal", "Exists"');
    if (t?.tolerationSeconds !== undefined && t.effect !== 'NoExecute') err(out, `${tp}.effect`, t.effect, "effect must be 'NoExecute' when `tolerationSeconds` is set");
  });
  arr(spec.topologySpreadConstraints).forEach((c: any, i: number) => {
    const cp = `${path}.topologySpreadConstraints[${i}]`;
    if (!(isInt(c?.maxSkew) && c.maxSkew > 0)) err(out, `${cp}.maxSkew`, c?.maxSkew, 'must be greater than zero');
    if (!c?.topologyKey) required(out, `${cp}.topologyKey`);
    else rule(out, `${cp}.topologyKey`, c.topologyKey, labelKey);
    if (c?.minDomains !== undefined && !(isInt(c.minDomains) && c.minDomains > 0)) err(out, `${cp}.minDomains`, c.minDomains, 'must be greater than 0');
    labelSelector(out, `${cp}.labelSelector`, c?.labelSelector);
  });
  const aff = obj(spec.affinity);
  if (aff) {
    for (const kind of ['podAffinity', 'podAntiAffinity']) {
      arr(aff[kind]?.requiredDuringSchedulingIgnoredDuringExecution).forEach((t: any, i: number) => {
        const ap = `${path}.affinity.${kind}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`;
        if (!t?.topologyKey) required(out, `${ap}.topologyKey`);
        labelSelector(out, `${ap}.labelSelector`, t?.labelSelector);
      });
      arr(aff[kind]?.preferredDuringSchedulingIgnoredDuringExecution).forEach((w: any, i: number) => {
        const ap = `${path}.affinity.${kind}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
        if (!(isInt(w?.weight) && w.weight >= 1 && w.weight <= 100)) err(out, `${ap}.weight`, w?.weight, 'must be in the range 1-100');
        if (!w?.podAffinityTerm?.topologyKey) required(out, `${ap}.podAffinityTerm.topologyKey`);
      });
    }
  }
}

function keyPaths(out: Out, path: string, items: unknown): void {
  arr(items).forEach((it: any, i: number) => {
    if (!it?.key) required(out, `${path}[${i}].key`);
    else rule(out, `${path}[${i}].key`, it.key, configMapKey);
    if (!it?.path) required(out, `${path}[${i}].path`);
    else if (String(it.path).startsWith('/') || String(it.path).split('/').includes('..')) err(out, `${path}[${i}].path`, it.path, "must be a relative path without '..'");
  });
}

const RESOURCE_NAMES = ['cpu', 'memory', 'ephemeral-storage'];

function quantityField(out: Out, path: string, v: unknown): void {
  const bad = anyQuantity(v);
  if (bad) err(out, path, v, bad);
  else if (quantityValue(v as string | number) < 0) err(out, path, v, 'must be greater than or equal to 0');
}

/** `ValidateResourceRequirements`: names, non-negative quantities, request ≤ limit. */
function resources(out: Out, path: string, r: any): void {
  const o = obj(r);
  if (!o) return;
  for (const field of ['limits', 'requests']) {
    for (const [name, v] of entries(o[field])) {
      const rp = `${path}.${field}[${q(name)}]`;
      const standard = RESOURCE_NAMES.includes(name) || name.startsWith('hugepages-');
      if (!standard && (!name.includes('/') || labelKey(name))) err(out, `${path}.${field}`, name, 'must be a standard resource type (cpu, memory, ephemeral-storage, hugepages-<size>) or a fully qualified resource name');
      quantityField(out, rp, v);
    }
  }
  for (const [name, req] of entries(o.requests)) {
    const lim = o.limits?.[name];
    if (lim === undefined || anyQuantity(req) || anyQuantity(lim)) continue;
    if (quantityValue(req) > quantityValue(lim)) err(out, `${path}.requests[${q(name)}]`, req, `must be less than or equal to ${name} limit of ${lim}`);
  }
}

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];

/** `validateProbe` / `validateHandler`. */
function probe(out: Out, path: string, p: any, kind: 'liveness' | 'readiness' | 'startup'): void {
  const o = obj(p);
  if (!o) return;
  handler(out, path, o, HANDLERS);
  // The probe rules are stated once in src/rules/workload-spec.ts, read here at the API server's strictness.
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) rule(out, `${path}.${f}`, o[f], (v) => probeField(f, v, 'api'));
  rule(out, `${path}.successThreshold`, o.successThreshold, (v) => probeSuccessThreshold(kind, v, 'api'));
  if (o.terminationGracePeriodSeconds !== undefined) {
    if (kind === 'readiness') err(out, `${path}.terminationGracePeriodSeconds`, undefined, 'must not be set for readinessProbes');
    else if (!(isInt(o.terminationGracePeriodSeconds) && o.terminationGracePeriodSeconds > 0)) err(out, `${path}.terminationGracePeriodSeconds`, o.terminationGracePeriodSeconds, 'must be greater than 0');
  }
}

/** Exactly one handler, each checked. */
function handler(out: Out, path: string, o: any, allowed: string[]): void {
  const set = allowed.filter((h) => o[h] !== undefined && o[h] !== null);
  if (set.length === 0) err(out, path, undefined, 'must specify a handler type');
  else if (set.length > 1) err(out, `${path}.${set[1]}`, undefined, 'may not specify more than 1 handler type');
  const http = obj(o.httpGet);
  if (http) {
    if (http.port === undefined) required(out, `${path}.httpGet.port`);
    else portOrName(out, `${path}.httpGet.port`, http.port);
    if (http.scheme !== undefined && http.scheme !== 'HTTP' && http.scheme !== 'HTTPS') err(out, `${path}.httpGet.scheme`, http.scheme, 'Unsupported value: "HTTP", "HTTPS"');
    arr(http.httpHeaders).forEach((h: any, i: number) => {
      if (!(typeof h?.name === 'string' && /^[-A-Za-z0-9]+$/.test(h.name))) err(out, `${path}.httpGet.httpHeaders[${i}].name`, h?.name, "a valid HTTP header must consist of alphanumeric characters or '-'");
    });
  }
  const tcp = obj(o.tcpSocket);
  if (tcp) {
    if (tcp.port === undefined) required(out, `${path}.tcpSocket.port`);
    else portOrName(out, `${path}.tcpSocket.port`, tcp.port);
  }
  const grpc = obj(o.grpc);
  if (grpc) rule(out, `${path}.grpc.port`, grpc.port, port);
  const exec = obj(o.exec);
  if (exec && arr(exec.command).length === 0) required(out, `${path}.exec.command`);
  const sleep = obj(o.sleep);
  if (sleep && !(isInt(sleep.seconds) && sleep.seconds >= 0)) err(out, `${path}.sleep.seconds`, sleep.seconds, 'must be greater than or equal to 0');
}

/** `validateContainers`: names, image, ports, env, resources, probes, mounts. */
function container(out: Out, path: string, c: any, names: Set<string>, volumes: Set<string>, portNames: Set<string>, init: boolean): void {
  const o = obj(c);
  if (!o) return;
  if (!o.name) required(out, `${path}.name`);
  else {
    rule(out, `${path}.name`, o.name, dns1123Label);
    if (names.has(o.name)) err(out, `${path}.name`, o.name, 'Duplicate value');
    names.add(o.name);
  }
  if (typeof o.image !== 'string' || o.image.trim() === '') required(out, `${path}.image`);
  else if (o.image !== o.image.trim()) err(out, `${path}.image`, o.image, 'must not have leading or trailing whitespace');
  if (o.imagePullPolicy !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(o.imagePullPolicy)) err(out, `${path}.imagePullPolicy`, o.imagePullPolicy, 'Unsupported value: "Always", "IfNotPresent", "Never"');
  arr(o.ports).forEach((p: any, i: number) => {
    const pp = `${path}.ports[${i}]`;
    if (p?.name !== undefined && p.name !== '') {
      rule(out, `${pp}.name`, p.name, ianaPortName);
      if (portNames.has(p.name)) err(out, `${pp}.name`, p.name, 'Duplicate value');
      portNames.add(p.name);
    }
    if (p?.containerPort === undefined) required(out, `${pp}.containerPort`);
    else {
      rule(out, `${pp}.containerPort`, p.containerPort, port);
      if (isInt(p.containerPort) && !init) reserved(out, `${pp}.containerPort`, p.containerPort);
    }
    if (p?.hostPort !== undefined && p.hostPort !== 0) rule(out, `${pp}.hostPort`, p.hostPort, port);
    if (p?.hostIP !== undefined && p.hostIP !== '') rule(out, `${pp}.hostIP`, p.hostIP, k8sIp);
  });
  arr(o.env).forEach((e: any, i: number) => {
    const ep = `${path}.env[${i}]`;
    if (!e?.name) required(out, `${ep}.name`);
    else rule(out, `${ep}.name`, e.name, envVarName);
    const from = obj(e?.valueFrom);
    if (from) {
      if (e.value !== undefined && e.value !== '') err(out, `${ep}.valueFrom`, undefined, 'may not be specified when `value` is not empty');
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'].filter((k) => from[k] != null);
      if (sources.length !== 1) err(out, `${ep}.valueFrom`, undefined, 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`');
      for (const k of ['configMapKeyRef', 'secretKeyRef']) {
        const ref = obj(from[k]);
        if (!ref) continue;
        if (!ref.key) required(out, `${ep}.valueFrom.${k}.key`);
        else rule(out, `${ep}.valueFrom.${k}.key`, ref.key, configMapKey);
        if (!ref.name) required(out, `${ep}.valueFrom.${k}.name`);
        else rule(out, `${ep}.valueFrom.${k}.name`, ref.name, dns1123Subdomain);
      }
      if (from.fieldRef && !from.fieldRef.fieldPath) required(out, `${ep}.valueFrom.fieldRef.fieldPath`);
      if (from.resourceFieldRef && !from.resourceFieldRef.resource) required(out, `${ep}.valueFrom.resourceFieldRef.resource`);
    }
  });
  arr(o.envFrom).forEach((e: any, i: number) => {
    const ep = `${path}.envFrom[${i}]`;
    if (e?.prefix !== undefined && e.prefix !== '') rule(out, `${ep}.prefix`, e.prefix, envVarName);
    const refs = ['configMapRef', 'secretRef'].filter((k) => e?.[k] != null);
    if (refs.length !== 1) err(out, ep, undefined, 'must specify exactly one of: `configMapRef` or `secretRef`');
    for (const k of refs) {
      if (!e[k].name) required(out, `${ep}.${k}.name`);
      else rule(out, `${ep}.${k}.name`, e[k].name, dns1123Subdomain);
    }
  });
  resources(out, `${path}.resources`, o.resources);
  if (!init) {
    probe(out, `${path}.livenessProbe`, o.livenessProbe, 'liveness');
    probe(out, `${path}.readinessProbe`, o.readinessProbe, 'readiness');
    probe(out, `${path}.startupProbe`, o.startupProbe, 'startup');
  }
  for (const h of ['postStart', 'preStop']) {
    const lh = obj(o.lifecycle?.[h]);
    if (lh) handler(out, `${path}.lifecycle.${h}`, lh, ['exec', 'httpGet', 'tcpSocket', 'sleep']);
  }
  const mounts = new Set<string>();
  arr(o.volumeMounts).forEach((vm: any, i: number) => {
    const vp = `${path}.volumeMounts[${i}]`;
    if (!vm?.name) required(out, `${vp}.name`);
    else if (!volumes.has(vm.name)) err(out, `${vp}.name`, vm.name, 'Not found: no volume of this name');
    if (!vm?.mountPath) required(out, `${vp}.mountPath`);
    else {
      if (mounts.has(vm.mountPath)) err(out, `${vp}.mountPath`, vm.mountPath, 'must be unique');
      mounts.add(vm.mountPath);
    }
  });
}

/** `ValidateHorizontalPodAutoscaler` (autoscaling/v2). */
function hpa(out: Out, spec: any): void {
  const ref = obj(spec.scaleTargetRef);
  if (!ref) required(out, 'spec.scaleTargetRef');
  else {
    if (!ref.kind) required(out, 'spec.scaleTargetRef.kind');
    if (!ref.name) required(out, 'spec.scaleTargetRef.name');
    else if (/[/%]/.test(ref.name) || ref.name === '.' || ref.name === '..') err(out, 'spec.scaleTargetRef.name', ref.name, 'may not contain \'/\' or \'%\', or be "." or ".."');
  }
  for (const bad of autoscalingReplicas(spec.minReplicas, spec.maxReplicas, 'api')) err(out, `spec.${bad.property}`, spec[bad.property], bad.rule);
  arr(spec.metrics).forEach((m: any, i: number) => metric(out, `spec.metrics[${i}]`, m));
  for (const dir of ['scaleUp', 'scaleDown']) {
    const r = obj(spec.behavior?.[dir]);
    if (!r) continue;
    const p = `spec.behavior.${dir}`;
    const w = r.stabilizationWindowSeconds;
    if (w !== undefined && !(isInt(w) && w >= 0 && w <= 3600)) err(out, `${p}.stabilizationWindowSeconds`, w, 'must be less than or equal to 3600 and greater than or equal to 0');
    if (r.selectPolicy !== undefined && !['Max', 'Min', 'Disabled'].includes(r.selectPolicy)) err(out, `${p}.selectPolicy`, r.selectPolicy, 'Unsupported value: "Disabled", "Max", "Min"');
    const policies = arr(r.policies);
    if (r.policies !== undefined && policies.length === 0) required(out, `${p}.policies`);
    policies.forEach((pol: any, j: number) => {
      const pp = `${p}.policies[${j}]`;
      if (pol?.type !== 'Pods' && pol?.type !== 'Percent') err(out, `${pp}.type`, pol?.type, 'Unsupported value: "Percent", "Pods"');
      if (!(isInt(pol?.value) && pol.value > 0)) err(out, `${pp}.value`, pol?.value, 'must be greater than zero');
      if (!(isInt(pol?.periodSeconds) && pol.periodSeconds > 0 && pol.periodSeconds <= 1800)) err(out, `${pp}.periodSeconds`, pol?.periodSeconds, 'must be greater than zero and less than or equal to 1800');
    });
    if (r.tolerance !== undefined) quantityField(out, `${p}.tolerance`, r.tolerance);
  }
}

const METRIC_FIELDS: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', ContainerResource: 'containerResource', External: 'external' };

function metric(out: Out, p: string, m: any): void {
  const o = obj(m);
  if (!o) return;
  const field = METRIC_FIELDS[o.type];
  if (!field) {
    err(out, `${p}.type`, o.type, 'must be either External, Object, Pods, Resource or ContainerResource');
    return;
  }
  for (const [t, f] of Object.entries(METRIC_FIELDS)) {
    if (t !== o.type && o[f] != null) err(out, `${p}.${f}`, undefined, `must populate the given metric source only: the type is ${o.type}`);
  }
  const src = obj(o[field]);
  if (!src) {
    required(out, `${p}.${field}`);
    return;
  }
  if (o.type === 'Resource' || o.type === 'ContainerResource') {
    if (!src.name) required(out, `${p}.${field}.name`);
    if (o.type === 'ContainerResource' && !src.container) required(out, `${p}.${field}.container`);
  } else {
    if (!src.metric?.name) required(out, `${p}.${field}.metric.name`);
    labelSelector(out, `${p}.${field}.metric.selector`, src.metric?.selector);
  }
  if (o.type === 'Object') {
    if (!src.describedObject?.kind) required(out, `${p}.object.describedObject.kind`);
    if (!src.describedObject?.name) required(out, `${p}.object.describedObject.name`);
  }
  const t = obj(src.target);
  if (!t) {
    required(out, `${p}.${field}.target`);
    return;
  }
  const tp = `${p}.${field}.target`;
  const allowed: Record<string, string[]> = {
    Resource: ['Utilization', 'AverageValue'], ContainerResource: ['Utilization', 'AverageValue'], Pods: ['AverageValue'], Object: ['Value', 'AverageValue'], External: ['Value', 'AverageValue'],
  };
  if (!allowed[o.type].includes(t.type)) err(out, `${tp}.type`, t.type, `must be ${allowed[o.type].join(' or ')} for ${o.type} metrics`);
  if (t.type === 'Utilization') {
    if (t.averageUtilization === undefined) required(out, `${tp}.averageUtilization`);
    else if (!(isInt(t.averageUtilization) && t.averageUtilization > 0)) err(out, `${tp}.averageUtilization`, t.averageUtilization, 'must be greater than 0');
  }
  for (const f of ['averageValue', 'value']) {
    if (t[f] === undefined) continue;
    const bad = anyQuantity(t[f]);
    if (bad) err(out, `${tp}.${f}`, t[f], bad);
    else if (quantityValue(t[f]) <= 0) err(out, `${tp}.${f}`, t[f], 'must be positive');
  }
  if (t.type === 'AverageValue' && t.averageValue === undefined) required(out, `${tp}.averageValue`);
  if (t.type === 'Value' && t.value === undefined) required(out, `${tp}.value`);
}

/** `ValidatePodDisruptionBudgetSpec` (policy/v1). */
function pdb(out: Out, spec: any): void {
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) err(out, 'spec', undefined, 'minAvailable and maxUnavailable cannot be both set');
  intOrPercent(out, 'spec.minAvailable', spec.minAvailable, 100);
  intOrPercent(out, 'spec.maxUnavailable', spec.maxUnavailable, 100);
  labelSelector(out, 'spec.selector', spec.selector);
  if (spec.unhealthyPodEvictionPolicy !== undefined && !['IfHealthyBudget', 'AlwaysAllow'].includes(spec.unhealthyPodEvictionPolicy)) {
    err(out, 'spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, 'Unsupported value: "AlwaysAllow", "IfHealthyBudget"');
  }
}

