/**
 * When to restart a crashed worker: at once after an isolated crash, then with a doubling
 * delay while crashes keep coming (a crash loop), up to a ceiling.
 *
 * @module
 */

/**
 * The crash-loop backoff of `fcgi serve --workers`.
 *
 * @example
 * ```ts
 * RESTART_POLICY.maxDelay; // 10000
 * ```
 */
export const RESTART_POLICY = {
  /** Crashes within this many ms of each other count as one loop. */
  window: 30_000,
  /** The delay after the second crash in the window; it doubles with each further one. */
  firstDelay: 250,
  /** The longest delay between restarts. */
  maxDelay: 10_000,
} as const;

/**
 * Remembers recent crashes and says how long to wait before the next restart.
 *
 * @example
 * ```ts
 * const backoff = new RestartBackoff();
 * backoff.nextDelay(Date.now()); // 0 for a first crash
 * ```
 */
export class RestartBackoff {
  #crashes: number[] = [];

  /** Records a crash at `now` and returns the delay before restarting. */
  nextDelay(now: number): number {
    this.#crashes = [...this.#crashes.filter((time) => now - time < RESTART_POLICY.window), now];
    const recent = this.#crashes.length;
    if (recent <= 1) return 0;
    return Math.min(RESTART_POLICY.firstDelay * 2 ** (recent - 2), RESTART_POLICY.maxDelay);
  }
}
