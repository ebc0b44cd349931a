/**
 * `fcgi conformance ADDRESS`: run @fcgi/harness's conformance suite against a running
 * FastCGI app and print one row per check.
 *
 * @module
 */
import { CONFORMANCE_CHECKS, CONFORMANCE_DEFAULTS, CONFORMANCE_PROFILES, type ConformanceOptions, type ConformanceReport, type ConformanceResult, runConformance } from '@fcgi/harness';
import { formatAddress, parseAddress } from '../address.js';
import type { Command, CommandContext } from '../command.js';
import { usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { type Paint, colourFor } from '../colour.js';
import { writeOutput } from '../io.js';
import { paramPair, parseTimeout } from '../request-params.js';

type Profile = keyof typeof CONFORMANCE_PROFILES;

function readProfile(value: unknown): Profile | undefined {
  if (typeof value !== 'string') return undefined;
  if (!Object.hasOwn(CONFORMANCE_PROFILES, value)) throw usageError(`--profile must be one of ${Object.keys(CONFORMANCE_PROFILES).join(', ')}, got '${value}'`);
  return value as Profile;
}

function readSkip(value: unknown): string[] {
  const ids = (Array.isArray(value) ? (value as string[]) : []).flatMap((list) => list.split(',')).map((id) => id.trim()).filter((id) => id !== '');
  const known = new Set(CONFORMANCE_CHECKS.map((check) => check.id));
  const unknown = ids.find((id) => !known.has(id));
  if (unknown !== undefined) throw usageError(`--skip: unknown check '${unknown}'; checks: ${[...known].join(', ')}`);
  return ids;
}

/**
 * A check's result as the table shows it: ok, FAIL, skipped, or known deviation.
 *
 * @example
 * ```ts
 * resultLabel({ ok: false, skipped: false, knownDeviation: 'php-fpm closes...' } as ConformanceResult); // 'known deviation'
 * ```
 */
export function resultLabel(result: ConformanceResult): string {
  if (result.skipped) return 'skipped';
  if (result.ok) return 'ok';
  return result.knownDeviation === undefined ? 'FAIL' : 'known deviation';
}

function paintLabel(label: string, paint: Paint): string {
  if (label === 'ok') return paint(label, 'green');
  return label === 'FAIL' ? paint(label, 'red', 'bold') : paint(label, 'yellow');
}

/**
 * The report as a table: a header, then one row per check (id, MUST/SHOULD, result,
 * detail), then a summary line. `paint` colours the results and the summary (plain text
 * unless the output is a terminal, see colour.ts).
 *
 * @example
 * ```ts
 * io.stdout.write(conformanceTable(report, colourFor(io.stdout, io)));
 * ```
 */
export function conformanceTable(report: ConformanceReport, paint: Paint = (text) => text): string {
  const rows = report.checks.map((result) => [result.id, result.level, resultLabel(result), result.knownDeviation !== undefined && !result.ok && !result.skipped ? `${result.detail} (${result.knownDeviation})` : result.detail] as const);
  const idWidth = Math.max(5, ...rows.map(([id]) => id.length));
  const resultWidth = Math.max(6, ...rows.map(([, , label]) => label.length));
  const line = (id: string, level: string, label: string, shown: string, detail: string): string => `${id.padEnd(idWidth)}  ${level.padEnd(6)}  ${shown}${' '.repeat(resultWidth - label.length)}  ${detail}`.trimEnd();
  const failedMusts = report.checks.filter((result) => result.level === 'MUST' && resultLabel(result) === 'FAIL').length;
  const summary = report.passed ? `every MUST holds (${report.checks.filter((result) => result.ok).length} of ${report.checks.length} checks ok)` : `${failedMusts} MUST check${failedMusts === 1 ? '' : 's'} failed`;
  const summaryLine = `${report.address}: ${paint(summary, report.passed ? 'green' : 'red')}`;
  return [line('check', 'level', 'result', 'result', 'detail'), ...rows.map(([id, level, label, detail]) => line(id, level, label, paintLabel(label, paint), detail)), '', summaryLine, ''].join('\n');
}

async function runConformanceCommand({ positionals, values, io }: CommandContext): Promise<number> {
  const address = formatAddress(parseAddress(positionals[0] ?? ''));
  const profile = readProfile(values.profile);
  const params = Object.fromEntries((Array.isArray(values.param) ? (values.param) : []).map(paramPair));
  const options: ConformanceOptions = {
    params,
    skip: readSkip(values.skip),
    ...(profile === undefined ? {} : { profile }),
    ...(typeof values.timeout === 'string' ? { timeout: parseTimeout(values.timeout, '--timeout') } : {}),
  };
  if (io.stderr.isTTY === true && values.json !== true) await writeOutput(io.stderr, `fcgi conformance: running ${CONFORMANCE_CHECKS.length} checks against ${address}...\n`);
  const report = await runConformance(address, options);
  await writeOutput(io.stdout, values.json === true ? `${JSON.stringify(report, null, 2)}\n` : conformanceTable(report, colourFor(io.stdout, io)));
  return report.passed ? ExitCode.Ok : ExitCode.Failure;
}

/**
 * The `conformance` command.
 *
 * @example
 * ```ts
 * import { main } from '@fcgi/cli';
 * const conforms = (await main(['conformance', '127.0.0.1:9000'])) === 0;
 * ```
 */
export const conformanceCommand: Command = {
  name: 'conformance',
  summary: 'check that a FastCGI app follows the protocol; exit 0 when every MUST holds',
  usage: 'fcgi conformance ADDRESS [--profile php-fpm] [--skip ID,...] [--param NAME=VALUE] [--timeout MS] [--json]',
  description: [
    `Runs the @fcgi/harness conformance suite (${CONFORMANCE_CHECKS.length} checks of the FastCGI specification's rules)`,
    'against the app at ADDRESS, one check after another, each on its own connections, and',
    'prints one row per check: its id, MUST or SHOULD, the result (ok, FAIL, skipped, or',
    'known deviation) and what was seen. Exits 0 when every MUST holds, 1 otherwise.',
    '',
    "The test requests are GET /conformance (POST with a body for some), so any app that",
    'answers every URL can be checked; a PHP app needs --param SCRIPT_FILENAME=... .',
    "--profile php-fpm reports php-fpm's known deviations without failing the run.",
    '',
    `Checks: ${CONFORMANCE_CHECKS.map((check) => check.id).join(', ')}.`,
  ].join('\n'),
  options: [
    { name: 'profile', type: 'string', placeholder: 'NAME', description: `a known app whose deviations do not fail the run: ${Object.keys(CONFORMANCE_PROFILES).join(', ')}` },
    { name: 'skip', type: 'string', multiple: true, placeholder: 'ID,...', description: 'checks not to run (comma-separated)' },
    { name: 'param', short: 'p', type: 'string', multiple: true, placeholder: 'NAME=VALUE', description: 'a CGI param added to every test request (e.g. SCRIPT_FILENAME)' },
    { name: 'timeout', type: 'string', placeholder: 'MS', description: `most ms to wait for any one answer (default ${CONFORMANCE_DEFAULTS.timeout})` },
    { name: 'json', type: 'boolean', description: 'print the report as JSON instead of a table' },
  ],
  positionals: { min: 1, max: 1, missing: 'ADDRESS' },
  examples: [
    'fcgi conformance 127.0.0.1:9000',
    'fcgi conformance unix:/run/php/php8.2-fpm.sock --profile php-fpm --param SCRIPT_FILENAME=/var/www/html/index.php',
    'fcgi conformance 127.0.0.1:9000 --skip multiplexing,abort-request --json',
  ],
  exitCodes: [
    [ExitCode.Ok, 'every MUST check holds'],
    [ExitCode.Failure, 'a MUST check failed (or the app could not be reached)'],
    [ExitCode.Usage, 'usage error (bad address, unknown profile or check id)'],
  ],
  run: runConformanceCommand,
};
