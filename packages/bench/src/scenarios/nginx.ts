/**
 * Scenario 2: @fcgi/server behind nginx (keep_conn + upstream keepalive, and a new
 * connection per request), hello world and 64 KiB, against node-fastcgi behind the same
 * nginx, nginx proxy_pass -> node:http, and the node:http server alone. wrk -t1 -c16.
 *
 * @module
 */
import { type HttpPeer, locatePeer, startNginx } from '@fcgi/test-peers';
import { type App, startApp } from '../processes.js';
import type { ScenarioResult, SuiteBody, Target } from '../report.js';
import { type Contender, cpuCell, loadColumns, loadRows, measureRounds, rates, rounds, seconds } from '../rounds.js';
import { ratio, summarise } from '../stats.js';

function nginxHttp(ours: string, http: string, minimal: string): string {
  return `upstream ours_keep { server ${ours}; keepalive 16; }
upstream minimal_keep { server ${minimal}; keepalive 16; }
upstream http_keep { server ${http}; keepalive 16; }`;
}

function nginxServer(ours: string, nodeFastcgi: string): string {
  const common = `include /etc/nginx/fastcgi_params;
      fastcgi_buffer_size 16k; fastcgi_buffers 8 16k;`;
  return `    access_log off;
    location /keep/ { ${common} fastcgi_keep_conn on; fastcgi_pass ours_keep; }
    location /plain/ { ${common} fastcgi_pass ${ours}; }
    location /minimal/ { ${common} fastcgi_keep_conn on; fastcgi_pass minimal_keep; }
    location /node-fastcgi/ { ${common} fastcgi_pass ${nodeFastcgi}; }
    location /proxy/ { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffer_size 16k; proxy_buffers 8 16k; proxy_pass http://http_keep; }`;
}

/** The four apps behind nginx. */
interface Apps {
  ours: App;
  nodeFastcgi: App;
  http: App;
  minimal: App;
}

/** A contender and the process trees its CPU is read from: the app, then nginx (if in the path). */
interface MeasuredContender extends Contender {
  pids: readonly number[];
}

function contenders(nginx: HttpPeer, apps: Apps, path: string): MeasuredContender[] {
  const behind = (app: App): number[] => [app.pid, nginx.pid];
  const ceiling: MeasuredContender[] =
    path === 'hello' ? [{ id: 'minimal', label: 'nginx -> codec-only responder (keep_conn; the FastCGI path\'s ceiling)', url: `${nginx.url}/minimal/${path}`, pids: behind(apps.minimal) }] : [];
  // The 1.0x target's pair runs back to back in each round, so that a busy moment of the shared machine hits both alike.
  return [
    { id: 'keep', label: 'nginx -> @fcgi/server (keep_conn)', url: `${nginx.url}/keep/${path}`, pids: behind(apps.ours) },
    { id: 'proxy', label: 'nginx proxy_pass -> node:http (keepalive)', url: `${nginx.url}/proxy/${path}`, pids: behind(apps.http) },
    { id: 'plain', label: 'nginx -> @fcgi/server (new connection per request)', url: `${nginx.url}/plain/${path}`, pids: behind(apps.ours) },
    { id: 'node-fastcgi', label: 'nginx -> node-fastcgi 2.0.0', url: `${nginx.url}/node-fastcgi/${path}`, pids: behind(apps.nodeFastcgi) },
    { id: 'direct', label: 'node:http alone (no nginx)', url: `http://${apps.http.address}/${path}`, pids: [apps.http.pid] },
    ...ceiling,
  ];
}

