import { execFileSync } from 'child_process';
import * as path from 'path';
import { buildLib } from '../validation/helpers';

/**
 * Issue 16's done-when: the packed tarball in a fresh cdk8s app (TypeScript ~6.0, jest) type-checks,
 * synthesizes and tests the docs/extending.md examples. The work is in run.sh (also runnable by hand);
 * CONSUMER_SKIP=1 skips it while iterating, as CONFORMANCE_SKIP does for the harness.
 */
const skip = process.env.CONSUMER_SKIP === '1';

(skip ? describe.skip : describe)('the packed package in a fresh consumer app', () => {
  test('type-checks, synthesizes and tests the docs/extending.md examples', () => {
    // lib/ is built under the lock the other tests that run the compiled package share
    buildLib();
    const out = execFileSync('bash', [path.join(__dirname, 'run.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', CONSUMER_LIB_BUILT: '1' } });
    expect(out).toMatch(/consumer: type-checked with TypeScript 6\.0\./);
    expect(out).toMatch(/consumer: synthesized dist\/shop\.k8s\.yaml \(\d+ objects\)/);
    expect(out).toMatch(/consumer: jest passed/);
  }, 900_000);
});
