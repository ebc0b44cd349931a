/**
 * The messages between the `fcgi serve` primary and its workers (over the cluster IPC
 * channel).
 *
 * @module
 */

/**
 * A worker's message to the primary.
 *
 * @example
 * ```ts
 * process.send?.({ fcgiServe: 'recycle' } satisfies WorkerMessage);
 * ```
 */
export type WorkerMessage =
  | { readonly fcgiServe: 'listening'; readonly address: string; readonly kind: string }
  | { readonly fcgiServe: 'fatal'; readonly message: string; readonly exitCode: number }
  | { readonly fcgiServe: 'recycle' };

/**
 * The primary's message to a worker: drain and exit.
 *
 * @example
 * ```ts
 * worker.send({ fcgiServe: 'drain' } satisfies PrimaryMessage);
 * ```
 */
export interface PrimaryMessage {
  readonly fcgiServe: 'drain';
}

/**
 * Whether a value received over IPC is one of the workers' messages.
 *
 * @example
 * ```ts
 * worker.on('message', (message) => { if (isWorkerMessage(message)) handle(message); });
 * ```
 */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && typeof (value as { fcgiServe?: unknown }).fcgiServe === 'string';
}
