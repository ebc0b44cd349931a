/**
 * `node dist/run-all.js [scenario ...]`: runs the end-to-end benchmark scenarios (all by
 * default, in the order below), writes one results file per suite into
 * `packages/bench/bench/results/` and regenerates `docs/benchmarks.md`.
 *
 * Environment: BENCH_ROUNDS (default 5), BENCH_SECONDS per wrk run (default 2).
 *
 * @module
 */
import { stopAllApps } from './processes.js';
import { type SuiteBody, printScenario, writeReport } from './report.js';
import { hasWrk } from './wrk.js';
import { nginxScenario } from './scenarios/nginx.js';
import { unixScenario } from './scenarios/unix.js';
import { phpScenario } from './scenarios/php.js';
import { haproxyScenario } from './scenarios/haproxy.js';
import { streamingScenario } from './scenarios/streaming.js';
import { memoryScenario } from './scenarios/memory.js';
import { workersScenario } from './scenarios/workers.js';
import { optimisationsScenario } from './scenarios/optimisations.js';

type Runner = () => Promise<SuiteBody | undefined>;

const scenarios: Record<string, { needsWrk: boolean; run: Runner }> = {
  nginx: { needsWrk: true, run: nginxScenario },
  php: { needsWrk: true, run: phpScenario },
  haproxy: { needsWrk: true, run: haproxyScenario },
  unix: { needsWrk: false, run: unixScenario },
  streaming: { needsWrk: false, run: streamingScenario },
  memory: { needsWrk: false, run: memoryScenario },
  workers: { needsWrk: false, run: workersScenario },
  optimisations: { needsWrk: true, run: optimisationsScenario },
};

async function runOne(name: string): Promise<void> {
  const scenario = scenarios[name];
  if (scenario === undefined) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
  if (scenario.needsWrk && !hasWrk()) {
    console.log(`${name}: skipped, wrk is not installed (apt-get install wrk)`);
    return;
  }
  const startedAt = Date.now();
  const body = await scenario.run();
  if (body === undefined) return;
  for (const result of body.scenarios) printScenario(result);
  for (const target of body.targets) console.log(`target: ${target.description}: ${target.measured.median.toFixed(2)}${target.unit === undefined ? 'x' : ` ${target.unit}`} ${/informative/.test(target.description) ? '(informative)' : target.met ? 'met' : 'NOT MET'}`);
  console.log(writeReport(body, startedAt, `pnpm --filter @fcgi/bench bench ${name}`));
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  process.once('SIGINT', () => void stopAllApps().then(() => process.exit(130)));
  try {
    for (const name of names.length > 0 ? names : Object.keys(scenarios)) await runOne(name);
  } finally {
    await stopAllApps();
  }
  const { renderBenchmarksDoc } = (await import(new URL('../../codec/bench/render-docs.js', import.meta.url).href)) as { renderBenchmarksDoc: () => string };
  console.log(renderBenchmarksDoc());
}

await main();
