/**
 * Istio Gateway analyzers (pkg/config/analysis/analyzers/gateway/), rule by rule.
 */
import { X509Certificate } from 'crypto';
import { list, num, str, strings } from '../../manifests';
import { labelsMatch } from '../../rules/labels';
import type { GatewayServer, GatewaySpec, IndexedObject, ManifestIndex, ServicePort, StringMap } from '../../manifests';
import type { Analyzer } from './context';
import { shortOrFullName } from './virtualservice';
import { fullName, q, selectorText } from './util';

const AZ = 'pkg/config/analysis/analyzers/gateway/';

/** A Service port's target port as an integer (`IntOrString.IntValue()`: a named port is 0). */
function targetPortNumber(p: ServicePort): number {
  const t = p?.targetPort;
  if (typeof t === 'number') return t;
  if (typeof t === 'string' && /^[+-]?\d+$/.test(t)) return Number(t);
  return 0;
}

/**
 * IST0101 a Gateway whose selector matches no pod; IST0162 a server port that no Service of the
 * gateway pods exposes (as its port or target port; only ports with protocol TCP count).
 */
export const ingressGatewayPortAnalyzer: Analyzer = {
  name: 'gateway.IngressGatewayPortAnalyzer',
  codes: ['IST0101', 'IST0162'],
  source: `${AZ}gateway.go`,
  analyze(ctx) {
    for (const gw of ctx.index.gateways) {
      const selector = strings(gw.spec.selector);
      const servicePorts = new Set<number>();
      const portMapping = new Set<number>();
      const pods = ctx.index.selectWorkloads(undefined, selector);
      for (const pod of pods) {
        for (const svc of ctx.index.serviceList) {
          if (svc.namespace !== pod.namespace || !labelsMatch(strings(svc.spec.selector), pod.labels)) continue;
          for (const p of list<ServicePort>(svc.spec.ports)) {
            if (p?.protocol !== 'TCP') continue;
            const tp = targetPortNumber(p);
            if (tp !== 0) {
              servicePorts.add(tp);
              portMapping.add(num(p.port) ?? 0);
            } else servicePorts.add(num(p.port) ?? 0);
          }
        }
      }
      if (pods.length === 0) {
        ctx.report(gw, 'IST0101', `spec.selector: ${q(selectorText(selector))} matches no pod`);
        continue;
      }
      list<GatewayServer>(gw.spec.servers).forEach((server, i) => {
        if (server?.port === undefined || server.port === null) return;
        const n = num(server.port.number) ?? 0;
        if (servicePorts.has(n) || portMapping.has(n)) return;
        ctx.report(gw, 'IST0162', `spec.servers[${i}].port.number: ${n} is not a port of any Service of the gateway pods selected by ${q(selectorText(selector))}`, String(n));
      });
    }
  },
};

/** Whether two server TLS settings use the same certificate (`haveSameCertificate`). */
function sameCertificate(a: GatewayServer['tls'], b: GatewayServer['tls']): boolean {
  const ca = str(a?.credentialName) ?? '';
  const cb = str(b?.credentialName) ?? '';
  if (ca !== '' && cb !== '') return ca === cb;
  if (ca === '' && cb === '') {
    const sa = str(a?.serverCertificate) ?? '';
    const sb = str(b?.serverCertificate) ?? '';
    if (sa !== '' && sb !== '' && sa === sb) {
      const ka = str(a?.privateKey) ?? '';
      const kb = str(b?.privateKey) ?? '';
      return ka !== '' && kb !== '' && ka === kb;
    }
  }
  return false;
}

/** Whether every label of `x` is in `y` with the same value (`selectorSubset`). */
function selectorSubset(x: StringMap, y: StringMap): boolean {
  return Object.keys(x).every((k) => Object.prototype.hasOwnProperty.call(y, k) && y[k] === x[k]);
}

/**
 * IST0138: two Gateways on the same workloads (this one's selector a subset of the other's, or empty)
 * with servers that use the same TLS certificate.
 */
