/**
 * The soak at CI size (issue 9): mixed traffic through gateway -> @fcgi/server, client ->
 * @fcgi/server and gateway -> a real php-fpm, with idle connections held and a graceful
 * restart of our server. Without php-fpm it runs the server part alone and says so in its
 * title; under FCGI_REQUIRE_PEERS=1 a missing php-fpm fails the file.
 */
import { requirePeers } from '@fcgi/test-peers';
import { describe, expect, it } from 'vitest';
import { runSoak } from '../src/soak-run.js';

const peers = requirePeers('php-fpm');

describe(peers.title('soak (CI size), with php-fpm when installed'), () => {
  it('480 requests of mixed traffic to our server and to php-fpm, 500 idle connections held, a graceful restart: nothing lost, half-written or leaked', async () => {
    const summary = await runSoak({ seconds: 30, maxRequests: 480, concurrency: 8, idleConnections: 500 });
    // Every failure is inside our server's restart window, and each is a clear answer (a typed error or a 502), never a wrong or cut body.
    expect(summary.errors).toBe(0);
    for (const outcome of Object.keys(summary.outcomes)) expect(outcome).toMatch(/^(ok|aborted|ERR_FCGI_[A-Z_]+|HTTP_50[23])$/);
    expect(summary.targets['gateway -> server']?.requests ?? 0).toBeGreaterThan(100);
    expect(summary.targets['client -> server']?.requests ?? 0).toBeGreaterThan(50);
    expect(summary.idleHeld).toBe(500);
    expect(summary.serverConnectionsLeft).toBe(0);
    // Server side: every request a handler started was written whole or aborted by the web server.
    expect(summary.handled.cut).toBe(0);
    expect(summary.handled.finished).toBeGreaterThan(200);
    expect(summary.fileDescriptors.after).toBeLessThanOrEqual(summary.fileDescriptors.before + 2);
    expect(summary.phpFpm.included).toBe(peers.available);
    if (!peers.available) return;
    // php-fpm is never restarted: every one of its requests must be answered whole.
    const php = summary.targets['gateway -> php-fpm'];
    expect(php?.requests ?? 0).toBeGreaterThan(100);
    expect(php?.outcomes['ok']).toBe(php?.requests);
    // Its master and workers hold no connection or descriptor once the gateway has closed, and no worker died.
    expect(summary.phpFpm.fileDescriptors.after).toBeLessThanOrEqual(summary.phpFpm.fileDescriptors.before);
    expect(summary.phpFpm.processes.after).toBe(summary.phpFpm.processes.before);
    expect(summary.phpFpm.processes.before).toBe(summary.phpFpm.children + 1);
  }, 60_000);
});
