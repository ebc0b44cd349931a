/**
 * Scenario 8: `fcgi serve --workers N` behind nginx (keep_conn + upstream keepalive),
 * N = 1 and 2, against `fcgi serve` in one process and nginx proxy_pass -> node:http.
 * wrk -t1 -c16, hello world.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type HttpPeer, locatePeer, startNginx } from '@fcgi/test-peers';
import { type App, startApp } from '../processes.js';
import type { SuiteBody, Target } from '../report.js';
import { type Contender, loadColumns, loadRounds, loadRows, rates, rounds, seconds } from '../rounds.js';
import { ratio, summarise } from '../stats.js';

const cliBin = fileURLToPath(new URL('../../../cli/dist/bin.js', import.meta.url));
const serveModule = fileURLToPath(new URL('../apps/serve-module.js', import.meta.url));

/** A running `fcgi serve`. */
interface Served {
  address: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited.finally(() => clearTimeout(timer));
}

/** Starts `fcgi serve` (with `--workers N` when given) and waits for its "listening" line. */
async function startServe(workers: number | undefined): Promise<Served> {
  const address = `127.0.0.1:${await freePort()}`;
  const args = [cliBin, 'serve', serveModule, '--listen', address, ...(workers === undefined ? [] : ['--workers', String(workers)])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = (): Promise<void> => stopServe(child);
  try {
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`fcgi serve did not listen within 20 s: ${output}`)), 20_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`fcgi serve exited with ${String(code)} before listening: ${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  child.stdout?.resume();
  return { address, stop };
}

function nginxHttp(served: Served[], http: string): string {
  const upstreams = served.map((entry, index) => `upstream serve_${index} { server ${entry.address}; keepalive 16; }`);
  return [...upstreams, `upstream http_keep { server ${http}; keepalive 16; }`].join('\n');
}

function nginxServer(count: number): string {
  const common = 'include /etc/nginx/fastcgi_params; fastcgi_buffer_size 16k; fastcgi_buffers 8 16k; fastcgi_keep_conn on;';
  const locations = Array.from({ length: count }, (_, index) => `    location /serve-${index}/ { ${common} fastcgi_pass serve_${index}; }`);
  return [
    '    access_log off;',
    ...locations,
    '    location /proxy/ { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffer_size 16k; proxy_buffers 8 16k; proxy_pass http://http_keep; }',
  ].join('\n');
}

function skipped(reason: string): SuiteBody {
  console.log(`workers: skipped: ${reason}`);
  return {
    suite: 'workers',
    title: 'Scaling with workers (scenario 8)',
    order: 80,
    targets: [],
    scenarios: [{ id: 'workers', title: 'Not measured', description: reason, columns: ['status'], rows: [['skipped']] }],
    method: [],
  };
}

/**
 * Runs scenario 8, or reports why it cannot.
 *
 * @example
 * ```ts
 * const body = await workersScenario();
 * ```
 */
export async function workersScenario(): Promise<SuiteBody | undefined> {
  const nginxPeer = locatePeer('nginx');
  if (!nginxPeer.available) return skipped(`nginx is missing: ${nginxPeer.reason}`);
  if (!existsSync(cliBin)) return skipped('packages/cli is not built (pnpm turbo run build --filter=@fcgi/cli)');
  const variants: { id: string; label: string; workers: number | undefined }[] = [
    { id: 'single', label: 'nginx -> fcgi serve (one process)', workers: undefined },
    { id: 'workers-1', label: 'nginx -> fcgi serve --workers 1', workers: 1 },
    { id: 'workers-2', label: 'nginx -> fcgi serve --workers 2', workers: 2 },
  ];
  const served: Served[] = [];
  let http: App | undefined;
  let nginx: HttpPeer | undefined;
  try {
    for (const variant of variants) served.push(await startServe(variant.workers));
    http = await startApp({ kind: 'http' });
    nginx = await startNginx({ http: nginxHttp(served, http.address), server: nginxServer(served.length) });
    const contenders: Contender[] = [
      ...variants.map((variant, index) => ({ id: variant.id, label: variant.label, url: `${nginx?.url ?? ''}/serve-${index}/hello` })),
      { id: 'proxy', label: 'nginx proxy_pass -> node:http (keepalive)', url: `${nginx.url}/proxy/hello` },
    ];
    console.log('workers scenario');
    const results = await loadRounds(contenders, { connections: 16 });
    const twoVersusOne = ratio(rates(results, 'workers-2'), rates(results, 'workers-1'));
    const oneVersusSingle = ratio(rates(results, 'workers-1'), rates(results, 'single'));
    const twoVersusProxy = ratio(rates(results, 'workers-2'), rates(results, 'proxy'));
    const targets: Target[] = [
      { description: 'fcgi serve --workers 2 vs --workers 1 behind nginx (informative: 2 cores shared with nginx and wrk)', measured: twoVersusOne, met: twoVersusOne.median >= 1 },
      { description: 'fcgi serve --workers 1 vs one process (the cost of the cluster primary; informative)', measured: oneVersusSingle, met: oneVersusSingle.median >= 0.9 },
      { description: 'fcgi serve --workers 2 vs nginx proxy_pass -> node:http (informative)', measured: twoVersusProxy, met: twoVersusProxy.median >= 1 },
    ];
    return {
      suite: 'workers',
      title: 'Scaling with workers (scenario 8)',
      order: 80,
      targets,
      scenarios: [
        {
          id: 'workers',
          title: 'fcgi serve --workers N behind nginx',
          description: `wrk -t1 -c16, ${seconds} s per run, ${rounds} interleaved rounds; GET /hello through nginx (fastcgi_keep_conn, keepalive 16). The "ours vs it" column is --workers 2 divided by that contender, per round.`,
          columns: loadColumns,
          rows: loadRows(contenders, results, 'workers-2'),
          chart: { unit: 'req/s', bars: contenders.map((contender) => ({ label: contender.label, value: summarise(rates(results, contender.id)).median })) },
          notes: [
            'On this 2-core machine wrk and nginx share the cores with the workers, so N = 2 can at best show the process manager working, not a 2x gain; on more cores the rate scales with N until nginx\'s workers saturate.',
          ],
        },
      ],
      method: [
        '`fcgi serve packages/bench/dist/apps/serve-module.js --listen 127.0.0.1:PORT [--workers N]` (the CLI of packages/cli, spawned as a user would), the same handler as every other scenario.',
        'With --workers the primary (node:cluster) hands accepted connections to the workers round-robin; nginx keeps 16 connections per upstream, so each worker gets about 16 / N of them.',
        'nginx 1 worker; wrk in its own process.',
      ],
    };
  } finally {
    await nginx?.stop();
    await http?.stop();
    await Promise.all(served.map((entry) => entry.stop()));
  }
}
