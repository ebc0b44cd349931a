/**
 * The captured real nginx <-> php-fpm bytes (fixtures/, from src/capture.ts): they decode
 * cleanly, our server answers nginx's requests, and our client reads php-fpm's replies.
 */
import { Client } from '@fcgi/client';
import { RecordDecoder, RecordType } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { capturedSeeds } from '../src/corpus.js';
import { onCleanup, peer, startServer } from './support/servers.js';
import { startScriptedApp } from './support/scripted-app.js';

const seeds = capturedSeeds();
const expectedStatus: Record<string, number> = { get: 200, post: 200, stderr: 200, redirect: 302, missing: 404 };

describe('captured nginx <-> php-fpm traffic', () => {
  it('has both directions of 5 exchanges, and every byte decodes on a record boundary', () => {
    expect(seeds).toHaveLength(10);
    for (const seed of seeds) {
      const decoder = new RecordDecoder();
      const records = decoder.push(seed.bytes);
      decoder.end();
      expect(records.at(-1)?.type).toBe(seed.name.includes('.to-app') ? RecordType.Stdin : RecordType.EndRequest);
    }
  });

  for (const name of Object.keys(expectedStatus)) {
    it(`our server answers nginx's captured "${name}" request`, async () => {
      const started = await startServer();
      const raw = await peer(started.port);
      raw.write(seeds.find((seed) => seed.name === `captured nginx-${name}.to-app.bin`)?.bytes ?? new Uint8Array(0));
      expect((await raw.waitForEnd(1, 3000))?.protocolStatus).toBe(0);
      expect(raw.stdoutText(1)).toContain('ok ');
      expect(started.connectionErrors).toEqual([]);
    });

    it(`our client reads php-fpm's captured "${name}" reply (status ${expectedStatus[name] ?? 0})`, async () => {
      const reply = seeds.find((seed) => seed.name === `captured php-fpm-${name}.to-web.bin`)?.bytes ?? new Uint8Array(0);
      const app = await startScriptedApp(() => ({ bytes: reply }));
      const client = new Client({ address: app.address, getValues: false });
      onCleanup(() => client.destroy());
      const response = await client.request({ params: { REQUEST_METHOD: 'GET' } });
      response.body.resume();
      response.stderr.resume();
      expect(await response.done).toEqual({ appStatus: 0, protocolStatus: 0 });
      expect(response.status).toBe(expectedStatus[name]);
    });
  }
});
