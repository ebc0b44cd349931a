/** In-memory standard streams for running `main` in-process. */
import { Readable } from 'node:stream';
import type { CliIo, CliOutput } from '../../src/index.js';

export interface CapturedIo {
  readonly io: CliIo;
  /** Everything written to stdout, as bytes. */
  stdoutBytes(): Buffer;
  /** Everything written to stdout, as text. */
  stdout(): string;
  /** Everything written to stderr, as text. */
  stderr(): string;
}

function collector(chunks: Buffer[], isTTY: boolean): CliOutput {
  return { write: (chunk) => (chunks.push(Buffer.from(chunk)), true), isTTY };
}

/**
 * A CliIo whose stdin yields `input` in the given chunks, and whose outputs are recorded.
 * The outputs are pipes unless `outputIsTTY`; the environment is `env` (default empty, so
 * a NO_COLOR or FORCE_COLOR around the test run changes nothing).
 */
export function captureIo(options: { stdin?: readonly (Uint8Array | string)[]; stdinIsTTY?: boolean; outputIsTTY?: boolean; env?: Record<string, string>; cwd?: string } = {}): CapturedIo {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdin = Object.assign(Readable.from((options.stdin ?? []).map((chunk) => Buffer.from(chunk))), { isTTY: options.stdinIsTTY ?? false });
  return {
    io: { stdin, stdout: collector(out, options.outputIsTTY ?? false), stderr: collector(err, options.outputIsTTY ?? false), cwd: options.cwd ?? process.cwd(), env: options.env ?? {} },
    stdoutBytes: () => Buffer.concat(out),
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
  };
}
