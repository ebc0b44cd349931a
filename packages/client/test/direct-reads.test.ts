import { describe, expect, it } from 'vitest';
import type { FakeHandler } from './support/fake-app.js';
import { useFakeAppClients } from './support/fake-app-clients.js';

const { setup } = useFakeAppClients();

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Answers with five 1000-byte pieces of the letter in param FILL, 10 ms apart: many reads per response. */
const piecemeal: FakeHandler = async (request, connection) => {
  const fill = request.params.FILL ?? '?';
  connection.stdout(request.requestId, 'Content-Type: text/plain\r\n\r\n');
  for (let piece = 0; piece < 5; piece++) {
    connection.stdout(request.requestId, Buffer.alloc(1000, fill));
    await wait(10);
  }
  connection.end(request.requestId);
};

describe('direct reads (connections the client opens)', () => {
  it('keeps every read of a response although all connections read into one shared buffer', async () => {
    const { client } = await setup(piecemeal, { connections: 3 });
    // Three responses on three connections, read in full only at the end: each earlier read
    // was made in the buffer the later reads (of all three connections) reuse.
    const responses = await Promise.all(['a', 'b', 'c'].map((fill) => client.request({ params: { FILL: fill } })));
    const bodies = await Promise.all(responses.map((response) => response.text()));
    expect(bodies).toEqual(['a'.repeat(5000), 'b'.repeat(5000), 'c'.repeat(5000)]);
  });
});