async function measure(nginx: HttpPeer, apps: Apps, path: string, label: string, targets: Target[]): Promise<ScenarioResult> {
  console.log(`nginx scenario, ${label}`);
  const list = contenders(nginx, apps, path);
  const { results, cpu } = await measureRounds(list, { connections: 16 }, (contender) => (contender as MeasuredContender).pids);
  const versusNodeFastcgi = ratio(rates(results, 'keep'), rates(results, 'node-fastcgi'));
  const versusProxy = ratio(rates(results, 'keep'), rates(results, 'proxy'));
  const plainVersusNodeFastcgi = ratio(rates(results, 'plain'), rates(results, 'node-fastcgi'));
  targets.push(
    { description: `${label}: nginx -> @fcgi/server (keep_conn) vs nginx -> node-fastcgi, >= 5x`, measured: versusNodeFastcgi, met: versusNodeFastcgi.median >= 5 },
    { description: `${label}: same, both with a new connection per request (informative)`, measured: plainVersusNodeFastcgi, met: plainVersusNodeFastcgi.median >= 5 },
    { description: `${label}: nginx -> @fcgi/server (keep_conn) vs nginx proxy_pass -> node:http, >= 1.0x`, measured: versusProxy, met: versusProxy.median >= 1 },
  );
  return {
    id: `nginx-${path}`,
    title: `Behind nginx: ${label}`,
    description: `wrk -t1 -c16, ${seconds} s per run, ${rounds} interleaved rounds; GET /${path}. The "ours vs it" column is nginx -> @fcgi/server with keep_conn divided by that contender, per round. CPU µs/req: user + system time of the app process and of nginx (master and worker) during the run (from /proc), divided by the requests served, median of the rounds.`,
    columns: [...loadColumns, 'app CPU µs/req', 'nginx CPU µs/req'],
    rows: loadRows(list, results, 'keep').map((row, index) => {
      const id = list[index]?.id ?? '';
      return [...row, cpuCell(cpu, id, 0), cpuCell(cpu, id, 1)];
    }),
    chart: { unit: 'req/s', bars: list.map((contender) => ({ label: contender.label, value: summarise(rates(results, contender.id)).median })) },
  };
}

/**
 * Runs scenario 2; undefined when nginx is missing.
 *
 * @example
 * ```ts
 * const body = await nginxScenario();
 * ```
 */
export async function nginxScenario(): Promise<SuiteBody | undefined> {
  const nginxPeer = locatePeer('nginx');
  if (!nginxPeer.available) {
    console.log(`nginx scenario skipped: ${nginxPeer.reason}`);
    return undefined;
  }
  const apps: App[] = [];
  let nginx: HttpPeer | undefined;
  try {
    const ours = await startApp({ kind: 'fcgi' });
    const nodeFastcgi = await startApp({ kind: 'node-fastcgi' });
    const http = await startApp({ kind: 'http' });
    const minimal = await startApp({ kind: 'minimal' });
    apps.push(ours, nodeFastcgi, http, minimal);
    nginx = await startNginx({ http: nginxHttp(ours.address, http.address, minimal.address), server: nginxServer(ours.address, nodeFastcgi.address) });
    const targets: Target[] = [];
    const running: Apps = { ours, nodeFastcgi, http, minimal };
    const hello = await measure(nginx, running, 'hello', 'hello world (12 B)', targets);
    const big = await measure(nginx, running, 'big', '64 KiB response', targets);
    return {
      suite: 'nginx',
      title: 'Server behind nginx (scenario 2)',
      order: 20,
      targets,
      scenarios: [hello, big],
      method: [
        'Each server runs in its own process (forked), nginx 1 worker, wrk in a third process: 4 processes on 2 cores, as in PEERS.md\'s baselines.',
        'All apps run the same handler (`packages/bench/src/apps/handlers.ts`): `res.writeHead(200, {Content-Type, Content-Length}); res.end(body)`.',
        'nginx buffers (`fastcgi_buffers` / `proxy_buffers` 8 x 16k) are the same for FastCGI and HTTP upstreams; access_log is off.',
        'node-fastcgi closes its connection after every request even when asked to keep it, so it runs without keep_conn; the "new connection per request" row compares like with like.',
        'The codec-only responder (hello only; `packages/bench/src/apps/minimal.ts`) answers from @fcgi/codec with no node:http objects: the gap between it and @fcgi/server is the cost of the node:http compatibility layer, the gap between it and proxy_pass is nginx\'s FastCGI module against its HTTP proxy.',
      ],
    };
  } finally {
    await nginx?.stop();
    await Promise.all(apps.map((app) => app.stop()));
  }
}
