/**
 * The registered commands, in the order `fcgi --help` lists them.
 *
 * @module
 */
import type { Command } from '../command.js';
import { decodeCommand } from './decode.js';

/**
 * Every command `fcgi` knows.
 *
 * @example
 * ```ts
 * commands.map((command) => command.name); // ['decode']
 * ```
 */
export const commands: readonly Command[] = [decodeCommand];
