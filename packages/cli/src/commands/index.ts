/**
 * The registered commands, in the order `fcgi --help` lists them.
 *
 * @module
 */
import type { Command } from '../command.js';
import { conformanceCommand } from './conformance.js';
import { decodeCommand } from './decode.js';
import { gatewayCommand } from './gateway.js';
import { pingCommand } from './ping.js';
import { requestCommand } from './request.js';
import { serveCommand } from './serve.js';
import { valuesCommand } from './values.js';

/**
 * Every command `fcgi` knows.
 *
 * @example
 * ```ts
 * commands.map((command) => command.name); // ['request', 'ping', 'values', 'serve', 'gateway', 'decode', 'conformance']
 * ```
 */
export const commands: readonly Command[] = [requestCommand, pingCommand, valuesCommand, serveCommand, gatewayCommand, decodeCommand, conformanceCommand];
