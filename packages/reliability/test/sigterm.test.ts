import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Client } from '@fcgi/client';
import { FastCgiError } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { onCleanup } from './support/servers.js';

const appPath = fileURLToPath(new URL('../dist/sigterm-app.js', import.meta.url));

describe('SIGTERM under load (a separate process)', () => {
  it('every request the server accepted completes; the others get a clear error; none lost, none half-written', async () => {
    const child = spawn(process.execPath, [appPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    onCleanup(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    for (let waited = 0; !output.includes('\n') && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    const port = /port (\d+)/.exec(output)?.[1];
    expect(port).toBeDefined();
    const client = new Client({ address: `127.0.0.1:${port ?? ''}`, getValues: false, connections: 8, connectTimeout: 1000, queueTimeout: 3000 });
    onCleanup(() => client.destroy());
    const outcomes = Array.from({ length: 40 }, async () => {
      try {
        const response = await client.request({ params: { REQUEST_METHOD: 'GET' } });
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(chunk as Buffer);
        await response.done;
        return Buffer.concat(chunks).toString();
      } catch (error) {
        if (!FastCgiError.is(error)) throw error;
        return error.code;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');
    const results = await Promise.all(outcomes);
    await once(child, 'exit');
    const counters = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { started: number; finished: number };
    const done = results.filter((result) => result === 'done').length;
    // The 8 requests in flight at SIGTERM (one per connection) complete whole.
    expect(done).toBeGreaterThanOrEqual(8);
    for (const result of results) expect(result).toMatch(/^(done|ERR_FCGI_[A-Z_]+)$/);
    // Server and client agree: every request the handler started finished, and each reached the client.
    expect(counters.started).toBe(counters.finished);
    expect(counters.finished).toBe(done);
  }, 20_000);
});
