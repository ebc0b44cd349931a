/**
 * Colour for human output, and only there: on a terminal, unless `NO_COLOR` is set;
 * `FORCE_COLOR` overrides both ways. Piped or redirected output never carries escape codes.
 *
 * @module
 */
import type { CliIo, CliOutput } from './io.js';

/** The ANSI SGR codes of each style: [on, off]. */
const styleCodes = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  bold: [1, 22],
} as const;

/**
 * A style the CLI uses: `'red' | 'green' | 'yellow' | 'cyan' | 'bold'`.
 *
 * @example
 * ```ts
 * const failure: ColourStyle = 'red';
 * ```
 */
export type ColourStyle = keyof typeof styleCodes;

/**
 * Applies styles to text, or returns it unchanged when colour is off.
 *
 * @example
 * ```ts
 * const paint: Paint = colourFor(io.stdout, io);
 * paint('FAIL', 'red', 'bold');
 * ```
 */
export type Paint = (text: string, ...styles: ColourStyle[]) => string;

/**
 * Whether output to `output` gets colour. In order: `FORCE_COLOR` set to anything but
 * `''`, `0` or `false` turns it on, and to `0` or `false` off (as Node reads it); then a
 * non-empty `NO_COLOR` turns it off (no-color.org); otherwise colour is on only when
 * `output` is a terminal.
 *
 * @example
 * ```ts
 * colourEnabled(process.stdout, process.env); // true in a terminal, false when piped
 * colourEnabled(process.stdout, { NO_COLOR: '1' }); // false
 * ```
 */
export function colourEnabled(output: CliOutput, environment: Readonly<Record<string, string | undefined>>): boolean {
  const force = environment['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if ((environment['NO_COLOR'] ?? '') !== '') return false;
  return output.isTTY === true;
}

/**
 * Wraps text in ANSI escape codes for the given styles.
 *
 * @example
 * ```ts
 * paintText('ok', ['green']); // '\u001B[32mok\u001B[39m'
 * ```
 */
export function paintText(text: string, styles: readonly ColourStyle[]): string {
  return styles.reduce((painted, style) => `\u001B[${styleCodes[style][0]}m${painted}\u001B[${styleCodes[style][1]}m`, text);
}

/**
 * The painter for one output stream: styles text when {@link colourEnabled} says so for
 * that stream and the io's environment (`io.env`, default `process.env`), else leaves it
 * plain.
 *
 * @example
 * ```ts
 * const paint = colourFor(io.stderr, io);
 * await writeOutput(io.stderr, `${paint('fcgi request:', 'red', 'bold')} connection refused\n`);
 * ```
 */
export function colourFor(output: CliOutput, io: Pick<CliIo, 'env'>): Paint {
  if (!colourEnabled(output, io.env ?? process.env)) return (text) => text;
  return (text, ...styles) => paintText(text, styles);
}
