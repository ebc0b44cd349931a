/**
 * The soak's summary: requests and outcomes overall and per target, and php-fpm's share.
 *
 * @module
 */
import { loadavg } from 'node:os';
import { PHP_CHILDREN, phpFpmAvailability } from './soak-php.js';

/** Where a request went. */
export type TargetName = 'gateway -> server' | 'client -> server' | 'gateway -> php-fpm';

/** Requests and outcomes of one target. */
export interface TargetSummary {
  requests: number;
  /** 'ok', 'aborted' (asked for) and every failure by code. */
  outcomes: Record<string, number>;
  /** Failures outside the restart window (php-fpm is never restarted: all its failures count). */
  errors: number;
  /** Failures of our server's targets during its restart window. */
  restartErrors: number;
}

/** php-fpm in the soak: whether it took part, and its processes' RSS and descriptors. */
export interface PhpFpmSummary {
  included: boolean;
  /** Why not, when it did not take part. */
  reason: string;
  children: number;
  /** Master and workers summed; slope over the last three quarters, per minute. */
  rss: { before: number; after: number; slopeBytesPerMinute: number };
  /** Master and workers summed: before the traffic, and after the gateway closed its connections. */
  fileDescriptors: { before: number; after: number };
  processes: { before: number; after: number };
}

/** What the run saw. */
export interface SoakSummary {
  seconds: number;
  /** Per target: gateway -> server, client -> server, gateway -> php-fpm. */
  targets: Partial<Record<TargetName, TargetSummary>>;
  phpFpm: PhpFpmSummary;
  /** `os.loadavg()` (1, 5, 15 minutes) at the start and the end: the machine is shared. */
  loadAverage: { before: number[]; after: number[] };
  requests: number;
  /** 'ok', 'aborted' (asked for) and every failure by code. */
  outcomes: Record<string, number>;
  /** Failures (outcomes other than ok/aborted) outside the restart window. */
  errors: number;
  /** Failures during the restart window (connection refused while no server listened). */
  restartErrors: number;
  /** Idle connections still open when the restart began (or at the end without one). */
  idleHeld: number;
  /**
   * At the same moment: the idle sockets still open that never sent a byte, and the
   * connections our server had open (idle ones plus the gateway's and the client's, at
   * most 24). More idle sockets than server connections means sockets whose handshake
   * the server's kernel dropped (listen-queue overflow), not connections the server holds.
   */
  idleSilentHeld: number;
  serverConnectionsAtCheck: number;
  rss: { before: number; after: number; slopeBytesPerMinute: number };
  heap: { before: number; after: number; slopeBytesPerMinute: number };
  fileDescriptors: { before: number; after: number };
  /** Server connections still open after the traffic stopped and the idle sockets closed. */
  serverConnectionsLeft: number;
  /** Server side: handler runs started, finished, aborted by the web server, cut without an abort (must be 0). */
  handled: { started: number; finished: number; aborted: number; cut: number };
}

function targetOf(kind: string): TargetName {
  if (kind.startsWith('php-')) return 'gateway -> php-fpm';
  return kind.startsWith('client-') ? 'client -> server' : 'gateway -> server';
}

/**
 * A summary with nothing counted yet (the load average at the start filled in).
 *
 * @example
 * ```ts
 * const summary = emptySummary(phpFpmStart(true));
 * ```
 */
export function emptySummary(phpFpm: PhpFpmSummary): SoakSummary {
  const zero = { before: 0, after: 0, slopeBytesPerMinute: 0 };
  return { seconds: 0, requests: 0, targets: {}, phpFpm, loadAverage: { before: loadavg(), after: [] }, outcomes: {}, errors: 0, restartErrors: 0, idleHeld: 0, idleSilentHeld: 0, serverConnectionsAtCheck: 0, rss: { ...zero }, heap: { ...zero }, fileDescriptors: { before: 0, after: 0 }, serverConnectionsLeft: 0, handled: { started: 0, finished: 0, aborted: 0, cut: 0 } };
}

/**
 * Counts one request's outcome, overall and for its target; a failure of our server's
 * targets during its restart window counts as a restart error, every other failure as an
 * error.
 *
 * @example
 * ```ts
 * record(summary, 'php-echo', 'ok', false);
 * ```
 */
export function record(summary: SoakSummary, kind: string, outcome: string, duringRestart: boolean): void {
  const name = targetOf(kind);
  const target = summary.targets[name] ?? { requests: 0, outcomes: {}, errors: 0, restartErrors: 0 };
  summary.targets[name] = target;
  summary.requests++;
  target.requests++;
  summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
  target.outcomes[outcome] = (target.outcomes[outcome] ?? 0) + 1;
  if (outcome === 'ok' || outcome === 'aborted') return;
  const excused = duringRestart && name !== 'gateway -> php-fpm';
  if (excused) summary.restartErrors++;
  else summary.errors++;
  if (excused) target.restartErrors++;
  else target.errors++;
}

/**
 * php-fpm's part of the summary before the run: included when wanted and installed
 * (throws under FCGI_REQUIRE_PEERS=1 when wanted and missing).
 *
 * @example
 * ```ts
 * phpFpmStart(true).included; // true when php-fpm is installed
 * ```
 */
export function phpFpmStart(wanted: boolean): PhpFpmSummary {
  const availability = wanted ? phpFpmAvailability() : { available: false, reason: 'left out (phpFpm: false)' };
  const zero = { before: 0, after: 0 };
  return { included: availability.available, reason: availability.reason, children: availability.available ? PHP_CHILDREN : 0, rss: { ...zero, slopeBytesPerMinute: 0 }, fileDescriptors: { ...zero }, processes: { ...zero } };
}

