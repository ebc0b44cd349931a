/**
 * Opening a `@fcgi/client` Client for one command run, and reading local inputs for it.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Client } from '@fcgi/client';
import { formatAddress, parseAddress } from './address.js';
import { CliErrorCode, FastCgiCliError } from './errors.js';
import { type CliIo } from './io.js';

/**
 * A local input sent to the app: its bytes (or a stream of them) and their length.
 *
 * @example
 * ```ts
 * const input: LocalInput = { body: new Uint8Array([104, 105]), length: 2, modified: undefined };
 * ```
 */
export interface LocalInput {
  readonly body: Uint8Array | AsyncIterable<Uint8Array>;
  readonly length: number;
  /** The file's modification time (for FCGI_DATA_LAST_MOD). */
  readonly modified: Date | undefined;
}

function readError(source: string, error: unknown): FastCgiCliError {
  const code = (error as { code?: unknown }).code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
  return new FastCgiCliError(CliErrorCode.Read, `cannot read '${source}': ${reason}`, { cause: error });
}

/**
 * Reads `-` (standard input, buffered to learn its length) or opens FILE as a stream of
 * known length. Failures become ERR_FCGI_CLI_READ (exit code 26).
 *
 * @example
 * ```ts
 * const { body, length } = await openLocalInput('upload.bin', io);
 * ```
 */
export async function openLocalInput(source: string, io: CliIo): Promise<LocalInput> {
  if (source === '-') {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk));
    } catch (error) {
      throw readError('standard input', error);
    }
    const body = Buffer.concat(chunks);
    return { body, length: body.length, modified: undefined };
  }
  const path = resolve(io.cwd, source);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    return { body: createReadStream(path), length: info.size, modified: info.mtime };
  } catch (error) {
    throw readError(source, error);
  }
}

/**
 * Runs `work` with a Client for ADDRESS (validated first: a bad address is a usage error),
 * and closes the client afterwards, destroying it if `work` failed.
 *
 * @example
 * ```ts
 * const values = await withClient('127.0.0.1:9000', 2000, (client) => client.getValues());
 * ```
 */
export async function withClient<Result>(address: string, timeout: number | undefined, work: (client: Client) => Promise<Result>): Promise<Result> {
  const normalized = formatAddress(parseAddress(address));
  const client = new Client({
    address: normalized,
    connections: 1,
    getValues: false,
    ...(timeout === undefined ? {} : { connectTimeout: timeout, headersTimeout: timeout, bodyTimeout: timeout, requestTimeout: timeout, valuesTimeout: timeout }),
  });
  try {
    const result = await work(client);
    await client.close();
    return result;
  } catch (error) {
    await client.destroy();
    throw error;
  }
}
