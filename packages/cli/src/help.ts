/**
 * Help texts, printed to stdout, built from the commands' declarations so that every
 * command and every option is documented.
 *
 * @module
 */
import { commonOptions } from './arguments.js';
import type { Command, CommandOption } from './command.js';
import { ExitCode } from './exit-codes.js';

const exitCodeMeanings: readonly (readonly [number, string])[] = [
  [ExitCode.Ok, 'success'],
  [ExitCode.Failure, 'any other failure'],
  [ExitCode.Usage, 'usage error: unknown command or option, missing or bad argument'],
  [ExitCode.CouldNotConnect, 'could not connect to the FastCGI app'],
  [ExitCode.ProtocolError, 'FastCGI protocol error (bad or truncated records, refused request)'],
  [ExitCode.HttpError, 'with --fail: the app answered with a status >= 400'],
  [ExitCode.ReadError, 'a local file or standard input could not be read'],
  [ExitCode.Timeout, 'timed out'],
];

function optionLabel(option: CommandOption): string {
  const short = option.short === undefined ? '    ' : `-${option.short}, `;
  const value = option.type === 'string' ? ` ${option.placeholder ?? 'VALUE'}` : '';
  return `${short}--${option.name}${value}`;
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length)) + 3;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
}

function optionRows(options: readonly CommandOption[]): string[] {
  return table(options.map((option) => [optionLabel(option), option.description + (option.multiple === true ? ' (repeatable)' : '')]));
}

/**
 * The `--help` text of one command: usage, description, options, exit codes and examples.
 *
 * @example
 * ```ts
 * io.stdout.write(commandHelp(decodeCommand));
 * ```
 */
export function commandHelp(command: Command): string {
  const lines = [`fcgi ${command.name} - ${command.summary}`, '', 'Usage:', `  ${command.usage}`, ''];
  lines.push(...command.description.split('\n').map((line) => (line === '' ? '' : `  ${line}`)), '');
  lines.push('Options:', ...optionRows([...command.options, ...commonOptions]), '');
  if (command.exitCodes.length > 0) {
    lines.push('Exit status:', ...table(command.exitCodes.map(([code, meaning]) => [String(code), meaning])), '');
  }
  lines.push('Examples:', ...command.examples.map((example) => `  ${example}`), '');
  return lines.join('\n');
}

/**
 * The `fcgi --help` text: every command with its summary, the global options and the exit
 * codes.
 *
 * @example
 * ```ts
 * io.stdout.write(mainHelp(commands, '0.1.0'));
 * ```
 */
export function mainHelp(commands: readonly Command[], version: string): string {
  const globalOptions: CommandOption[] = [
    { name: 'help', short: 'h', type: 'boolean', description: 'print this help and exit' },
    { name: 'version', short: 'V', type: 'boolean', description: 'print the version and exit' },
    { name: 'debug', type: 'boolean', description: 'print stack traces of unexpected errors (any command)' },
  ];
  return [
    `fcgi ${version} - a command line for FastCGI apps and captures`,
    '',
    'Usage:',
    '  fcgi COMMAND [ARGUMENTS] [OPTIONS]',
    '  fcgi help COMMAND     print the help of COMMAND (same as: fcgi COMMAND --help)',
    '',
    'Commands:',
    ...table(commands.map((command) => [command.name, command.summary])),
    '',
    'Options:',
    ...optionRows(globalOptions),
    '',
    'Exit status (as curl\'s where curl has one):',
    ...table(exitCodeMeanings.map(([code, meaning]) => [String(code), meaning])),
    '',
    'Run \'fcgi COMMAND --help\' for the options and examples of a command.',
    '',
  ].join('\n');
}
