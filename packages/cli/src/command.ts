/**
 * The shape of a command: its documentation (from which `--help` is printed) and its run
 * function. Options are declared once and drive both `parseArgs` and the help text.
 *
 * @module
 */
import type { CliIo } from './io.js';

/**
 * One option of a command.
 *
 * @example
 * ```ts
 * const json: CommandOption = { name: 'json', type: 'boolean', description: 'print a JSON array' };
 * ```
 */
export interface CommandOption {
  /** The long name, without `--`. */
  readonly name: string;
  /** A one-letter alias, without `-`. */
  readonly short?: string;
  /** `boolean` flags take no value; `string` options take one. */
  readonly type: 'boolean' | 'string';
  /** True when the option may be given several times. */
  readonly multiple?: boolean;
  /** The value's placeholder in help, such as `MS` or `FILE`. */
  readonly placeholder?: string;
  /** One line of help. */
  readonly description: string;
}

/**
 * What a command's run function receives.
 *
 * @example
 * ```ts
 * async function run({ positionals, values, io }: CommandContext): Promise<number> { return 0; }
 * ```
 */
export interface CommandContext {
  /** The positional arguments, already checked against the command's counts. */
  readonly positionals: readonly string[];
  /** Option values by long name (`string[]` for repeatable options). */
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly io: CliIo;
}

/**
 * A subcommand of `fcgi`.
 *
 * @example
 * ```ts
 * const hello: Command = {
 *   name: 'hello', summary: 'say hello', usage: 'fcgi hello', description: 'Says hello.',
 *   options: [], positionals: { min: 0, max: 0 }, examples: ['fcgi hello'], exitCodes: [],
 *   run: async ({ io }) => (io.stdout.write('hello\n'), 0),
 * };
 * ```
 */
export interface Command {
  readonly name: string;
  /** A few words for the command list of `fcgi --help`. */
  readonly summary: string;
  /** The usage line, such as `fcgi decode [FILE|-] [--json]`. */
  readonly usage: string;
  /** Paragraphs of help, separated by blank lines. */
  readonly description: string;
  readonly options: readonly CommandOption[];
  /** How many positional arguments the command takes. */
  readonly positionals: { readonly min: number; readonly max: number; readonly missing?: string };
  /** Example invocations, each with an optional `# comment`. */
  readonly examples: readonly string[];
  /** Exit codes specific to this command, as `[code, meaning]`. */
  readonly exitCodes: readonly (readonly [number, string])[];
  run(context: CommandContext): Promise<number>;
}
