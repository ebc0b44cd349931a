/**
 * `@fcgi/harness/vitest`: the harness's test helpers bound to vitest's `it`, `beforeAll`
 * and `afterAll`. (With jest or node:test, use `conformanceTests` and `useMockBackend`
 * from `@fcgi/harness` and pass your runner's functions.)
 *
 * @example
 * ```ts
 * import { describe } from 'vitest';
 * import { conformanceSuite, mockBackend } from '@fcgi/harness/vitest';
 * describe('my app', () => conformanceSuite('127.0.0.1:9000'));
 * ```
 *
 * @module
 */
import { afterAll, beforeAll, it } from 'vitest';
import type { ConformanceOptions } from './conformance.js';
import type { MockBackend } from './mock-backend.js';
import type { MockScript } from './mock-script.js';
import { conformanceTests, useMockBackend } from './test-helpers.js';

/**
 * Registers one vitest test per conformance check against the app at `address` (or a
 * function giving it, read when the tests run).
 *
 * @example
 * ```ts
 * describe('conformance', () => conformanceSuite(() => app.address, { skip: ['abort-request'] }));
 * ```
 */
export function conformanceSuite(address: string | (() => string), options: ConformanceOptions = {}): void {
  conformanceTests(it, address, options);
}

/**
 * Starts a mock backend in `beforeAll`, closes it in `afterAll`; call the result inside
 * a test to get it.
 *
 * @example
 * ```ts
 * const backend = mockBackend({ respond: { body: 'hi' } });
 * it('works', async () => { const client = new Client({ address: backend().address }); });
 * ```
 */
export function mockBackend(script: MockScript = {}): () => MockBackend {
  return useMockBackend({ beforeAll, afterAll }, script);
}
