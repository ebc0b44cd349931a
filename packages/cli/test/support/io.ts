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

function collector(chunks: Buffer[]): CliOutput {
  return { write: (chunk) => (chunks.push(Buffer.from(chunk)), true), isTTY: false };
}

/** A CliIo whose stdin yields `input` in the given chunks, and whose outputs are recorded. */
export function captureIo(options: { stdin?: readonly (Uint8Array | string)[]; stdinIsTTY?: boolean; cwd?: string } = {}): CapturedIo {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdin = Object.assign(Readable.from((options.stdin ?? []).map((chunk) => Buffer.from(chunk))), { isTTY: options.stdinIsTTY ?? false });
  return {
    io: { stdin, stdout: collector(out), stderr: collector(err), cwd: options.cwd ?? process.cwd() },
    stdoutBytes: () => Buffer.concat(out),
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
  };
}
