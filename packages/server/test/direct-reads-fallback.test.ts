import { describe, expect, it, vi } from 'vitest';
import { TestClient, startServer } from './support/harness.js';

// Fault injection: a Node whose accepted sockets cannot be adopted (another internal shape).
vi.mock('../src/direct-reads.js', () => ({ adoptForDirectReads: () => undefined }));

describe('direct reads unavailable', () => {
  it('serves the accepted socket as a stream instead (it was paused on accept)', async () => {
    const { port } = await startServer({}, (req, res) => res.end(`ok ${req.url ?? ''}`));
    const client = await TestClient.connect(port);
    expect((await client.fetch(1)).body.toString()).toBe('ok /');
    expect((await client.fetch(2)).body.toString()).toBe('ok /');
  });
});
