/**
 * Mutation test of the validation layer: seeded single-field mutations of the manifests the
 * examples synthesize (dist/ reference app, ambient variant, progressive delivery), each with the
 * verdict the API server and istiod would give (test/validation/mutations.ts derives it from the
 * rule the mutation breaks). The per-object checks (schema, CEL, core kinds, webhook) must reject
 * what they reject and accept what they accept; a regression in any rule family fails here.
 *
 * MUTATION_SEED picks another sample; MUTATION_ALL=1 runs every mutation instead of the sample.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../examples/main';
import { readManifests } from '../../src/cli/lint';
import { validateManifests } from '../../src/validation';
import { Mutation, mutationsOf, prng } from './mutations';

const SEED = Number(process.env.MUTATION_SEED ?? 20260823);
/** Mutations sampled per family (all of a family when it has fewer). */
const PER_FAMILY = Number(process.env.MUTATION_PER_FAMILY ?? 150);

interface Result {
  readonly m: Mutation;
  readonly rejected: boolean;
  readonly errors: string[];
}

let results: Result[] = [];
let sets: Record<string, any[]> = {};

function synthesize(): Record<string, any[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutation-'));
  try {
    main(dir);
    const out: Record<string, any[]> = {};
    for (const [name, p] of [['reference-app', path.join(dir, 'reference-app.k8s.yaml')], ['ambient', path.join(dir, 'ambient')], ['progressive', path.join(dir, 'progressive')]]) {
      const files = fs.statSync(p).isDirectory() ? fs.readdirSync(p).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(p, f)) : [p];
      out[name] = readManifests(files).manifests.map((s) => s.manifest).filter((m) => m && typeof m === 'object' && m.kind);
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Errors of the per-object checks: what admission (API server + istiod webhook) would say. */
function admissionErrors(manifest: any): string[] {
  return validateManifests([{ manifest }], { checks: { analyzers: false } }).filter((f) => f.level === 'error').map((f) => `${f.code} ${f.message}`);
}

/** A seeded sample: up to PER_FAMILY per (family, verdict), all when MUTATION_ALL is set. */
function sample(all: Mutation[]): Mutation[] {
  const unique = [...new Map(all.map((m) => [m.id, m])).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (process.env.MUTATION_ALL) return unique;
  const rnd = prng(SEED);
  const groups = new Map<string, Mutation[]>();
  for (const m of unique) {
    const k = `${m.family}/${m.expect}`;
    groups.set(k, [...(groups.get(k) ?? []), m]);
  }
  const out: Mutation[] = [];
  for (const list of groups.values()) {
    const pool = [...list];
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    out.push(...pool.slice(0, PER_FAMILY));
  }
  return out;
}

beforeAll(() => {
  sets = synthesize();
  const all = Object.values(sets).flat().flatMap((m) => mutationsOf(m));
  results = sample(all).map((m) => {
    const errors = admissionErrors(m.manifest);
    return { m, rejected: errors.length > 0, errors };
  });
  const families = [...new Set(results.map((r) => r.m.family))].sort();
  const lines = families.map((f) => {
    const rs = results.filter((r) => r.m.family === f);
    const rej = rs.filter((r) => r.m.expect === 'reject');
    const acc = rs.filter((r) => r.m.expect === 'accept');
    return `${f.padEnd(14)} rejected ${rej.filter((r) => r.rejected).length}/${rej.length}  false positives ${acc.filter((r) => r.rejected).length}/${acc.length}`;
  });
  const rej = results.filter((r) => r.m.expect === 'reject');
  // eslint-disable-next-line no-console
  console.log(`mutation test (seed ${SEED}): ${results.length} mutations of ${Object.values(sets).flat().length} objects\n${lines.join('\n')}\n`
    + `total rejected ${rej.filter((r) => r.rejected).length}/${rej.length} (${(100 * rej.filter((r) => r.rejected).length / rej.length).toFixed(1)}%)`);
}, 300_000);

describe('mutation test', () => {
  test('the synthesized manifests are valid to start with', () => {
    for (const [name, ms] of Object.entries(sets)) {
      const errors = ms.flatMap((m) => admissionErrors(m).map((e) => `${name} ${m.kind}/${m.metadata?.name}: ${e}`));
      expect(errors).toEqual([]);
    }
  });

  test('covers every rule family with both verdicts where the family has valid changes', () => {
    const families = new Set(results.map((r) => r.m.family));
    for (const f of ['unknown-field', 'type', 'enum', 'range', 'duration', 'regex', 'host', 'name', 'label', 'required', 'duplicate', 'quantity', 'ip', 'authz', 'retryOn', 'header', 'selector', 'envoy']) {
      expect([...families]).toContain(f);
    }
    expect(results.filter((r) => r.m.expect === 'reject').length).toBeGreaterThan(500);
    expect(results.filter((r) => r.m.expect === 'accept').length).toBeGreaterThan(150);
  });

  test('no false positive: every mutation the API server and istiod accept passes', () => {
    const fps = results.filter((r) => r.m.expect === 'accept' && r.rejected).map((r) => `${r.m.id}\n    ${r.errors.join('\n    ')}`);
    expect(fps).toEqual([]);
  });

  test('at least 97% of the mutations the API server or istiod reject are rejected', () => {
    const rej = results.filter((r) => r.m.expect === 'reject');
    const missed = rej.filter((r) => !r.rejected);
    const rate = (rej.length - missed.length) / rej.length;
    if (rate < 0.97) {
      // eslint-disable-next-line no-console
      console.log(`missed:\n${missed.map((r) => `  ${r.m.id} (${r.m.rule})`).join('\n')}`);
    }
    expect(rate).toBeGreaterThanOrEqual(0.97);
  });

  test.each(['unknown-field', 'type', 'enum', 'range', 'duration', 'regex', 'host', 'name', 'label', 'required', 'duplicate', 'quantity', 'ip', 'authz', 'retryOn', 'header', 'selector', 'targetRef', 'structure', 'envoy'])(
    'family %s: every sampled rejection is caught', (family) => {
      const missed = results.filter((r) => r.m.family === family && r.m.expect === 'reject' && !r.rejected).map((r) => `${r.m.id} (${r.m.rule})`);
      expect(missed).toEqual([]);
    });
});
