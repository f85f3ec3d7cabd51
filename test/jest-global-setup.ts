import { setup } from './jest-global-tmpdir';

/** jest `globalSetup`: see test/jest-global-tmpdir.ts. */
export default function globalSetup(): void {
  setup();
}
