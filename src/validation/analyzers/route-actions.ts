/**
 * Our own checks (CI3007–CI3011) for VirtualService rules istiod accepts but pilot or Envoy do not
 * carry out as written: the same rules the constructs refuse (src/rules), so hand-written YAML and the
 * library's output are judged alike.
 */
import { list } from '../../manifests';
import { mergeDelegateRoute } from '../../rules/delegation';
import { repeatedHeaderOperations } from '../../rules/http';
import { gatewayPrefixRewrite, prefixRewriteSeam, prefixRewriteSeamFinding, rewriteUri, rewrittenPrefix, translatedRedirectCode } from '../../rules/route';
import type { Analyzer } from './context';
import { q } from './util';

/**
 * CI3007: a redirect code pilot does not translate (`pilot/pkg/networking/core/route/route.go`: 0/301,
 * 302, 303, 307, 308; any other code logs "Redirect Code %d is not yet supported" and drops the route's
 * action). CI3008: a `rewrite.uri` that does not start with '/'. CI3009: a header named by two
 * operations of one `headers` block.
 */
export const routeActionsAnalyzer: Analyzer = {
  name: 'cdk8s-istio.RouteActionsAnalyzer',
  codes: ['CI3007', 'CI3008', 'CI3009'],
  source: 'pilot/pkg/networking/core/route/route.go (ours)',
  analyze(ctx) {
    for (const vs of ctx.index.virtualServices) {
      list<any>(vs.spec.http).forEach((rule, i) => {
        const code = rule?.redirect?.redirectCode;
        if (typeof code === 'number' && code >= 300 && code <= 399) {
          const bad = translatedRedirectCode(code);
          if (bad) ctx.report(vs, 'CI3007', `spec.http[${i}].redirect.redirectCode: ${code} is invalid: ${bad}. Hint: use 301, 302, 303, 307 or 308`);
        }
        const uri = rule?.rewrite?.uri;
        if (typeof uri === 'string' && uri !== '') {
          const bad = rewriteUri(uri);
          if (bad) ctx.report(vs, 'CI3008', `spec.http[${i}].rewrite.uri: ${q(uri)} is invalid: ${bad} (Envoy's prefix_rewrite puts it in place of the matched prefix as written). Hint: e.g. "/"`);
        }
        for (const dir of ['request', 'response']) {
          for (const r of repeatedHeaderOperations(dir, rule?.headers?.[dir])) {
            ctx.report(vs, 'CI3009', `spec.http[${i}].headers.${dir}.${r.op}: ${q(r.name)}: ${r.rule}; the block does not say what happens to it (Envoy removes before it adds). Hint: change each header once`);
          }
        }
      });
    }
  },
};

/**
 * CI3010: a delegate VirtualService rule whose match leaves its root entry's match: istiod drops the
 * rule (`pilot/pkg/model/virtualservice.go` `mergeHTTPMatchRequests`/`hasConflict`), so it never routes.
 */
export const delegateMatchAnalyzer: Analyzer = {
  name: 'cdk8s-istio.DelegateMatchAnalyzer',
  codes: ['CI3010'],
  source: 'pilot/pkg/model/virtualservice.go (ours)',
  analyze(ctx) {
    for (const root of ctx.index.virtualServices) {
      list<any>(root.spec.http).forEach((entry, i) => {
        const ref = entry?.delegate;
        if (!ref || typeof ref !== 'object') return;
        const name = String(ref.name ?? '');
        const ns = String(ref.namespace ?? root.namespace);
        const delegate = ctx.index.virtualServices.find((v) => v.name === name && v.namespace === ns);
        if (!delegate) return;
        list<any>(delegate.spec.http).forEach((leaf, j) => {
          if (mergeDelegateRoute(entry, leaf ?? {})) return;
          ctx.report(delegate, 'CI3010', `spec.http[${j}].match: the rule asks for requests its root entry (VirtualService ${root.namespace}/${root.name} spec.http[${i}]) never hands over: istiod drops it (mergeHTTPMatchRequests). Hint: match within the root entry's match (same or longer prefix, same exact value)`);
        });
      });
    }
  },
};

/**
 * The seam problems of one VirtualService rule's `rewrite.uri` (rules/route.ts prefixRewriteSeam),
 * once per distinct prefix: each match block's prefix (none: `/`), exact and regex blocks skipped.
 */
