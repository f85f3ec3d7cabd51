/**
 * ServiceEntry analyzers (pkg/config/analysis/analyzers/serviceentry/).
 */
import { isObject, list, str } from '../../manifests';
import type { Analyzer } from './context';

/**
 * IST0134: a ServiceEntry without `addresses` (and no auto-allocated address in its status) that has a
 * TCP port (or one without protocol): its traffic cannot be told apart. Not reported when mesh config
 * turns on DNS capture with address auto-allocation.
 */
export const protocolAddressesAnalyzer: Analyzer = {
  name: 'serviceentry.ProtocolAddressesAnalyzer',
  codes: ['IST0134'],
  source: 'pkg/config/analysis/analyzers/serviceentry/protocoladdresses.go',
  analyze(ctx) {
    const md = ctx.mesh.config.defaultConfig?.proxyMetadata ?? {};
    const autoAllocated = md.ISTIO_META_DNS_CAPTURE === 'true' && (md.ISTIO_META_DNS_AUTO_ALLOCATE === 'true' || md.PILOT_ENABLE_IP_AUTOALLOCATE === 'true');
    if (autoAllocated) return;
    for (const se of ctx.index.serviceEntries) {
      if (se.spec.addresses !== undefined && se.spec.addresses !== null) continue;
      const status = se.manifest.status;
      if (isObject(status) && list(status.addresses).length > 0) continue;
      list(se.spec.ports).forEach((p, i) => {
        const protocol = str(p?.protocol) ?? '';
        if (protocol === '' || protocol.toLowerCase() === 'tcp') {
          ctx.report(se, 'IST0134', `spec.ports[${i}]: a ${protocol || 'protocol-less'} port needs spec.addresses, or its traffic cannot be told apart from other TCP traffic on the port`, typeof p?.name === 'string' ? String(i) : '');
        }
      });
    }
  },
};
