import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayOptions } from '../src/index.js';
import { type FakeApp, type FakeHandler } from './support/fake-app.js';
import { type HttpResult, closeGateways, sendHttp, startGateway } from './support/gateway-setup.js';
import { waitFor } from './support/wait.js';

afterEach(closeGateways);

function setup(handler: FakeHandler, options: Partial<GatewayOptions> = {}): Promise<{ app: FakeApp; port: number }> {
  return startGateway(handler, options, { maxHeaderSize: 256 * 1024 });
}

function get(port: number, headers: Record<string, string> = {}): Promise<HttpResult> {
  return sendHttp(port, '/a.php', { headers });
}

describe('gateway under hostile input (issue 9 regressions)', () => {
  it('answers 431, not 502, to a header too large for one PARAMS record, without asking the app', async () => {
    const { app, port } = await setup((request, connection) => connection.respond(request.requestId, 'A: b', 'ok'));
    const result = await get(port, { 'X-Huge': 'h'.repeat(70_000) });
    expect(result.status).toBe(431);
    expect(app.requests).toHaveLength(0);
    expect((await get(port)).body).toBe('ok');
  });

  it('cuts a STDERR line that never ends into 16 KiB pieces instead of buffering it whole', async () => {
    const lines: string[] = [];
    const { port } = await setup((request, connection) => {
      for (let index = 0; index < 8; index++) connection.stderr(request.requestId, 'x'.repeat(64 * 1024));
      connection.stderr(request.requestId, 'tail\nlast');
      connection.respond(request.requestId, 'A: b', 'ok');
    }, { onStderr: (line) => lines.push(line) });
    expect((await get(port)).body).toBe('ok');
    await waitFor(() => lines.at(-1) === 'last');
    expect(Math.max(...lines.map((line) => line.length))).toBe(16 * 1024);
    expect(lines.join('')).toBe(`${'x'.repeat(512 * 1024)}taillast`);
    expect(lines.at(-2)?.endsWith('tail')).toBe(true);
  });
});
