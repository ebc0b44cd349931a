import { RecordType } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { TestClient, baseParams, startServer } from './support/harness.js';

describe('hostile GET_VALUES (issue 9)', () => {
  it('answers each known name once, however often the query repeats it', async () => {
    const { port } = await startServer({ maxConnections: 7 }, (_req, res) => res.end('ok'));
    const client = await TestClient.connect(port);
    const repeated: [string, string][] = Array.from({ length: 90 }, (_, index) => [['FCGI_MAX_CONNS', 'FCGI_MPXS_CONNS', 'FCGI_NOPE'][index % 3] as string, '']);
    client.send({ type: RecordType.GetValues, requestId: 0, pairs: repeated });
    const result = await client.waitFor((record) => record.type === RecordType.GetValuesResult);
    const pairs = (result as unknown as { pairs: { name: string; value: string }[] }).pairs.map((pair) => [pair.name, pair.value]);
    expect(pairs).toEqual([['FCGI_MAX_CONNS', '7'], ['FCGI_MPXS_CONNS', '1']]);
    expect((await client.fetch(1, { params: baseParams('/after') })).body.toString()).toBe('ok');
  });
});
