/**
 * Runs one injected request: real client, real codec, real server engine (or a real
 * socket for an address), with the whole exchange recorded.
 *
 * @module
 */
import type { Duplex, Readable } from 'node:stream';
import { Client, type ClientResponse } from '@fcgi/client';
import { FastCgiError } from '@fcgi/codec';
import { FastCgiHarnessError, HarnessErrorCode } from './errors.js';
import { type InjectRequest, INJECT_DEFAULTS, cgiParams, requestBody } from './inject-request.js';
import { type InjectResult, makeResult } from './inject-result.js';
import { type InjectTarget, resolveTarget } from './inject-target.js';
import { Transcript } from './transcript.js';
import { openTappedConnection } from './transport.js';

/** Reads a stream to its end; an error ends the reading with what arrived so far. */
function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer | string) => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    const finish = (): void => resolve(Buffer.concat(chunks));
    stream.once('end', finish);
    stream.once('error', finish);
    stream.once('close', finish);
  });
}

function whenClosed(stream: Duplex, timeout: number): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeout);
    stream.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function checkRequest(request: InjectRequest): void {
  const { abortAfter, timeout } = request;
  if (abortAfter !== undefined && (!Number.isFinite(abortAfter) || abortAfter < 0)) throw new FastCgiHarnessError(HarnessErrorCode.InvalidOption, `abortAfter must be a number of ms >= 0, got ${String(abortAfter)}`);
  if (timeout !== undefined && (!Number.isSafeInteger(timeout) || timeout < 1)) throw new FastCgiHarnessError(HarnessErrorCode.InvalidOption, `timeout must be a positive integer of ms, got ${String(timeout)}`);
}

interface Outcome {
  response: ClientResponse | undefined;
  body: Buffer;
  stderr: Buffer;
  appStatus: number | undefined;
  protocolStatus: number | undefined;
  aborted: boolean;
}

async function exchange(client: Client, request: InjectRequest, signal: AbortSignal): Promise<Outcome> {
  const outcome: Outcome = { response: undefined, body: Buffer.alloc(0), stderr: Buffer.alloc(0), appStatus: undefined, protocolStatus: undefined, aborted: false };
  try {
    const response = await client.request({ params: cgiParams(request), body: requestBody(request), role: request.role, data: request.data, signal });
    outcome.response = response;
    const reading = Promise.all([readAll(response.body), readAll(response.stderr)]);
    const end = await response.done.finally(async () => {
      [outcome.body, outcome.stderr] = await reading;
    });
    outcome.appStatus = end.appStatus;
    outcome.protocolStatus = end.protocolStatus;
  } catch (error) {
    if (!signal.aborted || !FastCgiError.is(error)) throw error;
    outcome.aborted = true;
  }
  return outcome;
}

/**
 * Sends one request to `target` and resolves to the full result (see `inject()` for the
 * chainable form).
 *
 * @example
 * ```ts
 * const result = await injectRequest((req, res) => res.end('hi'), { url: '/' });
 * result.text(); // 'hi'
 * ```
 */
export async function injectRequest(target: InjectTarget, request: InjectRequest = {}): Promise<InjectResult> {
  checkRequest(request);
  const resolved = resolveTarget(target, request.server);
  await resolved.ready;
  const timeout = request.timeout ?? INJECT_DEFAULTS.timeout;
  const transcript = new Transcript();
  const connections: Duplex[] = [];
  const client = new Client({
    connect: async () => {
      const duplex = await openTappedConnection(resolved.connection, timeout, (direction, chunk) => transcript.push(direction, chunk));
      connections.push(duplex);
      return duplex;
    },
    keepAlive: request.keepConn ?? false,
    getValues: false,
    connections: 1,
    connectTimeout: timeout,
    headersTimeout: timeout,
    requestTimeout: timeout,
  });
  const controller = new AbortController();
  const abortTimer = request.abortAfter === undefined ? undefined : setTimeout(() => controller.abort(), request.abortAfter);
  let outcome: Outcome;
  try {
    outcome = await exchange(client, request, controller.signal);
  } catch (error) {
    await client.destroy();
    throw error;
  } finally {
    clearTimeout(abortTimer);
  }
  await client.close();
  await Promise.all(connections.map((connection) => whenClosed(connection, timeout)));
  const response = outcome.response;
  return makeResult({
    status: response?.status ?? 0,
    statusText: response?.statusText ?? '',
    headers: response?.headers ?? {},
    rawHeaders: response?.rawHeaders ?? [],
    body: outcome.body,
    stderr: outcome.stderr.toString('utf8'),
    appStatus: outcome.appStatus,
    protocolStatus: outcome.protocolStatus,
    aborted: outcome.aborted,
    records: transcript.records,
  });
}
