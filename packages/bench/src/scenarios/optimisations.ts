/**
 * Before/after of the optimisations: the same cases run against a "before" build of
 * @fcgi/client and @fcgi/server (a tree given by BENCH_BEFORE, see `before-tree.sh`) and the
 * current build, interleaved in one invocation. Skipped when BENCH_BEFORE is not set.
 *
 * @module
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HttpPeer, locatePeer, startNginx } from '@fcgi/test-peers';
import { type App, startApp } from '../processes.js';
import type { SuiteBody } from '../report.js';
import { rounds } from '../rounds.js';
import { formatNumber, formatRatio, formatStats, ratio, summarise } from '../stats.js';
import { runWrk } from '../wrk.js';

interface Build {
  root: string;
  appScript: string;
}

function load(root: string): Build {
  return { root, appScript: join(root, 'packages/bench/dist/apps/app.js') };
}

interface Sample {
  rate: number;
  newConnections: number;
}

/** One closed-loop run in a child process of the given build (see apps/unix-loop.ts). */
function unixRun(build: Build, multiplex: boolean, concurrency: number, durationMs: number): Promise<Sample> {
  const child = fork(new URL('../apps/unix-loop.js', import.meta.url), [JSON.stringify({ root: build.root, multiplex, concurrency, durationMs })], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message: Sample) => resolve(message));
    child.once('exit', (code) => reject(new Error(`unix-loop exited with ${String(code)} without a result`)));
  });
}

async function nginxRun(app: App, nginxUrl: string): Promise<Sample> {
  void app;
  const result = await runWrk(`${nginxUrl}/keep/hello`, { connections: 16, seconds: 2 });
  return { rate: result.requestsPerSecond, newConnections: 0 };
}

interface Case {
  label: string;
  run: (build: Build, which: 'before' | 'after') => Promise<Sample>;
  before: Sample[];
  after: Sample[];
}

/**
 * Runs the before/after comparison; undefined when BENCH_BEFORE is unset.
 *
 * @example
 * ```ts
 * const body = await optimisationsScenario();
 * ```
 */
export async function optimisationsScenario(): Promise<SuiteBody | undefined> {
  const beforeRoot = process.env['BENCH_BEFORE'];
  if (beforeRoot === undefined || !existsSync(join(beforeRoot, 'packages/client/dist/index.js'))) {
    console.log('optimisations: skipped (set BENCH_BEFORE to a tree with the old builds, see packages/bench/before-tree.sh)');
    return undefined;
  }
  const builds = { before: load(beforeRoot), after: load(fileURLToPath(new URL('../../../../', import.meta.url))) };
  const apps: App[] = [];
  let nginx: HttpPeer | undefined;
  const cases: Case[] = [
    { label: 'client -> server in process, one request per connection, c=16', run: (build) => unixRun(build, false, 16, 1000), before: [], after: [] },
    { label: 'client -> server in process, multiplexed, c=16', run: (build) => unixRun(build, true, 16, 1000), before: [], after: [] },
    { label: 'client -> server in process, c=1', run: (build) => unixRun(build, true, 1, 1000), before: [], after: [] },
  ];
  try {
    if (locatePeer('nginx').available) {
      const before = await startApp({ kind: 'fcgi' }, [], builds.before.appScript);
      const after = await startApp({ kind: 'fcgi' });
      apps.push(before, after);
      nginx = await startNginx({
        http: `upstream before_keep { server ${before.address}; keepalive 16; }\nupstream after_keep { server ${after.address}; keepalive 16; }`,
        server: `    access_log off;
    location /before/ { include /etc/nginx/fastcgi_params; fastcgi_keep_conn on; fastcgi_pass before_keep; }
    location /after/ { include /etc/nginx/fastcgi_params; fastcgi_keep_conn on; fastcgi_pass after_keep; }`,
      });
      const url = nginx.url;
      cases.push({ label: 'nginx -> server (keep_conn), hello, wrk -c16', run: (_build, which) => nginxRun(which === 'before' ? before : after, `${url}/${which}`), before: [], after: [] });
      await runWrk(`${url}/before/keep/hello`, { seconds: 1 });
      await runWrk(`${url}/after/keep/hello`, { seconds: 1 });
    }
    for (let round = 0; round < rounds; round++) {
      for (const entry of cases) {
        const order: Array<'before' | 'after'> = round % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
        for (const which of order) entry[which].push(await entry.run(builds[which], which));
        console.log(`  round ${round + 1}/${rounds} ${entry.label}: before ${formatNumber(entry.before.at(-1)?.rate ?? 0)}, after ${formatNumber(entry.after.at(-1)?.rate ?? 0)} req/s`);
      }
    }
  } finally {
    await nginx?.stop();
    await Promise.all(apps.map((app) => app.stop()));
  }
  const rate = (samples: Sample[]): number[] => samples.map((sample) => sample.rate);
  return {
    suite: 'optimisations',
    title: 'Optimisations: before and after',
    order: 90,
    targets: [],
    scenarios: [
      {
        id: 'before-after',
        title: 'Same cases, old and new builds, interleaved',
        description: `${rounds} rounds; in each, every case runs once on each build (order alternating). "after / before" is taken per round. New connections are those the server accepted during the measured second (keep-alive should make it 0).`,
        columns: ['case', 'before req/s', 'after req/s', 'after / before', 'new connections before → after (median)'],
        rows: cases.map((entry) => [
          entry.label,
          formatStats(summarise(rate(entry.before))),
          formatStats(summarise(rate(entry.after))),
          formatRatio(ratio(rate(entry.after), rate(entry.before))),
          `${formatNumber(summarise(entry.before.map((sample) => sample.newConnections)).median)} → ${formatNumber(summarise(entry.after.map((sample) => sample.newConnections)).median)}`,
        ]),
      },
    ],
    method: [
      'The "before" tree is given by BENCH_BEFORE: for the published run, the current client and server sources with only these changes undone (so other work since does not mix in), built with tsc --noCheck; `packages/bench/before-tree.sh COMMIT` builds one from a commit instead. Codec is shared.',
      'Changes measured: (1) @fcgi/client: a connection counts as "unproven" (possibly stuck in php-fpm\'s backlog) only after a grace of max(50 ms, 4 x the recent response time), so a pool of one-request connections to a fast app no longer closes a finished connection whenever another was just opened (which made it open a new connection per request under concurrency); (2) @fcgi/server: the per-request AbortController is created only when a handler reads `req.fastcgi.signal`; (3) gateway: the response body is piped without `stream/promises.pipeline` (an AbortController, a DOMException and several listeners per request).',
    ],
  };
}
