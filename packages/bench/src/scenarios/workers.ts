/**
 * Scenario 8: `fcgi serve --workers N` behind nginx. The CLI has no `serve` command yet, so
 * this suite records that it was skipped and why.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SuiteBody } from '../report.js';

const serveCommand = fileURLToPath(new URL('../../../cli/src/commands/serve.ts', import.meta.url));

/**
 * Runs scenario 8, or reports why it cannot.
 *
 * @example
 * ```ts
 * const body = await workersScenario();
 * ```
 */
export function workersScenario(): Promise<SuiteBody> {
  const reason = existsSync(serveCommand)
    ? '`fcgi serve` exists now but this benchmark does not drive it yet: add it here (N = 1, 2 behind nginx, wrk -c16).'
    : '`fcgi serve --workers N` does not exist yet (packages/cli has no `serve` command), so there is no process manager to scale.';
  console.log(`workers: skipped: ${reason}`);
  return Promise.resolve({
    suite: 'workers',
    title: 'Scaling with workers (scenario 8)',
    order: 80,
    targets: [],
    scenarios: [
      {
        id: 'workers',
        title: 'Not measured',
        description: reason,
        columns: ['status'],
        rows: [['skipped']],
        notes: ['On this 2-core machine, wrk and nginx share the cores with the app, so N = 2 could at best show the process manager working, not a 2x gain; on more cores, scenario 2\'s keep_conn numbers would scale with N until nginx\'s workers saturate.'],
      },
    ],
    method: [],
  });
}
