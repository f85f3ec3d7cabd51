/**
 * The mesh model: plain, serializable intent that constructs write and renderers read. See
 * docs/architecture.md ("The model").
 */
export * from './identity';
export * from './settings';
export * from './service';
export * from './traffic';
export * from './security';
export * from './egress';
export * from './edge';
export * from './owners';
export * from './model';
export * from './edge-checks';
