import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpPeer, curl, requirePeers, startNginx } from '../src/index.js';
import { startFailure } from './start-failure.js';

const peers = requirePeers('nginx', 'curl');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!peers.available)(peers.title('startNginx'), () => {
  let nginx: HttpPeer | undefined;

  beforeAll(async () => {
    nginx = await startNginx({ server: 'location / { return 200 "hello from nginx"; }' });
  });

  afterAll(async () => {
    await nginx?.stop();
  });

  it('answers a real request on its loopback port', async () => {
    const response = await curl(`${nginx!.url}/anything`);
    expect(response.exitCode, response.stderr).toBe(0);
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('hello from nginx');
  });

  it('rejects a bad config with nginx\'s own error message', async () => {
    expect(await startFailure(startNginx({ server: 'no_such_directive on;' }))).toMatch(/unknown directive "no_such_directive"/);
  });

  it('stops by pid and removes its run directory', async () => {
    const other = await startNginx({ server: 'return 204;' });
    expect(isAlive(other.pid)).toBe(true);
    await other.stop();
    expect(isAlive(other.pid)).toBe(false);
    expect(existsSync(other.runDirectory)).toBe(false);
    await other.stop();
  });
});
