/**
 * `runConformance(address, options)`: the FastCGI specification's rules as checks
 * against any running app, with a structured report.
 *
 * @module
 */
import { type ConformanceCheck, lifecycleChecks } from './conformance-checks.js';
import { type CheckContext, openTracked, requestRecords } from './conformance-context.js';
import { framingChecks } from './conformance-framing.js';
import { FastCgiHarnessError, HarnessErrorCode } from './errors.js';
import type { RawConnection } from './raw-connection.js';

/**
 * Every check of the suite, in the order they run.
 *
 * @example
 * ```ts
 * CONFORMANCE_CHECKS.filter((check) => check.level === 'MUST').map((check) => check.id);
 * ```
 */
export const CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [...lifecycleChecks, ...framingChecks];

/**
 * Known deviations of real apps: check id to the reason. A failing check listed in the
 * profile is reported (`knownDeviation`) but does not fail the run.
 *
 * @example
 * ```ts
 * await runConformance(php.address, { profile: 'php-fpm', params: { SCRIPT_FILENAME: '/srv/index.php' } });
 * ```
 */
export const CONFORMANCE_PROFILES = {
  'php-fpm': {
    'unknown-type': 'php-fpm closes the connection on a management record of an unknown type instead of answering UNKNOWN_TYPE',
    'streams-ended': 'php-fpm sends END_REQUEST without the empty STDOUT record',
    'inactive-id-ignored': 'php-fpm closes the connection on records for a request id it has not begun',
    'unknown-role': 'php-fpm closes the connection on an unknown role instead of answering UNKNOWN_ROLE',
    'params-split-pair': 'php-fpm parses each PARAMS record on its own: a pair split across records makes it close the connection',
    'one-byte-records': 'php-fpm parses each PARAMS record on its own: 1-byte PARAMS records make it close the connection',
  },
} as const satisfies Record<string, Readonly<Record<string, string>>>;

/**
 * Options of {@link runConformance}. Every wait is bounded.
 *
 * @example
 * ```ts
 * const options: ConformanceOptions = { params: { SCRIPT_FILENAME: '/srv/www/index.php' }, skip: ['abort-request'], timeout: 2000 };
 * ```
 */
export interface ConformanceOptions {
  /** CGI params added to every test request (e.g. SCRIPT_FILENAME for php-fpm). */
  params?: Readonly<Record<string, string>>;
  /** Check ids not to run (an app that legitimately lacks a feature). */
  skip?: readonly string[];
  /** Run only these check ids. */
  only?: readonly string[];
  /** A known app's deviations, reported but not failing the run (see {@link CONFORMANCE_PROFILES}). */
  profile?: keyof typeof CONFORMANCE_PROFILES;
  /** Most ms to wait for any one answer (default 3000). */
  timeout?: number;
  /** Ms to watch for a record or a close that must not come (default 200). */
  settle?: number;
}

/**
 * The defaults of {@link ConformanceOptions}.
 *
 * @example
 * ```ts
 * runConformance(address, { timeout: CONFORMANCE_DEFAULTS.timeout * 2 });
 * ```
 */
export const CONFORMANCE_DEFAULTS = { timeout: 3000, settle: 200 } as const;

/**
 * The outcome of one check.
 *
 * @example
 * ```ts
 * const failed = report.checks.filter((check: ConformanceResult) => !check.ok && !check.skipped);
 * ```
 */
export interface ConformanceResult {
  readonly id: string;
  readonly level: 'MUST' | 'SHOULD';
  readonly section: string;
  readonly title: string;
  /** True when the rule held. False when it failed or was skipped. */
  readonly ok: boolean;
  /** True when the check was not run (`skip` / `only`). */
  readonly skipped: boolean;
  /** What was seen, or why it failed. */
  readonly detail: string;
  /** The profile's reason, when this check is a known deviation of the app. */
  readonly knownDeviation?: string;
  /** How long the check took, in ms. */
  readonly durationMs: number;
}

/**
 * What {@link runConformance} resolves to.
 *
 * @example
 * ```ts
 * const report: ConformanceReport = await runConformance('127.0.0.1:9000');
 * if (!report.passed) console.table(report.checks);
 * ```
 */
