/** `fcgi conformance` against an in-test @fcgi/server (conforms) and a broken mock backend (does not). */
import { createMockBackend } from '@fcgi/harness';
import { createServer } from '@fcgi/server';
import { describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { captureIo } from './support/io.js';

async function fcgi(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const captured = captureIo();
  const status = await main(argv, captured.io);
  return { status, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('fcgi conformance', () => {
  it('prints one row per check and exits 0 against @fcgi/server', async () => {
    const server = createServer((req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const result = await fcgi(['conformance', `127.0.0.1:${port}`]);
      expect(result.status).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines[0]).toMatch(/^check\s+level\s+result\s+detail$/);
      expect(lines).toContainEqual(expect.stringMatching(/^get-values\s+MUST\s+ok\s+/));
      expect(lines).toContainEqual(expect.stringMatching(/^unknown-role\s+SHOULD\s+ok\b/));
      expect(lines.filter((line) => /^\S+\s+(MUST|SHOULD)\s/.test(line))).toHaveLength(15);
      expect(result.stdout).toContain(`127.0.0.1:${port}: every MUST holds (15 of 15 checks ok)`);
      expect(result.stderr).toBe('');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('exits 1 and marks the failed MUST against a backend that breaks the protocol; --skip and --json', async () => {
    const backend = await createMockBackend({ respond: { body: 'hi', omitEmptyStdout: true } });
    try {
      const table = await fcgi(['conformance', backend.address, '--skip', 'multiplexing,abort-request', '--timeout', '1000']);
      expect(table.status).toBe(1);
      expect(table.stdout).toMatch(/^streams-ended\s+MUST\s+FAIL\s+END_REQUEST came without an empty STDOUT record/m);
      expect(table.stdout).toMatch(/^multiplexing\s+MUST\s+skipped/m);
      expect(table.stdout).toMatch(/: 1 MUST check failed\n$/);
      const json = await fcgi(['conformance', backend.address, '--skip', 'multiplexing', '--skip', 'abort-request', '--json', '--timeout', '1000']);
      expect(json.status).toBe(1);
      const report = JSON.parse(json.stdout) as { passed: boolean; checks: { id: string; ok: boolean; skipped: boolean }[] };
      expect(report.passed).toBe(false);
      expect(report.checks.find((check) => check.id === 'streams-ended')).toMatchObject({ ok: false, skipped: false });
    } finally {
      await backend.close();
    }
  });

  it('rejects an unknown check id and an unknown profile in one line with exit 2', async () => {
    const unknownCheck = await fcgi(['conformance', '127.0.0.1:9', '--skip', 'nope']);
    expect(unknownCheck.status).toBe(2);
    expect(unknownCheck.stderr).toMatch(/^fcgi conformance: --skip: unknown check 'nope'; checks: get-values, [^\n]+\n$/);
    const unknownProfile = await fcgi(['conformance', '127.0.0.1:9', '--profile', 'iis']);
    expect(unknownProfile.status).toBe(2);
    expect(unknownProfile.stderr).toMatch(/^fcgi conformance: --profile must be one of php-fpm, got 'iis'/);
  });
});
