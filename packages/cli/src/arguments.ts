/**
 * Argument parsing over `node:util` `parseArgs` (strict): every failure becomes one short
 * usage line naming the offending argument.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import type { Command, CommandOption } from './command.js';
import { usageError } from './errors.js';

/**
 * Options every command accepts.
 *
 * @example
 * ```ts
 * commonOptions.map((option) => option.name); // ['help', 'debug']
 * ```
 */
export const commonOptions: readonly CommandOption[] = [
  { name: 'help', short: 'h', type: 'boolean', description: 'print this help and exit' },
  { name: 'debug', type: 'boolean', description: 'print stack traces of unexpected errors' },
];

/**
 * Parsed arguments of one command.
 *
 * @example
 * ```ts
 * const parsed: ParsedArguments = { positionals: ['capture.bin'], values: { json: true } };
 * ```
 */
export interface ParsedArguments {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | string[] | undefined>;
}

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parseArgsOptions(options: readonly CommandOption[]): ParseArgsOptions {
  const config: NonNullable<ParseArgsOptions> = {};
  for (const option of options) {
    config[option.name] = { type: option.type, ...(option.short === undefined ? {} : { short: option.short }), ...(option.multiple === true ? { multiple: true } : {}) };
  }
  return config;
}

/** The argument named in one of parseArgs' messages (`Unknown option '--x'...`). */
function quotedArgument(message: string): string {
  return /'([^']*)'/.exec(message)?.[1] ?? message;
}

/**
 * Turns a `parseArgs` error into a one-line usage error.
 *
 * @example
 * ```ts
 * usageMessage({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION', message: "Unknown option '--x'. To specify..." }); // "unknown option '--x'"
 * ```
 */
export function usageMessage(error: { code?: unknown; message: string }): string {
  const argument = quotedArgument(error.message);
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': return `unknown option '${argument}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': return `unexpected argument '${argument}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return error.message.includes('argument missing') ? `option '${/--[\w-]+/.exec(argument)?.[0] ?? argument}' needs a value` : `option '${argument}' takes no value`;
    default: return error.message.split('\n')[0] ?? error.message;
  }
}

/**
 * Parses a command's arguments strictly; throws ERR_FCGI_CLI_USAGE (exit code 2) for an
 * unknown option, a missing value, or too few or too many positional arguments. When
 * `--help` is given, positional counts are not checked.
 *
 * @example
 * ```ts
 * parseCommandArguments(decodeCommand, ['capture.bin', '--json']); // { positionals: ['capture.bin'], values: { json: true } }
 * ```
 */
export function parseCommandArguments(command: Command, args: readonly string[]): ParsedArguments {
  let parsed: ParsedArguments;
  try {
    parsed = parseArgs({ args: [...args], options: parseArgsOptions([...command.options, ...commonOptions]), allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(usageMessage(error as Error & { code?: unknown }));
  }
  if (parsed.values.help === true) return parsed;
  const { min, max } = command.positionals;
  if (parsed.positionals.length > max) throw usageError(`unexpected argument '${parsed.positionals[max] as string}'`);
  if (parsed.positionals.length < min) throw usageError(`missing ${command.positionals.missing ?? 'argument'}`);
  return parsed;
}