export interface ConformanceReport {
  readonly address: string;
  /** True when every MUST that ran held (known deviations of the profile excepted). */
  readonly passed: boolean;
  /** One entry per check, in order. */
  readonly checks: readonly ConformanceResult[];
}

function checkOptions(options: ConformanceOptions): { timeout: number; settle: number } {
  const timeout = options.timeout ?? CONFORMANCE_DEFAULTS.timeout;
  const settle = options.settle ?? CONFORMANCE_DEFAULTS.settle;
  for (const [name, value] of [['timeout', timeout], ['settle', settle]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new FastCgiHarnessError(HarnessErrorCode.InvalidOption, `${name} must be a positive integer of ms, got ${String(value)}`);
  }
  const known = new Set(CONFORMANCE_CHECKS.map((check) => check.id));
  for (const id of [...(options.skip ?? []), ...(options.only ?? [])]) {
    if (!known.has(id)) throw new FastCgiHarnessError(HarnessErrorCode.InvalidOption, `Unknown conformance check ${JSON.stringify(id)}; known: ${[...known].join(', ')}`);
  }
  return { timeout, settle };
}

function withDeadline<Value>(work: Promise<Value>, milliseconds: number, id: string): Promise<Value> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new FastCgiHarnessError(HarnessErrorCode.Timeout, `check ${id} did not finish within ${milliseconds} ms`)), milliseconds);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Runs one check with its own connections, closed afterwards, bounded by a deadline.
 *
 * @example
 * ```ts
 * const result = await runCheck(CONFORMANCE_CHECKS[0]!, '127.0.0.1:9000', {});
 * ```
 */
export async function runCheck(check: ConformanceCheck, address: string, options: ConformanceOptions = {}): Promise<ConformanceResult> {
  const { timeout, settle } = checkOptions(options);
  const params = options.params ?? {};
  const opened: RawConnection[] = [];
  const context: CheckContext = { address, timeout, settle, params, open: () => openTracked(address, timeout, opened), request: (shape) => requestRecords(params, shape) };
  const deviations: Readonly<Record<string, string>> = options.profile === undefined ? {} : CONFORMANCE_PROFILES[options.profile];
  const started = Date.now();
  const base = { id: check.id, level: check.level, section: check.section, title: check.title };
  try {
    const detail = await withDeadline(check.run(context), timeout * 3 + settle * 2, check.id);
    return { ...base, ok: true, skipped: false, detail, durationMs: Date.now() - started };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const knownDeviation = deviations[check.id];
    return { ...base, ok: false, skipped: false, detail, durationMs: Date.now() - started, ...(knownDeviation === undefined ? {} : { knownDeviation }) };
  } finally {
    for (const connection of opened) connection.destroy();
  }
}

/**
 * Runs the FastCGI conformance suite against the app at `address` (`host:port`,
 * `unix:/path`): GET_VALUES, UNKNOWN_TYPE, inactive request ids, multiplexing or
 * CANT_MPX_CONN, KEEP_CONN both ways, ABORT_REQUEST, padding, split pairs, 1-byte records,
 * stream ends, nothing after END_REQUEST. Checks run one after another, each on its own
 * connections and bounded by `timeout`. `passed` is true when every MUST that ran held.
 *
 * @example
 * ```ts
 * import { runConformance } from '@fcgi/harness';
 * const report = await runConformance('127.0.0.1:9000');
 * for (const check of report.checks) console.log(check.ok ? 'ok  ' : 'FAIL', check.level, check.id, check.detail);
 * process.exitCode = report.passed ? 0 : 1;
 * ```
 */
export async function runConformance(address: string, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  checkOptions(options);
  const checks: ConformanceResult[] = [];
  for (const check of CONFORMANCE_CHECKS) {
    const skipped = options.skip?.includes(check.id) === true || (options.only !== undefined && !options.only.includes(check.id));
    if (skipped) {
      checks.push({ id: check.id, level: check.level, section: check.section, title: check.title, ok: false, skipped: true, detail: 'skipped', durationMs: 0 });
      continue;
    }
    checks.push(await runCheck(check, address, options));
  }
  const passed = checks.every((check) => check.ok || check.skipped || check.level !== 'MUST' || check.knownDeviation !== undefined);
  return { address, passed, checks };
}
