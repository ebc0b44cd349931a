/**
 * The idle timeout as one timer per server instead of one per socket: a socket timer is
 * re-armed on every read and write (two timer-list moves per request, a measurable share
 * of a small request's cost), while a sweep only clears a flag that traffic sets.
 *
 * The sweep runs every `idleTimeout / steps` ms; a connection quiet for `steps` sweeps in a
 * row is closed, so it closes between `idleTimeout` and `idleTimeout * (steps + 1) / steps`
 * after its last traffic, never before.
 *
 * @module
 */

/**
 * Sweeps per idle timeout: the timeout is kept to within a quarter.
 *
 * @example
 * ```ts
 * const interval = Math.ceil(idleTimeout / idleSweepSteps);
 * ```
 */
export const idleSweepSteps = 4;

/**
 * What the sweep needs of a connection.
 *
 * @example
 * ```ts
 * const connection: SweptConnection = { idleSweep: (limit) => (++quiet >= limit ? socket.destroy() : undefined) };
 * ```
 */
export interface SweptConnection {
  idleSweep(limit: number): void;
}

/**
 * Runs the sweep over `connections()` while there are any; the timer never keeps the
 * process alive.
 *
 * @example
 * ```ts
 * const sweep = new IdleSweep(60_000, () => connections);
 * sweep.start(); // after adding a connection
 * ```
 */
export class IdleSweep {
  readonly #interval: number;
  readonly #connections: () => ReadonlySet<SweptConnection>;
  #timer: NodeJS.Timeout | undefined;

  /** `idleTimeout` 0 disables the sweep. */
  constructor(idleTimeout: number, connections: () => ReadonlySet<SweptConnection>) {
    this.#interval = idleTimeout > 0 ? Math.max(1, Math.ceil(idleTimeout / idleSweepSteps)) : 0;
    this.#connections = connections;
  }

  /** Starts sweeping (if enabled and not already running). */
  start(): void {
    if (this.#interval === 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#sweep(), this.#interval);
    this.#timer.unref();
  }

  /** Stops sweeping. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    const connections = this.#connections();
    if (connections.size === 0) {
      this.stop();
      return;
    }
    for (const connection of connections) connection.idleSweep(idleSweepSteps);
  }
}
