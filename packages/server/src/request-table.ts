/**
 * The active requests of one connection, by request id. Web servers that do not multiplex
 * (nginx, Apache, lighttpd) have one request at a time, always id 1: that one lives in a
 * slot of its own, and a Map is made only for a second concurrent request. A Map that
 * goes from one entry to none and back on every request reallocates its table each time.
 *
 * @module
 */

/**
 * A request-id-keyed table with a one-entry fast path.
 *
 * @example
 * ```ts
 * const table = new RequestTable<string>();
 * table.set(1, 'first');
 * table.get(1); // 'first'
 * table.delete(1);
 * table.size; // 0
 * ```
 */
export class RequestTable<Value> {
  #soleId = -1;
  #sole: Value | undefined;
  #others: Map<number, Value> | undefined;

  /** How many requests are active. */
  get size(): number {
    return (this.#soleId === -1 ? 0 : 1) + (this.#others?.size ?? 0);
  }

  get(requestId: number): Value | undefined {
    if (requestId === this.#soleId) return this.#sole;
    return this.#others?.get(requestId);
  }

  /** Adds `value` under an id that is not active (the caller checked). */
  set(requestId: number, value: Value): void {
    if (this.#soleId === -1) {
      this.#soleId = requestId;
      this.#sole = value;
      return;
    }
    (this.#others ??= new Map()).set(requestId, value);
  }

  delete(requestId: number): void {
    if (requestId === this.#soleId) {
      this.#soleId = -1;
      this.#sole = undefined;
    } else {
      this.#others?.delete(requestId);
    }
  }

  /** A snapshot of the active requests (safe to change the table while going through it). */
  values(): Value[] {
    const values: Value[] = [];
    if (this.#soleId !== -1) values.push(this.#sole as Value);
    if (this.#others !== undefined) for (const value of this.#others.values()) values.push(value);
    return values;
  }
}
