/**
 * Scenario 4, two halves. Over HTTP: wrk -> @fcgi/client's gateway -> php-fpm hello.php,
 * against wrk -> nginx (keep_conn, keepalive) -> php-fpm and wrk -> node:http + npm
 * fastcgi-client 0.2.0 -> php-fpm, with each front end's and each pool's CPU time per
 * request; two reference rows give the floors: a codec-only forwarder on node:http
 * (apps/minimal-gateway.ts) and node:http answering alone. Direct: @fcgi/client against
 * fastcgi-client issuing requests straight to php-fpm at concurrency 16, each in a process
 * of its own. Every contender has its own php-fpm pool (kept connections pin workers), all
 * with the same size.
 *
 * @module
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { type HttpPeer, type PhpFpmPeer, locatePeer, nginxFastcgiLocation, startNginx, startPhpFpm, writeRunFile } from '@fcgi/test-peers';
import type { ClientLoopResult, ClientLoopSpec } from '../apps/client-loop.js';
import { treeCpuSeconds } from '../apps/process-cpu.js';
import { type App, startApp } from '../processes.js';
import type { ScenarioResult, SuiteBody, Target } from '../report.js';
import { type Contender, type MeasuredRounds, cpuCell, loadColumns, loadRows, measureRounds, rates, rounds, seconds } from '../rounds.js';
import { type Stats, formatNumber, formatRatio, formatStats, ratio, summarise } from '../stats.js';

const workers = 8;
const concurrency = 16;

async function pool(): Promise<PhpFpmPeer> {
  const php = await startPhpFpm({ listen: 'unix', maxChildren: workers });
  await writeRunFile(php.documentRoot, 'hello.php', '<?php echo "hello world\\n";');
  return php;
}

/** An HTTP front end: what wrk loads, the process tree it runs in, its php-fpm pool. */
interface HttpContender extends Contender {
  frontPid: number;
  php: PhpFpmPeer | undefined;
}

const microsPerRequest = (cpuSeconds: number, requests: number): number => (requests > 0 ? (cpuSeconds * 1e6) / requests : Number.NaN);

/** The process trees measured for a front end: itself, then its php-fpm pool (if any). */
const frontAndPool = (contender: Contender): number[] => {
  const { frontPid, php } = contender as HttpContender;
  return php === undefined ? [frontPid] : [frontPid, php.pid];
};

/** A client-loop process (apps/client-loop.js) and its pool. */
interface DirectLoop {
  id: 'ours' | 'npm' | 'codec-only';
  label: string;
  php: PhpFpmPeer;
  child: ChildProcess;
  results: ClientLoopResult[];
  phpMicros: number[];
}

