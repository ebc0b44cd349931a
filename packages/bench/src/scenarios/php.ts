/**
 * Scenario 4: @fcgi/client's gateway -> php-fpm hello.php, against nginx -> php-fpm with
 * keep_conn and against a node:http server forwarding with npm fastcgi-client 0.2.0. Each
 * contender has its own php-fpm pool (kept connections pin workers), all with the same size.
 *
 * @module
 */
import { type HttpPeer, type PhpFpmPeer, locatePeer, nginxFastcgiLocation, startNginx, startPhpFpm, writeRunFile } from '@fcgi/test-peers';
import { type App, startApp } from '../processes.js';
import type { SuiteBody, Target } from '../report.js';
import { type Contender, loadColumns, loadRounds, loadRows, rates, rounds, seconds } from '../rounds.js';
import { ratio, summarise } from '../stats.js';

const workers = 8;

async function pool(): Promise<PhpFpmPeer> {
  const php = await startPhpFpm({ listen: 'unix', maxChildren: workers });
  await writeRunFile(php.documentRoot, 'hello.php', '<?php echo "hello world\\n";');
  return php;
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
  let nginx: HttpPeer | undefined;
  try {
    for (let index = 0; index < 3; index++) pools.push(await pool());
    const [forGateway, forNginx, forNpm] = pools as [PhpFpmPeer, PhpFpmPeer, PhpFpmPeer];
    const gateway = await startApp({ kind: 'gateway', upstream: forGateway.address, documentRoot: forGateway.documentRoot, connections: workers });
    const npm = await startApp({ kind: 'fastcgi-client', upstream: forNpm.socketPath ?? forNpm.address, documentRoot: forNpm.documentRoot });
    apps.push(gateway, npm);
    nginx = await startNginx({
      http: `upstream php_keep { server ${forNginx.address}; keepalive ${workers}; }`,
      server: `    access_log off;\n    root ${forNginx.documentRoot};\n${nginxFastcgiLocation({ pass: 'php_keep', extra: '      fastcgi_keep_conn on;' })}`,
    });
    const contenders: Contender[] = [
      { id: 'gateway', label: '@fcgi/client gateway (node:http) -> php-fpm', url: `http://${gateway.address}/hello.php` },
      { id: 'nginx', label: 'nginx -> php-fpm (keep_conn, keepalive 8)', url: `${nginx.url}/hello.php` },
      { id: 'npm', label: 'node:http + fastcgi-client 0.2.0 -> php-fpm', url: `http://${npm.address}/hello.php` },
    ];
    console.log('php scenario');
    const results = await loadRounds(contenders, { connections: 16 });
    const versusNginx = ratio(rates(results, 'gateway'), rates(results, 'nginx'));
    const versusNpm = ratio(rates(results, 'gateway'), rates(results, 'npm'));
    const targets: Target[] = [
      { description: 'gateway -> php-fpm vs nginx -> php-fpm (keep_conn), >= 0.9x', measured: versusNginx, met: versusNginx.median >= 0.9 },
      { description: 'gateway -> php-fpm vs node:http + fastcgi-client 0.2.0, >= 3x', measured: versusNpm, met: versusNpm.median >= 3 },
    ];
    return {
      suite: 'php',
      title: 'Client and gateway in front of php-fpm (scenario 4)',
      order: 40,
      targets,
      scenarios: [
        {
          id: 'php-hello',
          title: 'hello.php through three front ends',
          description: `wrk -t1 -c16, ${seconds} s per run, ${rounds} interleaved rounds after a 1 s warm-up each; GET /hello.php (\`<?php echo "hello world\\n";\`). "ours vs it" is the gateway's req/s divided by that contender's, per round.`,
          columns: loadColumns,
          rows: loadRows(contenders, results, 'gateway'),
          chart: { unit: 'req/s', bars: contenders.map((contender) => ({ label: contender.label, value: summarise(rates(results, contender.id)).median })) },
        },
      ],
      method: [
        `Three php-fpm 8.2 pools (static, ${workers} workers each, Unix sockets), one per front end, so kept-alive connections of one never pin the workers of another.`,
        `The gateway is \`http.createServer(createGateway({ upstream: { address, connections: ${workers} }, documentRoot }))\` in its own process; nginx runs 1 worker with \`fastcgi_keep_conn on\` and \`keepalive ${workers}\`; the fastcgi-client baseline (maxConns 64: with fewer it refuses requests instead of queueing them) sends the same CGI params as the gateway and parses the CGI head itself.`,
        'php-fpm runs the PHP script in every case: the front ends differ only in how they talk FastCGI and HTTP; php-fpm\'s workers bound all three.',
      ],
    };
  } finally {
    await nginx?.stop();
    await Promise.all(apps.map((app) => app.stop()));
    for (const php of pools) await php.stop();
  }
}