function ruleSeams(rule: any): Array<{ readonly at: string; readonly prefix: string; readonly finding: string }> {
  const to = rule?.rewrite?.uri;
  if (typeof to !== 'string' || to === '' || rewriteUri(to) || rule.redirect || rule.directResponse) return [];
  const blocks: unknown[] = Array.isArray(rule.match) && rule.match.length > 0 ? rule.match : [undefined];
  const out: Array<{ at: string; prefix: string; finding: string }> = [];
  blocks.forEach((b, k) => {
    const prefix = rewrittenPrefix(b);
    if (prefix === undefined || out.some((o) => o.prefix === prefix)) return;
    const finding = prefixRewriteSeamFinding(prefix, to);
    if (finding) out.push({ at: b === undefined ? '' : `.match[${k}]`, prefix, finding });
  });
  return out;
}

/**
 * CI3011: a prefix rewrite that glues two path segments together or doubles a slash (Envoy's
 * `prefix_rewrite` replaces the matched prefix literally; rules/route.ts prefixRewriteSeam): in a
 * VirtualService rule (a delegate's rules as istiod merges them under their root entry), and in an
 * HTTPRoute `URLRewrite` `ReplacePrefixMatch` as istiod converts it (only a PathPrefix `/` match can
 * glue there). istiod accepts both.
 */
export const prefixRewriteAnalyzer: Analyzer = {
  name: 'cdk8s-istio.PrefixRewriteAnalyzer',
  codes: ['CI3011'],
  source: 'pilot/pkg/networking/core/route/route.go applyHTTPRouteDestination (ours)',
  analyze(ctx) {
    for (const vs of ctx.index.virtualServices) {
      list<any>(vs.spec.http).forEach((rule, i) => {
        if (rule?.delegate) {
          const ref = rule.delegate;
          const delegate = typeof ref === 'object' ? ctx.index.virtualServices.find((v) => v.name === String(ref.name ?? '') && v.namespace === String(ref.namespace ?? vs.namespace)) : undefined;
          if (!delegate) return;
          list<any>(delegate.spec.http).forEach((leaf, j) => {
            const merged = mergeDelegateRoute(rule, leaf ?? {});
            if (!merged) return;
            for (const s of ruleSeams(merged)) {
              ctx.report(delegate, 'CI3011', `spec.http[${j}] (merged with its root entry, VirtualService ${vs.namespace}/${vs.name} spec.http[${i}]): ${s.finding}`);
            }
          });
          return;
        }
        // a delegate (no hosts) routes only under its root entry: judged above, merged
        if (list(vs.spec.hosts).length === 0) return;
        for (const s of ruleSeams(rule)) {
          ctx.report(vs, 'CI3011', `spec.http[${i}]${s.at}: ${s.finding}`);
        }
      });
    }
    for (const route of ctx.index.ofKind('HTTPRoute', 'gateway.networking.k8s.io')) {
      list<any>(route.spec?.rules).forEach((rule, i) => {
        list<any>(rule?.filters).forEach((f, k) => {
          const replace = f?.type === 'URLRewrite' && f.urlRewrite?.path?.type === 'ReplacePrefixMatch' ? f.urlRewrite.path.replacePrefixMatch : undefined;
          if (typeof replace !== 'string') return;
          const matches: any[] = Array.isArray(rule.matches) && rule.matches.length > 0 ? rule.matches : [{}];
          const seen = new Set<string>();
          for (const m of matches) {
            if ((m?.path?.type ?? 'PathPrefix') !== 'PathPrefix') continue;
            const value = typeof m?.path?.value === 'string' ? m.path.value : '/';
            const envoy = gatewayPrefixRewrite(value, replace);
            const problem = envoy ? prefixRewriteSeam(envoy.prefix, envoy.to) : undefined;
            if (!envoy || !problem || seen.has(value)) continue;
            seen.add(value);
            ctx.report(route, 'CI3011', `spec.rules[${i}].filters[${k}].urlRewrite.path.replacePrefixMatch: ${q(replace)} on PathPrefix ${q(value)}: istiod writes Envoy's prefix_rewrite ${q(envoy.to)} for the prefix ${q(envoy.prefix)} (pilot/pkg/config/kube/gateway/conversion.go; istio/istio#60182), and ${problem}. Hint: match a longer PathPrefix (e.g. one per first path segment), or use ReplaceFullPath`);
          }
        });
      });
    }
  },
};
