/**
 * The machine and versions a report was measured with.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Machine facts printed with every report. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  v8: string;
}

/**
 * The current machine.
 *
 * @example
 * ```ts
 * console.log(describeMachine().cores);
 * ```
 */
export function describeMachine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
  };
}

/**
 * The version of an installed package of this workspace package, or 'missing'.
 *
 * @example
 * ```ts
 * packageVersion('undici'); // '7.30.2'
 * ```
 */
export function packageVersion(name: string): string {
  try {
    const path = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'missing';
  }
}

/**
 * The first line of `command args` (e.g. a peer's version banner), or 'missing'.
 *
 * @example
 * ```ts
 * toolVersion('nginx', ['-v']);
 * ```
 */
export function toolVersion(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 5000 });
  if (result.error !== undefined) return 'missing';
  const line = `${result.stdout}\n${result.stderr}`.split('\n').find((text) => text.trim() !== '');
  return line?.trim() ?? 'unknown';
}
