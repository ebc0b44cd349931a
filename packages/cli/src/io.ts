/**
 * The CLI's view of the outside world, so tests can run commands in-process with captured
 * output: standard input, output and error, and the working directory.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { CliErrorCode, FastCgiCliError } from './errors.js';

/**
 * Where a command writes: `process.stdout`, `process.stderr`, or a test double.
 *
 * @example
 * ```ts
 * const chunks: Uint8Array[] = [];
 * const output: CliOutput = { write: (chunk) => (chunks.push(Buffer.from(chunk)), true) };
 * ```
 */
export interface CliOutput {
  /** Writes text or bytes; returns false when the caller should wait for `'drain'`. */
  write(chunk: string | Uint8Array): boolean;
  /** Present on real streams: lets writers wait for `'drain'`. */
  once?(event: 'drain', listener: () => void): unknown;
  /** True when the output is a terminal. */
  readonly isTTY?: boolean;
}

/**
 * Standard input as the CLI reads it.
 *
 * @example
 * ```ts
 * const stdin: CliInput = Readable.from([Buffer.from('bytes')]);
 * ```
 */
export interface CliInput extends AsyncIterable<Uint8Array | string> {
  /** True when standard input is a terminal (nothing piped in). */
  readonly isTTY?: boolean;
}

/**
 * Everything `main` touches: standard streams and the working directory.
 *
 * @example
 * ```ts
 * import { main, type CliIo } from '@fcgi/cli';
 * const io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
 * process.exitCode = await main(process.argv.slice(2), io);
 * ```
 */
export interface CliIo {
  readonly stdin: CliInput;
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
  /**
   * The environment that decides colour (`NO_COLOR`, `FORCE_COLOR`; see docs/cli.md);
   * default `process.env`.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The real process's streams.
 *
 * @example
 * ```ts
 * await main(['decode', 'capture.bin'], processIo());
 * ```
 */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

/**
 * Writes a chunk and waits for `'drain'` when the output asks for it (binary-safe).
 *
 * @example
 * ```ts
 * await writeOutput(io.stdout, body);
 * ```
 */
export async function writeOutput(output: CliOutput, chunk: string | Uint8Array): Promise<void> {
  if (output.write(chunk) || output.once === undefined) return;
  await new Promise<void>((resolveDrain) => output.once?.('drain', resolveDrain));
}

function asBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
}

function readFailure(source: string, error: unknown): FastCgiCliError {
  const code = (error as { code?: unknown }).code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
  return new FastCgiCliError(CliErrorCode.Read, `cannot read '${source}': ${reason}`, { cause: error });
}

/**
 * The bytes of FILE, or of standard input for `-`, chunk by chunk as they arrive.
 * Failures to read become ERR_FCGI_CLI_READ (exit code 26).
 *
 * @example
 * ```ts
 * for await (const chunk of readSource('-', io)) transcriber.push(chunk);
 * ```
 */
export async function* readSource(source: string, io: CliIo): AsyncGenerator<Uint8Array> {
  const input: AsyncIterable<Uint8Array | string> = source === '-' ? io.stdin : createReadStream(resolve(io.cwd, source));
  try {
    for await (const chunk of input) yield asBytes(chunk);
  } catch (error) {
    throw readFailure(source === '-' ? 'standard input' : source, error);
  }
}
