/**
 * Temporary run directories: one per started peer, holding its config, logs, pid file,
 * sockets and temp files, removed when the peer stops.
 *
 * @module
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Creates a fresh directory under the system temp directory, readable by the unprivileged
 * users the peers' workers run as (www-data, nobody).
 *
 * @example
 * ```ts
 * const runDirectory = await createRunDirectory('nginx'); // '/tmp/fcgi-nginx-a1B2c3'
 * ```
 */
export async function createRunDirectory(label: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), `fcgi-${label}-`));
  await chmod(directory, 0o755);
  return directory;
}

/**
 * Writes a file (creating its parent directories) and returns its path; readable by all.
 *
 * @example
 * ```ts
 * await writeRunFile(runDirectory, 'htdocs/index.php', '<?php echo "hi";');
 * ```
 */
export async function writeRunFile(directory: string, relativePath: string, content: string | Uint8Array): Promise<string> {
  const path = join(directory, relativePath);
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  await writeFile(path, content, { mode: 0o644 });
  return path;
}

/**
 * Removes a run directory and everything in it.
 *
 * @example
 * ```ts
 * await removeRunDirectory(runDirectory);
 * ```
 */
export async function removeRunDirectory(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}
