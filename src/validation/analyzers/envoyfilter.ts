/**
 * EnvoyFilter patch operations (pkg/config/analysis/analyzers/envoyfilter/).
 */
import { isObject, list, num, str } from '../../manifests';
import type { EnvoyFilterSpec, IndexedObject } from '../../manifests';
import type { Analyzer, AnalyzerContext } from './context';

type Patch = NonNullable<EnvoyFilterSpec['configPatches']>[number];

/** The name a patch targets: its value's `name`, else the listener filter it matches (for the proxyVersion check). */
function instanceName(patch: Patch): string {
  const value = patch.patch?.value;
  if (!isObject(value)) return '';
  if (value.name !== undefined && value.name !== null) return JSON.stringify(value.name);
  return str(patch.match?.listener?.filterChain?.filter?.name) ?? '';
}

function relative(ctx: AnalyzerContext, ef: IndexedObject<EnvoyFilterSpec>, index: number, name: string, versioned: readonly string[]): void {
  if ((num(ef.spec.priority) ?? 0) !== 0) return;
  if (versioned.includes(name)) {
    ctx.report(ef, 'IST0155', `spec.configPatches[${index}]: a relative operation without priority, on a filter another EnvoyFilter patches for a proxyVersion; set spec.priority so the order is defined`, '');
  } else {
    ctx.report(ef, 'IST0151', `spec.configPatches[${index}]: a relative operation (REMOVE, REPLACE, INSERT_BEFORE, INSERT_AFTER) without priority; set spec.priority so the order of EnvoyFilters is defined`, '');
  }
}

/**
 * IST0151 a relative operation without priority (IST0155 when another filter patches the same name
 * for a proxyVersion); IST0152 REPLACE other than on HTTP_FILTER, NETWORK_FILTER or VIRTUAL_HOST;
 * IST0153 / IST0154 ADD / REMOVE on ROUTE_CONFIGURATION or HTTP_ROUTE, where they are ignored.
 */
export const envoyPatchAnalyzer: Analyzer = {
  name: 'envoyfilter.EnvoyPatchAnalyzer',
  codes: ['IST0151', 'IST0152', 'IST0153', 'IST0154', 'IST0155'],
  source: 'pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go',
  analyze(ctx) {
    const versioned: string[] = [];
    for (const ef of ctx.index.envoyFilters) {
      const patches = list<Patch>(ef.spec.configPatches);
      for (let i = 0; i < patches.length; i++) {
        const p = patches[i];
        if (!isObject(p?.patch)) break;
        const name = instanceName(p);
        const op = str(p.patch.operation) ?? '';
        const applyTo = str(p.applyTo) ?? '';
        const routeLevel = applyTo === 'ROUTE_CONFIGURATION' || applyTo === 'HTTP_ROUTE';
        if (op === 'ADD') {
          if (routeLevel) ctx.report(ef, 'IST0153', `spec.configPatches[${i}]: ADD is ignored when applyTo is ${applyTo}`, '');
        } else if (op === 'REMOVE') {
          if (routeLevel) ctx.report(ef, 'IST0154', `spec.configPatches[${i}]: REMOVE is ignored when applyTo is ${applyTo}`, '');
          else relative(ctx, ef, i, name, versioned);
        } else if (op === 'REPLACE') {
          if (!['NETWORK_FILTER', 'HTTP_FILTER', 'VIRTUAL_HOST'].includes(applyTo)) ctx.report(ef, 'IST0152', `spec.configPatches[${i}]: REPLACE only works with applyTo HTTP_FILTER, NETWORK_FILTER or VIRTUAL_HOST, not ${applyTo || 'INVALID'}`, '');
          else relative(ctx, ef, i, name, versioned);
        } else if (op === 'INSERT_BEFORE' || op === 'INSERT_AFTER') {
          relative(ctx, ef, i, name, versioned);
        }
        if (str(p.match?.proxy?.proxyVersion)) versioned.push(name);
      }
    }
  },
};
