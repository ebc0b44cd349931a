import { describe, expect, it } from 'vitest';
import { runSoak } from '../src/soak-run.js';

describe('soak (CI size)', () => {
  it('300 requests of mixed traffic through the gateway and the client, 500 idle connections held, a graceful restart: nothing lost or half-written', async () => {
    const summary = await runSoak({ seconds: 20, maxRequests: 300, concurrency: 8, idleConnections: 500 });
    // Every failure is inside the restart window, and each is a clear answer (a typed error or a 502), never a wrong or cut body.
    expect(summary.errors).toBe(0);
    for (const outcome of Object.keys(summary.outcomes)) expect(outcome).toMatch(/^(ok|aborted|ERR_FCGI_[A-Z_]+|HTTP_50[23])$/);
    expect(summary.outcomes.ok ?? 0).toBeGreaterThan(200);
    expect(summary.idleHeld).toBe(500);
    expect(summary.serverConnectionsLeft).toBe(0);
    // Server side: every request a handler started was written whole or aborted by the web server.
    expect(summary.handled.cut).toBe(0);
    expect(summary.handled.finished).toBeGreaterThan(200);
    expect(summary.fileDescriptors.after).toBeLessThanOrEqual(summary.fileDescriptors.before + 2);
  }, 40_000);
});
