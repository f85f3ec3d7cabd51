/**
 * DestinationRule analyzers (pkg/config/analysis/analyzers/destinationrule/), rule by rule.
 */
import { isObject, list, str, strings } from '../../manifests';
import { labelsMatch } from '../../rules/labels';
import type { ClientTlsSettings, IndexedObject, StringMap } from '../../manifests';
import type { Analyzer } from './context';
import { fullName, q } from './util';

const AZ = 'pkg/config/analysis/analyzers/destinationrule/';

/** Kubernetes node topology labels Istio reads (pilot/pkg/serviceregistry/util/label). */
const REGION = 'topology.kubernetes.io/region';
const ZONE = 'topology.kubernetes.io/zone';
const SUBZONE = 'topology.istio.io/subzone';
const HOSTNAME = 'kubernetes.io/hostname';

/**
 * A pod's labels as pilot sees them (`label.AugmentLabels`): its own, plus the region, zone and
 * subzone of its node (from the Node's labels, as a locality `region/zone/subzone`) and its node name.
 */
function augmentedLabels(labels: StringMap, nodeName: string | undefined, nodeLabels: StringMap | undefined): StringMap {
  const out: Record<string, string> = { ...labels };
  if (nodeLabels) {
    let locality = nodeLabels[REGION] ?? '';
    if (nodeLabels[ZONE]) {
      locality += `/${nodeLabels[ZONE]}`;
      if (nodeLabels[SUBZONE]) locality += `/${nodeLabels[SUBZONE]}`;
    }
    const [region = '', zone = '', subzone = ''] = locality.split('/');
    if (region) out[REGION] = region;
    if (zone) out[ZONE] = zone;
    if (subzone) out[SUBZONE] = subzone;
  }
  if (nodeName) out[HOSTNAME] = nodeName;
  return out;
}

/**
 * IST0174 a host no ServiceEntry or Service provides (visible to the rule's namespace); IST0173 a subset
 * whose labels (merged with a ServiceEntry's workloadSelector) select no pod. As in Istio, a subset of a
 * Service host is matched against every pod, by the subset labels alone.
 */
export const podNotSelectedAnalyzer: Analyzer = {
  name: 'destinationrule.PodNotSelectedAnalyzer',
  codes: ['IST0173', 'IST0174'],
  source: `${AZ}subset.go`,
  analyze(ctx) {
    const nodes = new Map(ctx.index.ofKind('Node', '').map((n) => [n.name, strings(n.metadata.labels)]));
    // Pods on a node gain labels; the others are matched through the index by their own labels.
    const onNodes = ctx.index.workloads.filter((w) => str(w.podSpec.nodeName)).map((w) => {
      const nodeName = str(w.podSpec.nodeName)!;
      return augmentedLabels(w.labels, nodeName, nodes.get(nodeName));
    });
    const selectsPod = (selector: StringMap): boolean => ctx.index.anyWorkload(undefined, selector) || onNodes.some((labels) => labelsMatch(selector, labels));
    for (const dr of ctx.index.destinationRules) {
      const host = str(dr.spec.host) ?? '';
      const entry = ctx.hosts.lookup(dr.namespace, list<string>(dr.spec.exportTo).map(String), host);
      if (!entry) {
        ctx.report(dr, 'IST0174', `spec.host: ${q(host)} matches no Service or ServiceEntry visible to namespace ${q(dr.namespace)}`);
        continue;
      }
      list<{ name?: string; labels?: StringMap }>(dr.spec.subsets).forEach((s, i) => {
        const selector = { ...strings(entry.workloadSelector), ...strings(s?.labels) };
        if (selectsPod(selector)) return;
        ctx.report(dr, 'IST0173', `spec.subsets[${i}]: subset ${q(str(s?.name) ?? '')} (labels ${q(selector)}) selects no pod`, str(s?.name) ?? '');
      });
    }
  },
};

function verifiesServer(tls: ClientTlsSettings | undefined, dr: IndexedObject): boolean {
  if (str(tls?.caCertificates)) return true;
  // A credentialName with a workloadSelector is a gateway's credential, which holds the CA too.
  return Boolean(str(tls?.credentialName)) && dr.spec.workloadSelector !== undefined && dr.spec.workloadSelector !== null;
}

/** IST0128 / IST0129: TLS mode SIMPLE or MUTUAL without caCertificates, at destination or port level. */
export const caCertificateAnalyzer: Analyzer = {
  name: 'destinationrule.CaCertificateAnalyzer',
  codes: ['IST0128', 'IST0129'],
  source: `${AZ}ca-certificates.go`,
  analyze(ctx) {
    for (const dr of ctx.index.destinationRules) {
      const tp = isObject(dr.spec.trafficPolicy) ? dr.spec.trafficPolicy : {};
      const mode = str(tp.tls?.mode);
      if ((mode === 'SIMPLE' || mode === 'MUTUAL') && !verifiesServer(tp.tls, dr)) {
        ctx.report(dr, 'IST0128', `spec.trafficPolicy.tls: DestinationRule ${fullName(dr)} uses TLS mode ${mode} for host ${q(str(dr.spec.host) ?? '')} without caCertificates, so the server certificate is not verified`);
      }
      list(tp.portLevelSettings).forEach((p, i) => {
        const pm = str(p?.tls?.mode);
        if ((pm === 'SIMPLE' || pm === 'MUTUAL') && !verifiesServer(p?.tls, dr)) {
          ctx.report(dr, 'IST0129', `spec.trafficPolicy.portLevelSettings[${i}].tls: DestinationRule ${fullName(dr)} uses TLS mode ${pm} for host ${q(str(dr.spec.host) ?? '')} port ${q(p?.port?.number)} without caCertificates, so the server certificate is not verified`);
        }
      });
    }
  },
};
