/**
 * Telemetry providers (pkg/config/analysis/analyzers/telemetry/providers.go, lightstep.go).
 */
import { isObject, list, str } from '../../manifests';
import type { Analyzer } from './context';
import { fullName } from './util';

/**
 * IST0157: an access-logging entry of a Telemetry resource without providers (and not disabled) while
 * mesh config names no default access-logging provider, so nothing is logged.
 */
export const telemetryProviderAnalyzer: Analyzer = {
  name: 'telemetry.ProviderAnalyzer',
  codes: ['IST0157'],
  source: 'pkg/config/analysis/analyzers/telemetry/providers.go',
  analyze(ctx) {
    if (list(ctx.mesh.config.defaultProviders?.accessLogging).length > 0) return;
    for (const t of ctx.index.telemetries) {
      list(t.spec.accessLogging).forEach((l, i) => {
        if (isObject(l) && l.disabled === true) return;
        if (list(l?.providers).length > 0) return;
        ctx.report(t, 'IST0157', `spec.accessLogging[${i}].providers: Telemetry ${fullName(t)} names no provider and mesh config has no default access-logging provider, so nothing is logged`, '');
      });
    }
  },
};

/** IST0002: a Telemetry resource traces to a Lightstep provider, which is deprecated. */
export const lightstepAnalyzer: Analyzer = {
  name: 'telemetry.LightstepAnalyzer',
  codes: ['IST0002'],
  source: 'pkg/config/analysis/analyzers/telemetry/lightstep.go',
  analyze(ctx) {
    const lightstep = new Set(list<Readonly<Record<string, unknown>>>(ctx.mesh.config.extensionProviders).filter((p) => isObject(p?.lightstep)).map((p) => str(p.name) ?? ''));
    if (lightstep.size === 0) return;
    for (const t of ctx.index.telemetries) {
      list(t.spec.tracing).forEach((tr, i) => {
        list(tr?.providers).forEach((p, j) => {
          const name = str(p?.name) ?? '';
          if (lightstep.has(name)) ctx.report(t, 'IST0002', `spec.tracing[${i}].providers[${j}]: The Lightstep provider ${name} is deprecated, please migrate to OpenTelemetry provider.`);
        });
      });
    }
  },
};
