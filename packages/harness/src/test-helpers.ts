/**
 * Small helpers to use the harness from any test runner (vitest, jest, node:test): pass
 * the runner's own `test` / `beforeAll` / `afterAll`, so the harness depends on none.
 *
 * @module
 */
import { FastCgiHarnessError, HarnessErrorCode } from './errors.js';
import { CONFORMANCE_CHECKS, type ConformanceOptions, runCheck } from './conformance.js';
import { type MockBackend, createMockBackend } from './mock-backend.js';
import type { MockScript } from './mock-script.js';

/**
 * A test runner's `test(name, fn, timeout?)` (vitest's `it`, jest's `test`, node:test's `test`).
 *
 * @example
 * ```ts
 * import { it } from 'vitest';
 * const register: RegisterTest = it;
 * ```
 */
export type RegisterTest = (name: string, body: () => Promise<void>, timeout?: number) => unknown;

/**
 * A runner's lifecycle hooks.
 *
 * @example
 * ```ts
 * import { beforeAll, afterAll } from 'vitest';
 * const hooks: LifecycleHooks = { beforeAll, afterAll };
 * ```
 */
export interface LifecycleHooks {
  beforeAll(body: () => Promise<void>): unknown;
  afterAll(body: () => Promise<void>): unknown;
}

/**
 * Registers one test per conformance check (skipped ones are not registered; a known deviation
 * of the profile passes). `address` may be a function, read when the tests run (for
 * an app started in `beforeAll`).
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * describe('my FastCGI app conforms', () => {
 *   conformanceTests(it, () => app.address, { skip: ['abort-request'] });
 * });
 * ```
 */
export function conformanceTests(test: RegisterTest, address: string | (() => string), options: ConformanceOptions = {}): void {
  const timeout = ((options.timeout ?? 3000) + (options.settle ?? 200)) * 4;
  for (const check of CONFORMANCE_CHECKS) {
    if (options.skip?.includes(check.id) === true || (options.only !== undefined && !options.only.includes(check.id))) continue;
    test(`${check.level} ${check.section} ${check.id}: ${check.title}`, async () => {
      const result = await runCheck(check, typeof address === 'function' ? address() : address, options);
      if (!result.ok && result.knownDeviation === undefined) throw new FastCgiHarnessError(HarnessErrorCode.Violation, `${check.id} failed: ${result.detail}`);
    }, timeout);
  }
}

/**
 * Starts a mock backend before the tests and closes it after them; the returned function
 * gives the running backend.
 *
 * @example
 * ```ts
 * import { afterAll, beforeAll, it } from 'vitest';
 * const backend = useMockBackend({ beforeAll, afterAll }, { respond: { body: 'hi' } });
 * it('talks to it', async () => {
 *   const client = new Client({ address: backend().address });
 * });
 * ```
 */
export function useMockBackend(hooks: LifecycleHooks, script: MockScript = {}): () => MockBackend {
  let backend: MockBackend | undefined;
  hooks.beforeAll(async () => {
    backend = await createMockBackend(script);
  });
  hooks.afterAll(async () => {
    await backend?.close();
  });
  return () => {
    if (backend === undefined) throw new FastCgiHarnessError(HarnessErrorCode.NotRunning, 'The mock backend is not running: call it inside a test, after beforeAll');
    return backend;
  };
}
