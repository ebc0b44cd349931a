import { type FcgiRecord, RecordType, encodeRecord } from '@fcgi/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestClient, baseParams, delay, startServer } from './support/harness.js';

const contentArbitrary = fc.uint8Array({ maxLength: 64 });
const idArbitrary = fc.integer({ min: 0, max: 3 });

/** Records a web server could send, in any order, with ids that collide on purpose. */
const recordArbitrary: fc.Arbitrary<FcgiRecord> = fc.oneof(
  fc.record({ type: fc.constant(RecordType.BeginRequest), requestId: idArbitrary, role: fc.integer({ min: 0, max: 4 }), keepConn: fc.boolean() }),
  fc.record({ type: fc.constant(RecordType.AbortRequest), requestId: idArbitrary }),
  fc.record({ type: fc.constantFrom(RecordType.Params, RecordType.Stdin, RecordType.Data, RecordType.Stdout), requestId: idArbitrary, content: fc.oneof(contentArbitrary, fc.constant(new Uint8Array(0))) }),
  fc.record({ type: fc.constant(RecordType.GetValues), requestId: fc.constant(0), pairs: fc.array(fc.tuple(fc.constantFrom('FCGI_MAX_CONNS', 'FCGI_MPXS_CONNS', 'X'), fc.constant('')), { maxLength: 3 }) }),
  fc.record({ type: fc.constant('unknown' as const), rawType: fc.integer({ min: 12, max: 255 }), requestId: idArbitrary, content: contentArbitrary }),
);

describe('no input crashes the server', () => {
  it('survives arbitrary record sequences and arbitrary bytes, and keeps serving', async () => {
    const { port, requestErrors, connectionErrors } = await startServer({ paramsTimeout: 200, idleTimeout: 500 }, async (req, res) => {
      for await (const _chunk of req) { /* drain */ }
      res.end('ok');
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof({ weight: 5, arbitrary: recordArbitrary.map((record) => encodeRecord(record)) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }) }), { maxLength: 25 }), async (pieces) => {
        const client = await TestClient.connect(port);
        client.send(...pieces);
        await Promise.race([client.closed, delay(30)]);
        client.socket.destroy();
      }),
      { numRuns: 150 },
    );
    expect(requestErrors).toEqual([]);
    for (const error of connectionErrors) expect((error as { code?: string }).code).toMatch(/^ERR_FCGI_/);
    const client = await TestClient.connect(port);
    expect((await client.fetch(1, { params: baseParams('/after-fuzz') })).body.toString()).toBe('ok');
  }, 60_000);
});
