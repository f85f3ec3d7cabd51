import { teardown } from './jest-global-tmpdir';

/** jest `globalTeardown`: see test/jest-global-tmpdir.ts. */
export default function globalTeardown(): void {
  teardown();
}