export const certificateAnalyzer: Analyzer = {
  name: 'gateway.CertificateAnalyzer',
  codes: ['IST0138'],
  source: `${AZ}certificate.go`,
  analyze(ctx) {
    const gateways = ctx.index.gateways;
    for (const gw of gateways) {
      const selector = strings(gw.spec.selector);
      for (const other of gateways) {
        if (other === gw) continue;
        if (Object.keys(selector).length > 0 && !selectorSubset(selector, strings(other.spec.selector))) continue;
        for (const a of list<GatewayServer>(gw.spec.servers)) {
          for (const b of list<GatewayServer>(other.spec.servers)) {
            if (!a?.tls || !b?.tls) continue;
            if (sameCertificate(a.tls, b.tls)) {
              ctx.report(gw, 'IST0138', `spec.servers: Gateways ${fullName(gw)} and ${fullName(other)} serve the same TLS certificate on the same workloads`, fullName(other));
            }
          }
        }
      }
    }
  },
};

/** The key of a Gateway server: its selector and port (`genGatewayMapKey`). */
function serverKey(selector: string, port: string): string {
  return `${selector}~${port}`;
}

/**
 * IST0145: Gateways on the same workloads (equal selectors, or selectors of which one contains the
 * other's text and a pod matches both) with servers on the same port that share a host and bind
 * address. IST0101: a Gateway whose selector matches no other Gateway's and no common pod.
 */
export const conflictingGatewayAnalyzer: Analyzer = {
  name: 'gateway.ConflictingGatewayAnalyzer',
  codes: ['IST0101', 'IST0145'],
  source: `${AZ}conflictinggateway.go, pilot/pkg/model/gateway.go (CheckDuplicates)`,
  analyze(ctx) {
    // selector~port → gateway full name → host → bind
    const byKey = new Map<string, Map<string, Map<string, string>>>();
    for (const gw of ctx.index.gateways) {
      const sel = selectorText(strings(gw.spec.selector));
      for (const server of list<GatewayServer>(gw.spec.servers)) {
        const key = serverKey(sel, String(num(server?.port?.number) ?? 0));
        if (!byKey.has(key)) byKey.set(key, new Map());
        const hosts = new Map<string, string>();
        for (const h of list<string>(server?.hosts)) hosts.set(String(h), str(server?.bind) ?? '');
        byKey.get(key)!.set(fullName(gw), hosts);
      }
    }
    const podsMatching = (a: StringMap, b: StringMap): boolean => ctx.index.workloads.some((p) => labelsMatch(a, p.labels) && labelsMatch(b, p.labels));
    for (const gw of ctx.index.gateways) {
      const selector = strings(gw.spec.selector);
      const sel = selectorText(selector);
      const same = new Map<string, Map<string, Map<string, string>>>();
      for (const [key, values] of byKey) {
        const xSel = key.slice(0, key.lastIndexOf('~'));
        let matched = xSel === sel;
        if (!matched && (xSel.includes(sel) || sel.includes(xSel))) matched = podsMatching(selector, parseSelector(xSel));
        if (matched) same.set(key, values);
      }
      if (sel !== '' && same.size === 0) {
        ctx.report(gw, 'IST0101', `spec.selector: ${q(sel)} matches no pod`);
        continue;
      }
      for (const server of list<GatewayServer>(gw.spec.servers)) {
        const port = String(num(server?.port?.number) ?? 0);
        const conflicts: string[] = [];
        for (const [key, values] of same) {
          if (key.slice(key.lastIndexOf('~') + 1) !== port) continue;
          for (const [other, known] of values) {
            if (other !== fullName(gw) && checkDuplicates(list<string>(server?.hosts).map(String), str(server?.bind) ?? '', known).length > 0) conflicts.push(other);
          }
        }
        if (conflicts.length === 0) continue;
        ctx.report(gw, 'IST0145', `spec.servers: Gateways ${conflicts.sort().join(',')} also serve hosts ${q(list<string>(server?.hosts).join(','))} on port ${port} of the workloads selected by ${q(sel)}`);
      }
    }
  },
};

/** The hosts already known with the same bind; when none, all hosts become known (`model.CheckDuplicates`). */
function checkDuplicates(hosts: readonly string[], bind: string, known: Map<string, string>): string[] {
  const duplicates = hosts.filter((h) => known.has(h) && known.get(h) === bind);
  if (duplicates.length === 0) for (const h of hosts) known.set(h, bind);
  return duplicates;
}

/** `k=v,k2=v2` back into labels (`parseSelectorFromString`). */
function parseSelector(text: string): StringMap {
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const kv = pair.split('=');
    if (kv.length === 2) out[kv[0]] = kv[1];
  }
  return out;
}

