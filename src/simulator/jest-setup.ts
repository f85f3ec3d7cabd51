/**
 * Importing this module registers the simulator's jest matchers (`toRoute`, `toHaveNoRoute`,
 * `toAllow`, `toDeny`): list it in jest's `setupFilesAfterEnv`, or `import
 * 'cdk8s-istio/lib/src/simulator/jest-setup'` at the top of a test file.
 */
import { installMeshMatchers } from './jest';

export * from './jest';

installMeshMatchers();
