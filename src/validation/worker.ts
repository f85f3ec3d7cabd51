/**
 * Worker-thread entry of {@link ValidationWorker}: loads the validation layer (schemas, ahead-of-time
 * validators, CEL programs) while the main thread is still building and resolving constructs, then
 * validates the deployable sets it is sent and answers on the same port.
 */
import { parentPort, workerData } from 'worker_threads';
import { validateManifests } from './index';
import type { ValidationOptions } from './index';
import type { SourcedManifest } from './types';

interface Request {
  readonly sets: SourcedManifest[][];
  readonly options: ValidationOptions;
}

const port = workerData?.port ?? parentPort;
const signal: Int32Array = workerData?.signal;

port.on('message', (req: Request) => {
  let reply: unknown;
  try {
    reply = { findings: req.sets.map((set) => validateManifests(set, req.options)) };
  } catch (e) {
    reply = { error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
  }
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
