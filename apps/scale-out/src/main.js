#!/usr/bin/env node
// `pnpm --filter @fcgi/app-scale-out start [-- --front nginx|haproxy|gateway] [--backends N] [--once]`:
// the same app on several backends behind a load balancer; prints how 30 requests were
// spread, then keeps serving until Ctrl-C. `--once` (or FCGI_EXAMPLE_ONCE=1) also takes one
// backend down, shows 30 more requests still answered, and exits (0 when none failed).
// PORT (default 8090; 0 for any free port): where the front listens.
import { parseArgs } from 'node:util';
import { countBackends, formatCounts } from './distribution.js';
import { startSetup } from './setups.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((argument) => argument !== '--'), // `pnpm start -- --front haproxy` passes the `--` on
  options: { front: { type: 'string', default: 'nginx' }, backends: { type: 'string', default: '3' }, once: { type: 'boolean', default: false } },
});
const once = values.once || process.env.FCGI_EXAMPLE_ONCE === '1';
const count = Number(values.backends);
if (!Number.isInteger(count) || count < 1 || count > 16) throw new Error('--backends must be an integer from 1 to 16');

const setup = await startSetup({ front: values.front, backends: count, port: Number(process.env.PORT ?? (once ? 0 : 8090)) }).catch((error) => {
  console.error(`scale-out: ${error.message}`); // e.g. haproxy is not installed (apt-get install haproxy)
  process.exit(1);
});
console.log(`${setup.title}
front:    ${setup.url}${setup.front.configPath ? ` (config: ${setup.front.configPath})` : ''}
backends: ${setup.backends.map((backend) => `${backend.name} ${backend.address} pid ${backend.pid}`).join(', ')}`);

const requests = 10 * count;
const first = await countBackends(`${setup.url}/`, requests);
console.log(`${requests} requests to ${setup.url}/, answered by:\n${formatCounts(setup.backends, first.counts).join('\n')}${first.failed ? `\n  failed: ${first.failed}` : ''}`);

if (once) {
  let failed = first.failed;
  if (count > 1) {
    const down = setup.backends[count - 1];
    await down.stop();
    const after = await countBackends(`${setup.url}/`, requests);
    failed += after.failed;
    console.log(`${down.name} taken down; ${requests} more requests, answered by:\n${formatCounts(setup.backends, after.counts).join('\n')}\n  failed: ${after.failed}`);
  }
  await setup.stop();
  process.exit(failed === 0 ? 0 : 1);
}

console.log(`Try:
  curl -i ${setup.url}/                 # X-Backend says which copy answered
  node src/measure.js                   # req/s with 1 backend vs ${count}
Ctrl-C stops the front and the backends.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    setup.stop().then(() => process.exit(0), (error) => {
      console.error(error);
      process.exit(1);
    });
  });
}
