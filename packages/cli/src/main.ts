/**
 * The entry point: global options, command dispatch, and the single place where errors
 * become one line on stderr and an exit code.
 *
 * @module
 */
import { FastCgiError } from '@fcgi/codec';
import { parseCommandArguments, usageMessage } from './arguments.js';
import { type Paint, colourFor } from './colour.js';
import type { Command } from './command.js';
import { commands } from './commands/index.js';
import { usageError } from './errors.js';
import { ExitCode, exitCodeForError } from './exit-codes.js';
import { commandHelp, mainHelp } from './help.js';
import { type CliIo, processIo, writeOutput } from './io.js';
import { cliVersion } from './version.js';

function findCommand(name: string): Command {
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) throw usageError(`unknown command '${name}'; commands: ${commands.map((known) => known.name).join(', ')}`);
  return command;
}

function errorLine(prefix: string, error: unknown, debug: boolean, paint: Paint): string {
  const shownPrefix = paint(`${prefix}:`, 'red', 'bold');
  if (debug && error instanceof Error && error.stack !== undefined) return `${shownPrefix} ${error.stack}\n`;
  const message = error instanceof Error ? error.message : String(error);
  const code = FastCgiError.is(error) && !error.code.startsWith('ERR_FCGI_CLI_') && !message.includes(error.code) ? `${error.code}: ` : '';
  const hint = FastCgiError.is(error) && error.code === 'ERR_FCGI_CLI_USAGE' ? ` (see '${prefix} --help')` : '';
  return `${shownPrefix} ${code}${message.split('\n')[0] ?? ''}${hint}\n`;
}

async function runGlobal(argv: readonly string[], io: CliIo): Promise<number> {
  const [first = ''] = argv;
  if (first === '--help' || first === '-h') {
    await writeOutput(io.stdout, mainHelp(commands, cliVersion()));
    return ExitCode.Ok;
  }
  if (first === '--version' || first === '-V') {
    await writeOutput(io.stdout, `fcgi ${cliVersion()}\n`);
    return ExitCode.Ok;
  }
  if (argv.length === 0) throw usageError('no command given');
  if (first.startsWith('-')) throw usageError(usageMessage({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION', message: `'${first}'` }));
  const [, topic, ...extra] = argv;
  if (extra.length > 0) throw usageError(`unexpected argument '${extra[0] as string}'`);
  if (topic?.startsWith('-') === true && topic !== '-h' && topic !== '--help') {
    throw usageError(usageMessage({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION', message: `'${topic}'` }));
  }
  if (topic === undefined || topic.startsWith('-')) await writeOutput(io.stdout, mainHelp(commands, cliVersion()));
  else await writeOutput(io.stdout, commandHelp(findCommand(topic)));
  return ExitCode.Ok;
}

async function runCommand(command: Command, args: readonly string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommandArguments(command, args);
  if (values.help === true) {
    await writeOutput(io.stdout, commandHelp(command));
    return ExitCode.Ok;
  }
  return command.run({ positionals, values, io });
}

/**
 * Runs `fcgi` with `argv` (the arguments after the program name) and resolves to the exit
 * code. It never throws: errors are printed as one line on `io.stderr` (`fcgi COMMAND:
 * message`, with a stack trace only under `--debug`). Help goes to `io.stdout`.
 *
 * @example
 * ```ts
 * import { main } from '@fcgi/cli';
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  if (argv[0] === '--debug') return main([...argv.slice(1), '--debug'], io);
  const name = argv[0];
  const isCommand = name !== undefined && name !== 'help' && !name.startsWith('-');
  const prefix = isCommand && commands.some((command) => command.name === name) ? `fcgi ${name}` : 'fcgi';
  const debug = argv.includes('--debug');
  try {
    if (!isCommand) return await runGlobal(argv, io);
    return await runCommand(findCommand(name), argv.slice(1), io);
  } catch (error) {
    await writeOutput(io.stderr, errorLine(prefix, error, debug, colourFor(io.stderr, io)));
    return exitCodeForError(error);
  }
}
