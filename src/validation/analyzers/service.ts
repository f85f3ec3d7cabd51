/**
 * Service analyzers (pkg/config/analysis/analyzers/service/).
 */
import { list, str, strings } from '../../manifests';
import { servicePortProtocol } from '../../rules/protocol';
import type { ServicePort } from '../../manifests';
import type { Analyzer } from './context';
import { isIstioControlPlane, q } from './util';

/** Values of `gateway.istio.io/managed` on Services Istio creates for gateways and waypoints (not users'). */
const MANAGED_GATEWAY_CONTROLLERS = new Set(['istio.io-gateway-controller', 'istio.io-mesh-controller', 'istio.io-eastwest-controller']);

/**
 * IST0118: a port whose protocol Istio cannot tell from `appProtocol` or the name prefix (`kube.ConvertProtocol`);
 * IST0150 instead on an ExternalName Service, where the name `tcp` is wrong too. Control-plane Services
 * (label `istio` or `release=istio`) and gateway-managed ones are skipped.
 */
export const portNameAnalyzer: Analyzer = {
  name: 'service.PortNameAnalyzer',
  codes: ['IST0118', 'IST0150'],
  source: 'pkg/config/analysis/analyzers/service/portname.go, pkg/config/kube/conversion.go',
  analyze(ctx) {
    for (const svc of ctx.index.serviceList) {
      if (isIstioControlPlane(svc)) continue;
      if (MANAGED_GATEWAY_CONTROLLERS.has(strings(svc.metadata.labels)['gateway.istio.io/managed'])) continue;
      const externalName = svc.spec.type === 'ExternalName';
      list<ServicePort>(svc.spec.ports).forEach((p, i) => {
        // a port number of the wrong type (CI1201) cannot be read into a Service at all, by the API server or
        // by istioctl analyze: judging its name only follows on from that (consumer trial F7)
        if (typeof p?.port !== 'number' || !Number.isInteger(p.port)) return;
        const name = str(p?.name) ?? '';
        const protocol = servicePortProtocol(p);
        if (protocol !== 'UnsupportedProtocol' && !(name === 'tcp' && externalName)) return;
        if (externalName) {
          ctx.report(svc, 'IST0150', `spec.ports[${i}]: port name ${q(name)} of an ExternalName Service must carry a protocol prefix other than tcp (e.g. http-, https-, tls-), or Istio cannot route to it`);
        } else {
          ctx.report(svc, 'IST0118', `spec.ports[${i}]: port ${q(name)} (${p?.port} → ${p?.targetPort ?? p?.port}) has neither appProtocol nor a protocol name prefix (http-, grpc-, tcp-...), so Istio has to sniff its protocol`);
        }
      });
    }
  },
};