async function startLoop(id: DirectLoop['id'], label: string, php: PhpFpmPeer): Promise<DirectLoop> {
  const spec: ClientLoopSpec = {
    library: id === 'npm' ? 'fastcgi-client' : id,
    socketPath: php.socketPath ?? '',
    documentRoot: php.documentRoot,
    concurrency,
    connections: workers,
    durationMs: seconds * 1000,
  };
  const child = fork(new URL('../apps/client-loop.js', import.meta.url), [JSON.stringify(spec)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await once(child, 'message');
  return { id, label, php, child, results: [], phpMicros: [] };
}

async function runLoop(loop: DirectLoop, message: 'run' | 'warm'): Promise<ClientLoopResult> {
  const phpBefore = treeCpuSeconds(loop.php.pid);
  const reply = once(loop.child, 'message') as Promise<[{ result: ClientLoopResult }]>;
  loop.child.send(message);
  const [{ result }] = await reply;
  if (message === 'run') {
    loop.results.push(result);
    loop.phpMicros.push(microsPerRequest(treeCpuSeconds(loop.php.pid) - phpBefore, result.requests));
  }
  return result;
}

async function directRounds(loops: readonly DirectLoop[]): Promise<void> {
  for (const loop of loops) await runLoop(loop, 'warm');
  for (let round = 0; round < rounds; round++) {
    for (let step = 0; step < loops.length; step++) {
      const loop = loops[(round + step) % loops.length] as DirectLoop;
      const result = await runLoop(loop, 'run');
      console.log(`  round ${round + 1}/${rounds} ${loop.label}: ${formatNumber(result.requests / result.seconds)} req/s${result.errors > 0 ? ` (${result.errors} errors)` : ''}`);
    }
  }
}

const loopRates = (loop: DirectLoop): number[] => loop.results.map((result) => result.requests / result.seconds);
const median = (values: readonly number[]): string => formatNumber(summarise(values).median);

function httpScenario(contenders: readonly HttpContender[], { results, cpu }: MeasuredRounds): ScenarioResult {
  const rows = loadRows(contenders, results, 'gateway').map((row, index) => {
    const id = contenders[index]?.id ?? '';
    return [...row, cpuCell(cpu, id, 0), cpuCell(cpu, id, 1)];
  });
  return {
    id: 'php-hello',
    title: 'hello.php through three front ends (HTTP)',
    description: `wrk -t1 -c${concurrency}, ${seconds} s per run, ${rounds} interleaved rounds after a 1 s warm-up each; GET /hello.php (\`<?php echo "hello world\\n";\`). "ours vs it" is the gateway's req/s divided by that contender's, per round. CPU µs/req: user + system time of the front end's processes (nginx: master and worker) and of the whole php-fpm pool during the run (from /proc), divided by the requests served, median of the rounds. The last two rows are references: a forwarder written on node:http and @fcgi/codec alone (apps/minimal-gateway.ts: the gateway's params, ${workers} kept connections, the CGI head split minimally, no checks, timeouts or streaming), the floor of any Node gateway; and node:http answering "hello" itself (no upstream), the floor of any Node front end.`,
    columns: [...loadColumns, 'front CPU µs/req', 'php-fpm CPU µs/req'],
    rows,
    chart: { unit: 'req/s', bars: contenders.map((contender) => ({ label: contender.label, value: summarise(rates(results, contender.id)).median })) },
  };
}

function directScenario(loops: readonly DirectLoop[]): ScenarioResult {
  const ours = loops.find((loop) => loop.id === 'ours') as DirectLoop;
  return {
    id: 'php-direct',
    title: 'Clients straight to php-fpm (no HTTP)',
    description: `Each client in its own Node process runs a closed loop of ${concurrency} concurrent requests for hello.php straight to php-fpm (same CGI params as the gateway), reading each whole answer (ours with \`response.bytes()\`); ${seconds} s per run, ${rounds} interleaved rounds after a 1 s warm-up. CPU µs/req as above (the client process; the php-fpm pool). The last row is a reference: requests on @fcgi/codec alone over ${workers} kept connections (apps/minimal-client.ts: encoded per request, the answer gathered until END_REQUEST, no head parsing, timeouts or checks), the floor of any Node client.`,
    columns: ['client', 'req/s', 'client CPU µs/req', 'php-fpm CPU µs/req', 'errors', 'ours vs it'],
    rows: loops.map((loop) => [
      loop.label,
      formatStats(summarise(loopRates(loop))),
      median(loop.results.map((result) => result.cpuMicros / Math.max(1, result.requests))),
      median(loop.phpMicros),
      String(loop.results.reduce((sum, result) => sum + result.errors, 0)),
      loop === ours ? '1x' : formatRatio(ratio(loopRates(ours), loopRates(loop))),
    ]),
    chart: { unit: 'req/s', bars: loops.map((loop) => ({ label: loop.label, value: summarise(loopRates(loop)).median })) },
  };
}

/**
 * Runs scenario 4; undefined when nginx or php-fpm is missing.
 *
 * @example
 * ```ts
 * const body = await phpScenario();
 * ```
 */
export async function phpScenario(): Promise<SuiteBody | undefined> {
  for (const name of ['nginx', 'php-fpm'] as const) {
    const found = locatePeer(name);
    if (!found.available) {
      console.log(`php scenario skipped: ${found.reason}`);
      return undefined;
    }
  }
  const pools: PhpFpmPeer[] = [];
  const apps: App[] = [];
  const loops: DirectLoop[] = [];
  let nginx: HttpPeer | undefined;
  try {
    for (let index = 0; index < 7; index++) pools.push(await pool());
    const [forGateway, forNginx, forNpm, forOurs, forNpmDirect, forMinimal, forMinimalDirect] = pools as [PhpFpmPeer, PhpFpmPeer, PhpFpmPeer, PhpFpmPeer, PhpFpmPeer, PhpFpmPeer, PhpFpmPeer];
    const gateway = await startApp({ kind: 'gateway', upstream: forGateway.address, documentRoot: forGateway.documentRoot, connections: workers });
    const npm = await startApp({ kind: 'fastcgi-client', upstream: forNpm.socketPath ?? forNpm.address, documentRoot: forNpm.documentRoot });
    const minimal = await startApp({ kind: 'minimal-gateway', upstream: forMinimal.socketPath ?? forMinimal.address, documentRoot: forMinimal.documentRoot, connections: workers });
    const http = await startApp({ kind: 'http' });
    apps.push(gateway, npm, minimal, http);
    nginx = await startNginx({
      http: `upstream php_keep { server ${forNginx.address}; keepalive ${workers}; }`,
      server: `    access_log off;\n    root ${forNginx.documentRoot};\n${nginxFastcgiLocation({ pass: 'php_keep', extra: '      fastcgi_keep_conn on;' })}`,
    });
    const contenders: HttpContender[] = [
      { id: 'gateway', label: '@fcgi/client gateway (node:http) -> php-fpm', url: `http://${gateway.address}/hello.php`, frontPid: gateway.pid, php: forGateway },
      { id: 'nginx', label: `nginx -> php-fpm (keep_conn, keepalive ${workers})`, url: `${nginx.url}/hello.php`, frontPid: nginx.pid, php: forNginx },
      { id: 'npm', label: 'node:http + fastcgi-client 0.2.0 -> php-fpm', url: `http://${npm.address}/hello.php`, frontPid: npm.pid, php: forNpm },
      { id: 'minimal', label: 'node:http + codec-only forwarder -> php-fpm (reference)', url: `http://${minimal.address}/hello.php`, frontPid: minimal.pid, php: forMinimal },
      { id: 'http', label: 'node:http alone, no upstream (reference)', url: `http://${http.address}/hello`, frontPid: http.pid, php: undefined },
    ];
    console.log('php scenario (HTTP)');
    const measured = await measureRounds(contenders, { connections: concurrency }, frontAndPool);
    const { results } = measured;
    await Promise.all(apps.splice(0).map((app) => app.stop()));
    await nginx.stop();
    nginx = undefined;
    console.log('php scenario (direct)');
    loops.push(
      await startLoop('ours', '@fcgi/client -> php-fpm', forOurs),
      await startLoop('npm', 'fastcgi-client 0.2.0 -> php-fpm', forNpmDirect),
      await startLoop('codec-only', 'codec-only client -> php-fpm (reference)', forMinimalDirect),
    );
    await directRounds(loops);
    const versusNginx = ratio(rates(results, 'gateway'), rates(results, 'nginx'));
    const versusNpm: Stats = ratio(loopRates(loops[0] as DirectLoop), loopRates(loops[1] as DirectLoop));
    const targets: Target[] = [
      { description: 'gateway -> php-fpm vs nginx -> php-fpm (keep_conn), >= 0.9x', measured: versusNginx, met: versusNginx.median >= 0.9 },
      { description: `@fcgi/client vs fastcgi-client 0.2.0, straight to php-fpm at c=${concurrency}, >= 3x`, measured: versusNpm, met: versusNpm.median >= 3 },
    ];
    return {
      suite: 'php',
      title: 'Client and gateway in front of php-fpm (scenario 4)',
      order: 40,
      targets,
      scenarios: [httpScenario(contenders, measured), directScenario(loops)],
      method: [
        `Seven php-fpm 8.2 pools (static, ${workers} workers each, Unix sockets), one per contender, so kept-alive connections of one never pin the workers of another.`,
        `The gateway is \`http.createServer(createGateway({ upstream: { address, connections: ${workers} }, documentRoot }))\` in one process, as nginx runs 1 worker process (\`worker_processes 1\`) with \`fastcgi_keep_conn on\` and \`keepalive ${workers}\`; the node:http + fastcgi-client front end (maxConns 64: with fewer it refuses requests instead of queueing them) sends the same CGI params as the gateway and parses the CGI head itself.`,
        `Direct: \`new Client({ address, connections: ${workers} })\` against fastcgi-client 0.2.0 (\`maxConns: 64, mpxsConns: 0\`: a new connection per request, which php-fpm closes after answering), each in its own process, loop and params identical.`,
        'php-fpm runs the PHP script in every case. wrk, the front end and php-fpm share the machine\'s cores, so the CPU µs/req columns say what bounds each rate: the sum of the front end\'s, php-fpm\'s and wrk\'s CPU per request, over the cores.',
      ],
    };
  } finally {
    for (const loop of loops) loop.child.disconnect();
    await nginx?.stop();
    await Promise.all(apps.map((app) => app.stop()));
    for (const php of pools) await php.stop();
  }
}
