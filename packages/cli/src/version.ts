/**
 * The package version, read from package.json (one level above both src/ and dist/).
 *
 * @module
 */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The version of @fcgi/cli, as printed by `fcgi --version`.
 *
 * @example
 * ```ts
 * cliVersion(); // '0.1.0'
 * ```
 */
export function cliVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