/** Whether a Secret holds a usable certificate (`ExtractCertInfo` + `ValidateCertificate`). */
function validSecret(secret: IndexedObject): boolean {
  const data = strings(secret.manifest.data);
  const has = (...keys: string[]) => keys.every((k) => typeof data[k] === 'string' && data[k] !== '');
  const cert = has('cert', 'key') ? data.cert : has('tls.crt', 'tls.key') ? data['tls.crt'] : undefined;
  if (cert === undefined) return false;
  let pem: string;
  try {
    pem = Buffer.from(cert, 'base64').toString('utf8');
  } catch {
    return false;
  }
  const block = /-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/.exec(pem);
  if (!block) return false;
  try {
    const x = new X509Certificate(block[0]);
    const now = Date.now();
    return now >= Date.parse(x.validFrom) && now <= Date.parse(x.validTo);
  } catch {
    return false;
  }
}

/** The Secrets of a set and the cert-manager Certificates that write Secrets, for credential lookups. */
interface CredentialIndex {
  readonly secrets: ReadonlyMap<string, IndexedObject>;
  readonly certificates: readonly IndexedObject[];
}

function credentialIndex(index: ManifestIndex): CredentialIndex {
  return {
    secrets: new Map(index.ofKind('Secret', '').map((s) => [`${s.namespace}/${s.name}`, s])),
    certificates: index.ofKind('Certificate', 'cert-manager.io').filter((c) => typeof str(c.spec?.secretName) === 'string'),
  };
}

/**
 * Whether a gateway credential Secret serves a certificate: the Secret of the set with a valid, current
 * certificate, or (ours, not Istio's) a cert-manager Certificate of the set writing it in that very
 * namespace, as it will once applied (as a Deployment's pods appear). `missing` names the namespaces a
 * Certificate of the set writes it into instead. One rule for an Istio Gateway's `credentialName` (read
 * in the gateway pods' namespace) and a Gateway API listener's `certificateRefs` (its own namespace).
 */
function credentialState(c: CredentialIndex, ref: { readonly namespace: string; readonly name: string }): { readonly state: 'ok' | 'invalid' } | { readonly state: 'missing'; readonly note: string } {
  const secret = c.secrets.get(`${ref.namespace}/${ref.name}`);
  if (secret) return { state: validSecret(secret) ? 'ok' : 'invalid' };
  if (c.certificates.some((x) => x.namespace === ref.namespace && str(x.spec.secretName) === ref.name)) return { state: 'ok' };
  const elsewhere = c.certificates.filter((x) => str(x.spec.secretName) === ref.name).map((x) => x.namespace).sort();
  return { state: 'missing', note: elsewhere.length > 0 ? `; the Certificate ${q(ref.name)} writes it into namespace ${elsewhere.map(q).join(', ')}, where the gateway pods do not read it` : '' };
}

/**
 * IST0101 a Gateway whose selector matches no pod, or a credentialName with no Secret in the gateway
 * pods' namespace; IST0161 a credential Secret without a valid, current certificate.
 */
export const secretAnalyzer: Analyzer = {
  name: 'gateway.SecretAnalyzer',
  codes: ['IST0101', 'IST0161'],
  source: `${AZ}secret.go, pilot/pkg/credentials/kube/secrets.go, pilot/pkg/xds/sds.go`,
  analyze(ctx) {
    const credentials = credentialIndex(ctx.index);
    for (const gw of ctx.index.gateways as readonly IndexedObject<GatewaySpec>[]) {
      const selector = strings(gw.spec.selector);
      const pod = ctx.index.selectWorkloads(undefined, selector)[0];
      if (!pod || pod.namespace === '') {
        ctx.report(gw, 'IST0101', `spec.selector: ${q(selectorText(selector))} matches no pod`);
        continue;
      }
      list<GatewayServer>(gw.spec.servers).forEach((server, i) => {
        const cn = str(server?.tls?.credentialName) ?? '';
        if (cn === '') return;
        const ref = shortOrFullName(pod.namespace, cn);
        const found = credentialState(credentials, ref);
        if (found.state === 'missing') {
          ctx.report(gw, 'IST0101', `spec.servers[${i}].tls.credentialName: no Secret ${q(fullName(ref))} in the set (the gateway pods read their credential from their own namespace ${q(pod.namespace)})${found.note}`);
        } else if (found.state === 'invalid') {
          ctx.report(gw, 'IST0161', `spec.servers[${i}].tls.credentialName: Secret ${fullName(ref)} holds no valid, current certificate (keys cert/key or tls.crt/tls.key)`);
        }
      });
    }
  },
};

