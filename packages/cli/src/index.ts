/**
 * @fcgi/cli: the `fcgi` command as a library. `main(argv, io)` runs any command in-process
 * (tests pass captured streams); the bin is a thin wrapper around it.
 *
 * @example
 * ```ts
 * import { main } from '@fcgi/cli';
 * const status = await main(['decode', 'capture.bin']);
 * ```
 *
 * @module
 */
export { main } from './main.js';
export { type CliAddress, formatAddress, parseAddress } from './address.js';
export { type CliErrorCodeValue, CliErrorCode, FastCgiCliError } from './errors.js';
export { type ExitCodeValue, ExitCode, exitCodeForError, exitCodeForErrorCode } from './exit-codes.js';
export { type CliInput, type CliIo, type CliOutput, processIo } from './io.js';
export { type Command, type CommandContext, type CommandOption } from './command.js';
export { commands } from './commands/index.js';
export { type DecodedRecordJson } from './commands/decode-json.js';
