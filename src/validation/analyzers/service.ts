/**
 * Service analyzers (pkg/config/analysis/analyzers/service/).
 */
import { list } from '../../manifests';
import type { ServicePort } from '../../manifests';
import type { Analyzer } from './context';
import { q } from './util';

const PORT_PREFIXES = ['tcp', 'udp', 'grpc', 'grpc-web', 'http', 'http2', 'https', 'tls', 'mongo', 'redis', 'mysql'];

/** IST0118: a port whose protocol Istio cannot tell from its name or appProtocol. */
export const portNameAnalyzer: Analyzer = {
  name: 'service.PortNameAnalyzer',
  codes: ['IST0118'],
  source: 'pkg/config/analysis/analyzers/service/portname.go',
  analyze(ctx) {
    for (const svc of ctx.index.serviceList) {
      list<ServicePort>(svc.spec.ports).forEach((p, i) => {
        const name = typeof p?.name === 'string' ? p.name : '';
        const prefixed = PORT_PREFIXES.some((x) => name === x || name.startsWith(`${x}-`));
        if (!p?.appProtocol && !prefixed) {
          ctx.report(svc, 'IST0118', `spec.ports[${i}]: port ${q(name || p?.port)} has neither appProtocol nor a name prefix from ${PORT_PREFIXES.join(', ')}, so Istio treats it as plain TCP`);
        }
      });
    }
  },
};

/** The protocol a Service port declares (appProtocol, else the name prefix, else tcp). */
export function declaredProtocol(port: ServicePort | undefined): string {
  if (port?.appProtocol) return String(port.appProtocol).toLowerCase();
  const name = typeof port?.name === 'string' ? port.name : '';
  const p = PORT_PREFIXES.filter((x) => name === x || name.startsWith(`${x}-`)).sort((a, b) => b.length - a.length)[0];
  return p ?? 'tcp';
}
