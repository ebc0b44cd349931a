/**
 * The registered commands, in the order `fcgi --help` lists them.
 *
 * @module
 */
import type { Command } from '../command.js';
import { decodeCommand } from './decode.js';
import { pingCommand } from './ping.js';
import { requestCommand } from './request.js';
import { serveCommand } from './serve.js';
import { valuesCommand } from './values.js';

/**
 * Every command `fcgi` knows.
 *
 * @example
 * ```ts
 * commands.map((command) => command.name); // ['request', 'ping', 'values', 'serve', 'decode']
 * ```
 */
export const commands: readonly Command[] = [requestCommand, pingCommand, valuesCommand, serveCommand, decodeCommand];
