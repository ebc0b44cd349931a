/**
 * Scenario 3: @fcgi/server behind HAProxy's `fcgi-app`, multiplexing (`option mpxs-conns`,
 * `http-reuse always`) against one request per connection at a time (keep-conn only), and
 * HAProxy proxying node:http as the reference.
 *
 * @module
 */
import { type HttpPeer, locatePeer, startHaproxy } from '@fcgi/test-peers';
import { type App, startApp } from '../processes.js';
import type { SuiteBody, Target } from '../report.js';
import { type Contender, loadColumns, loadRounds, loadRows, rates, rounds, seconds } from '../rounds.js';
import { ratio, summarise } from '../stats.js';

function config(ours: string, http: string, port: number): string {
  return `frontend main
  bind 127.0.0.1:${port}
  no log
  use_backend mpx if { path_beg /mpx/ }
  use_backend single if { path_beg /single/ }
  default_backend http

fcgi-app mpx
  docroot /srv
  option keep-conn
  option mpxs-conns
  option get-values

fcgi-app single
  docroot /srv
  option keep-conn

backend mpx
  use-fcgi-app mpx
  http-reuse always
  server ours ${ours} proto fcgi

backend single
  use-fcgi-app single
  http-reuse always
  server ours ${ours} proto fcgi

backend http
  http-reuse always
  server node ${http}
`;
}

/**
 * Runs scenario 3; undefined when HAProxy is missing.
 *
 * @example
 * ```ts
 * const body = await haproxyScenario();
 * ```
 */
export async function haproxyScenario(): Promise<SuiteBody | undefined> {
  const found = locatePeer('haproxy');
  if (!found.available) {
    console.log(`haproxy scenario skipped: ${found.reason}`);
    return undefined;
  }
  const apps: App[] = [];
  let haproxy: HttpPeer | undefined;
  try {
    const ours = await startApp({ kind: 'fcgi' });
    const http = await startApp({ kind: 'http' });
    apps.push(ours, http);
    haproxy = await startHaproxy({ config: (context) => config(ours.address, http.address, context.port) });
    const contenders: Contender[] = [
      { id: 'mpx', label: 'HAProxy -> @fcgi/server, multiplexed (mpxs-conns)', url: `${haproxy.url}/mpx/hello` },
      { id: 'single', label: 'HAProxy -> @fcgi/server, one request per connection (keep-conn)', url: `${haproxy.url}/single/hello` },
      { id: 'http', label: 'HAProxy -> node:http (http-reuse always)', url: `${haproxy.url}/hello` },
    ];
    console.log('haproxy scenario');
    const results = await loadRounds(contenders, { connections: 64 });
    const versusSingle = ratio(rates(results, 'mpx'), rates(results, 'single'));
    const versusHttp = ratio(rates(results, 'mpx'), rates(results, 'http'));
    const targets: Target[] = [
      { description: 'HAProxy -> @fcgi/server multiplexed vs one request per connection (informative, no target)', measured: versusSingle, met: versusSingle.median >= 1 },
      { description: 'HAProxy -> @fcgi/server multiplexed vs HAProxy -> node:http (informative, no target)', measured: versusHttp, met: versusHttp.median >= 1 },
    ];
    return {
      suite: 'haproxy',
      title: 'Server behind HAProxy, with and without multiplexing (scenario 3)',
      order: 30,
      targets,
      scenarios: [
        {
          id: 'haproxy-hello',
          title: 'hello world behind HAProxy',
          description: `wrk -t1 -c64, ${seconds} s per run, ${rounds} interleaved rounds after a 1 s warm-up each. "ours vs it" is the multiplexed row divided by that contender, per round.`,
          columns: loadColumns,
          rows: loadRows(contenders, results, 'mpx'),
          chart: { unit: 'req/s', bars: contenders.map((contender) => ({ label: contender.label, value: summarise(rates(results, contender.id)).median })) },
        },
      ],
      method: [
        'One HAProxy 2.6 process (one thread by default here), one @fcgi/server process serving both FastCGI backends, one node:http process; request logging off.',
        'Multiplexed: `option keep-conn`, `option mpxs-conns`, `option get-values`, `http-reuse always`: HAProxy learns FCGI_MPXS_CONNS=1 and puts many requests on one connection. The other FastCGI backend has only `option keep-conn` (one request at a time per connection).',
      ],
    };
  } finally {
    await haproxy?.stop();
    await Promise.all(apps.map((app) => app.stop()));
  }
}