/** A ReferenceGrant `from` or `to` entry. */
interface GrantPeer {
  readonly group?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/**
 * Whether a ReferenceGrant in the Secret's namespace lets Gateways of namespace `from` read Secret
 * `name`: a `from` entry for group gateway.networking.k8s.io, kind Gateway and that namespace, and a `to`
 * entry for core Secrets, all of them or this one by name (gateway.networking.k8s.io ReferenceGrant;
 * Istio 1.30.3 pilot/pkg/config/kube/gateway/conversion.go `grants.SecretAllowed`).
 */
function referenceGrantAllows(grants: readonly IndexedObject[], from: string, namespace: string, name: string): boolean {
  return grants.some((g) => g.namespace === namespace
    && list<GrantPeer>(g.spec?.from).some((f) => f?.group === 'gateway.networking.k8s.io' && f.kind === 'Gateway' && f.namespace === from)
    && list<GrantPeer>(g.spec?.to).some((t) => (t?.group ?? '') === '' && t?.kind === 'Secret' && (t.name === undefined || t.name === name)));
}

/**
 * CI3006: a Gateway API `Gateway` listener whose TLS `certificateRefs` istiod cannot serve (Istio 1.30.3
 * pilot/pkg/config/kube/gateway/conversion.go buildTLS): a Secret in another namespace that no
 * ReferenceGrant there lets the Gateway read (RefNotPermitted), or a Secret that neither the set nor a
 * cert-manager Certificate of the set provides in its namespace, or one without a usable certificate
 * (InvalidCertificateRef). The credential rule is the one IST0101/IST0161 apply to an Istio Gateway's
 * credentialName ({@link credentialState}).
 */
export const gatewayApiCredentialAnalyzer: Analyzer = {
  name: 'ours.GatewayApiCredentialAnalyzer',
  codes: ['CI3006'],
  source: 'pilot/pkg/config/kube/gateway/conversion.go (buildTLS, Istio 1.30.3); gateway.networking.k8s.io ReferenceGrant',
  analyze(ctx) {
    const gateways = ctx.index.ofKind('Gateway', 'gateway.networking.k8s.io');
    if (gateways.length === 0) return;
    const grants = ctx.index.ofKind('ReferenceGrant', 'gateway.networking.k8s.io');
    const credentials = credentialIndex(ctx.index);
    for (const gw of gateways) {
      list<any>(gw.spec?.listeners).forEach((l, i) => {
        list<any>(l?.tls?.certificateRefs).forEach((ref, j) => {
          const name = str(ref?.name);
          if (!name || (str(ref?.group) ?? '') !== '' || (str(ref?.kind) ?? 'Secret') !== 'Secret') return;
          const at = `spec.listeners[${i}].tls.certificateRefs[${j}]`;
          const namespace = str(ref?.namespace) ?? gw.namespace;
          if (namespace !== gw.namespace && !referenceGrantAllows(grants, gw.namespace, namespace, name)) {
            ctx.report(gw, 'CI3006', `${at}: Secret ${q(`${namespace}/${name}`)} is not in the Gateway's namespace ${q(gw.namespace)}, and no ReferenceGrant in ${q(namespace)} lets Gateways of ${q(gw.namespace)} read it: istiod refuses the reference (RefNotPermitted) and the listener serves no certificate`);
            return;
          }
          const found = credentialState(credentials, { namespace, name });
          if (found.state === 'missing') {
            ctx.report(gw, 'CI3006', `${at}: Secret ${q(`${namespace}/${name}`)} is neither in the set nor written there by a Certificate of the set${found.note}: istiod marks the listener InvalidCertificateRef`);
          } else if (found.state === 'invalid') {
            ctx.report(gw, 'CI3006', `${at}: Secret ${namespace}/${name} holds no valid, current certificate (keys tls.crt/tls.key): istiod marks the listener InvalidCertificateRef`);
          }
        });
      });
    }
  },
};
