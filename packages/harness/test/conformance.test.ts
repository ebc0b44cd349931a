import { type FastCgiServer, createServer } from '@fcgi/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFORMANCE_CHECKS, type ConformanceReport, type MockScript, createMockBackend, runConformance } from '../src/index.js';
import { closeServer, listenLocal } from './listen-local.js';

/** Reads the body, then answers: an app that exercises every stream. */
function listener(server: FastCgiServer): FastCgiServer {
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.writeStderr('conformance run\n');
      res.end(`got ${Buffer.concat(chunks).length} bytes`);
    });
  });
  return server;
}

function failing(report: ConformanceReport): string[] {
  return report.checks.filter((check) => !check.ok && !check.skipped).map((check) => check.id);
}

async function againstMock(script: MockScript, timeout = 300): Promise<ConformanceReport> {
  const backend = await createMockBackend(script);
  try {
    return await runConformance(backend.address, { timeout, settle: 100 });
  } finally {
    await backend.close();
  }
}

describe('runConformance against @fcgi/server', () => {
  const server = listener(createServer());
  let address = '';

  beforeAll(async () => {
    address = await listenLocal(server);
  });

  afterAll(async () => {
    await closeServer(server);
  });

  it('passes every check, MUST and SHOULD, with one entry per check', async () => {
    const report = await runConformance(address);
    expect(failing(report)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.address).toBe(address);
    expect(report.checks.map((check) => check.id)).toEqual(CONFORMANCE_CHECKS.map((check) => check.id));
    for (const check of report.checks) {
      expect(check.level).toMatch(/^(MUST|SHOULD)$/);
      expect(check.section).toMatch(/^§\d\.\d$/);
      expect(check.detail.length).toBeGreaterThan(0);
    }
    expect(report.checks.find((check) => check.id === 'streams-ended')!.detail).toBe('empty STDOUT and empty STDERR');
    expect(report.checks.find((check) => check.id === 'multiplexing')!.detail).toContain('2: REQUEST_COMPLETE');
  });

  it('passes with multiplexing off, by refusing the second request with CANT_MPX_CONN', async () => {
    const single = listener(createServer({ multiplex: false }));
    const singleAddress = await listenLocal(single);
    try {
      const report = await runConformance(singleAddress, { only: ['multiplexing', 'get-values'] });
      expect(report.passed).toBe(true);
      expect(report.checks.find((check) => check.id === 'multiplexing')!.detail).toContain('2: CANT_MPX_CONN');
      expect(report.checks.find((check) => check.id === 'get-values')!.detail).toContain('FCGI_MPXS_CONNS=0');
    } finally {
      await closeServer(single);
    }
  });

  it('skips checks by id, and rejects unknown ids and bad limits with coded errors', async () => {
    const report = await runConformance(address, { skip: ['abort-request', 'padding'] });
    const skipped = report.checks.filter((check) => check.skipped).map((check) => check.id);
    expect(skipped).toEqual(['abort-request', 'padding']);
    expect(report.checks.find((check) => check.id === 'padding')).toMatchObject({ ok: false, skipped: true });
    expect(report.passed).toBe(true);
    await expect(runConformance(address, { skip: ['no-such-check'] })).rejects.toMatchObject({ code: 'ERR_FCGI_HARNESS_INVALID_OPTION' });
    await expect(runConformance(address, { timeout: 0 })).rejects.toMatchObject({ code: 'ERR_FCGI_HARNESS_INVALID_OPTION' });
  });
});

describe('runConformance against deliberately broken apps (mocks) fails the right checks', () => {
  it('a well-behaved mock passes every check', async () => {
    const report = await againstMock({ respond: { body: 'fine', stderr: 'note' } });
    expect(failing(report)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checks.find((check) => check.id === 'multiplexing')!.detail).toContain('2: CANT_MPX_CONN');
    const multiplexing = await againstMock({ mpxsConns: 1, respond: { body: 'fine', padding: 'random', recordSize: 3 } });
    expect(failing(multiplexing)).toEqual([]);
    expect(multiplexing.checks.find((check) => check.id === 'multiplexing')!.detail).toContain('2: REQUEST_COMPLETE');
  });

  it.each([
    ['no GET_VALUES answer', { values: false }, ['get-values']],
    ['no UNKNOWN_TYPE answer', { unknownType: false }, ['unknown-type']],
    ['no empty STDOUT (as php-fpm)', { respond: { body: 'x', omitEmptyStdout: true } }, ['streams-ended']],
    ['closes even with KEEP_CONN', { keepConn: 'always-close' }, ['keep-conn-on']],
    ['never closes without KEEP_CONN', { keepConn: 'never-close' }, ['keep-conn-off']],
    ['ignores ABORT_REQUEST', { respond: { body: 'x', ignoreAbort: true } }, ['abort-request']],
    ['sends a record after END_REQUEST', { respond: { body: 'x', recordsAfterEnd: true } }, ['no-records-after-end']],
  ] as const)('%s', async (_name, script, expected) => {
    const report = await againstMock(script);
    expect(failing(report)).toEqual(expected);
    expect(report.passed).toBe(false);
  });

  it('an app answering OVERLOADED fails every check that needs a response', async () => {
    const report = await againstMock({ respond: { protocolStatus: 'overloaded' } });
    expect(failing(report)).toEqual(expect.arrayContaining(['request-completes', 'keep-conn-on', 'padding', 'params-split-pair', 'one-byte-records', 'split-writes']));
    expect(report.checks.find((check) => check.id === 'request-completes')!.detail).toContain('protocolStatus 2');
    expect(report.passed).toBe(false);
  });

  it('an app that never answers fails within the bounds of its timeouts', async () => {
    const started = Date.now();
    const report = await againstMock({ respond: { neverAnswer: true }, values: false, unknownType: false }, 100);
    const elapsed = Date.now() - started;
    expect(report.passed).toBe(false);
    expect(report.checks.every((check) => check.durationMs < 100 * 3 + 100 * 2 + 200)).toBe(true);
    expect(elapsed).toBeLessThan(10_000);
    expect(report.checks.find((check) => check.id === 'get-values')!.detail).toContain('within 100 ms');
  });

  it('a profile reports known deviations without failing the run', async () => {
    const backend = await createMockBackend({ respond: { body: 'x', omitEmptyStdout: true } });
    try {
      const report = await runConformance(backend.address, { profile: 'php-fpm', timeout: 300, settle: 100 });
      const streams = report.checks.find((check) => check.id === 'streams-ended')!;
      expect(streams.ok).toBe(false);
      expect(streams.knownDeviation).toContain('empty STDOUT');
      expect(report.passed).toBe(true);
    } finally {
      await backend.close();
    }
  });
});
