/**
 * Our own checks (CI3007–CI3010) for VirtualService rules istiod accepts but pilot or Envoy do not
 * carry out as written: the same rules the constructs refuse (src/rules), so hand-written YAML and the
 * library's output are judged alike.
 */
import { list } from '../../manifests';
import { mergeDelegateRoute } from '../../rules/delegation';
import { repeatedHeaderOperations } from '../../rules/http';
import { rewriteUri, translatedRedirectCode } from '../../rules/route';
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
