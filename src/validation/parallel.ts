/**
 * Runs the validation layer on a second core while the main thread works.
 *
 * `MeshApp.synth()` is synchronous, and most of its time goes to resolving constructs; validation
 * (schema, CEL, webhook and analyzer checks) needs none of that state, only the resolved manifests.
 * So synth starts a worker thread first, which loads and warms the validation layer in parallel,
 * hands it the manifests once they are resolved, serializes YAML meanwhile, and then blocks on the
 * answer with `Atomics.wait` + `receiveMessageOnPort` (a synchronous hand-off, no event loop needed).
 *
 * The worker gives exactly the findings in-process validation gives (same function, same input; a
 * test checks it). When it cannot run (sources run through ts-jest have no compiled worker file, or
 * `CDK8S_ISTIO_VALIDATION_WORKER=0`), or answers with an error or not at all, callers validate
 * in-process instead.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ValidationOptions } from './index';
import type { Finding, SourcedManifest } from './types';

/** How long synth waits for the worker before validating in-process instead. */
const TIMEOUT_MS = 10 * 60 * 1000;

/** A started validation worker. */
export class ValidationWorker {
  /**
   * Starts a worker, or returns undefined when workers are off or the compiled worker is missing.
   */
  public static start(): ValidationWorker | undefined {
    if (process.env.CDK8S_ISTIO_VALIDATION_WORKER === '0') return undefined;
    const file = path.join(__dirname, 'worker.js');
    if (!fs.existsSync(file)) return undefined;
    try {
      return new ValidationWorker(file);
    } catch {
      return undefined;
    }
  }

  private readonly worker: any;
  private readonly port: any;
  private readonly signal: Int32Array;
  private readonly receive: (port: any) => { message: any } | undefined;
  private submitted = false;
  private stopped = false;

  private constructor(file: string) {
    const wt = require('worker_threads');
    this.receive = wt.receiveMessageOnPort;
    this.signal = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new wt.MessageChannel();
    this.port = port1;
    this.worker = new wt.Worker(file, { workerData: { port: port2, signal: this.signal }, transferList: [port2] });
    // never keep the process alive for the worker
    this.worker.unref();
    this.port.unref?.();
    this.worker.on('error', () => undefined);
  }

  /**
   * Starts validating a deployable set, identified by `key`, with these options. With
   * `crossObject: false` the worker runs only the per-object checks of the set and {@link finish}
   * answers with those findings, unsuppressed (the caller runs the analyzers and joins both with
   * `SetValidation.complete`).
   */
  public begin(key: string, options: ValidationOptions, crossObject = true): void {
    this.port.postMessage({ type: 'begin', set: key, options, crossObject });
    this.submitted = true;
  }

  /** Sends more objects of a set; the worker checks them while the caller goes on. */
  public add(key: string, chunk: readonly SourcedManifest[]): void {
    this.port.postMessage({ type: 'add', set: key, chunk });
  }

  /**
   * Blocks until the worker has finished every set; returns each set's findings by key (per-object
   * only for a set begun with `crossObject: false`), or undefined when the worker failed (the caller
   * then validates in-process). Always stops the worker.
   */
  public finish(): Map<string, Finding[]> | undefined {
    try {
      if (!this.submitted) return undefined;
      this.port.postMessage({ type: 'finish' });
      const waited = Atomics.wait(this.signal, 0, 0, TIMEOUT_MS);
      if (waited === 'timed-out') return undefined;
      const msg = this.receive(this.port)?.message;
      if (!msg || msg.error || !Array.isArray(msg.findings)) return undefined;
      return new Map(msg.findings);
    } finally {
      this.stop();
    }
  }

  /** Sends whole sets at once (begin + add for each), for {@link collect}. */
  public submit(sets: readonly (readonly SourcedManifest[])[], options: ValidationOptions): void {
    sets.forEach((set, i) => {
      this.begin(String(i), options);
      this.add(String(i), set);
    });
  }

  /** Finishes what {@link submit} sent: one findings list per submitted set, in order, or undefined. */
  public collect(): Finding[][] | undefined {
    const answer = this.finish();
    if (!answer) return undefined;
    return [...answer.keys()].sort((a, b) => Number(a) - Number(b)).map((k) => answer.get(k)!);
  }

  /** Stops the worker without waiting for it. */
  public stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.port.close?.();
    void this.worker.terminate();
  }
}
