import { IConstruct } from 'constructs';
import type { HttpMatchIntent, RewriteIntent } from './model';
import { prefixRewriteSeamFinding } from './rules/route';
import { addWarning } from './warnings';

/** Warning code: a prefix rewrite that glues two path segments together or doubles a slash (lint: the same code). */
export const WARN_PREFIX_REWRITE_SEAM = 'CI3011';

/**
 * Warns (CI3011) when a route rule's `rewrite.uri` meets one of its match blocks' prefixes at a bad
 * seam (rules/route.ts prefixRewriteSeam): one warning per distinct prefix. `matches` empty is the
 * catch-all (the prefix `/`, as pilot translates a rule without a match); a block without a uri
 * condition matches the prefix `/` too; exact and regex blocks have no seam. A delegate rule whose
 * block has no uri condition takes its root entry's prefix, which the delegate does not know: lint
 * (the same rule over the merged VirtualService) reports those at synth.
 */
export function warnPrefixRewriteSeams(scope: IConstruct, at: string, matches: readonly HttpMatchIntent[], rewrite: RewriteIntent | undefined, uriless: '/' | 'unknown' = '/'): void {
  const to = rewrite?.uri;
  if (to === undefined) return;
  const prefixes = new Set<string>();
  if (matches.length === 0) prefixes.add('/');
  for (const m of matches) {
    if (m.uri === undefined) {
      if (uriless === '/') prefixes.add('/');
    } else if (m.uri.kind === 'prefix') prefixes.add(m.uri.value);
  }
  for (const prefix of prefixes) {
    const finding = prefixRewriteSeamFinding(prefix, to);
    // the text after the field is lint's CI3011 text, so synth reports the construct's warning only
    if (finding) addWarning(scope, WARN_PREFIX_REWRITE_SEAM, `${at}: ${finding}`);
  }
}
