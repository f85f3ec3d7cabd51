// Loaded first by the entry points (index.ts, cli/main.ts): see compile-cache.ts.
import { installCompileCache } from './compile-cache';

installCompileCache();
