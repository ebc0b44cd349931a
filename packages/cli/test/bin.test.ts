/** The built executable, spawned as users run it (needs `pnpm build` first, as `pnpm test` does). */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { concatBytes, encodeRecord } from '@fcgi/codec';
import { formatRecords } from '@fcgi/harness';
import { describe, expect, it } from 'vitest';
import { startTinyApp } from './support/tiny-app.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { bin: { fcgi: string } };
const bin = fileURLToPath(new URL(`../${packageJson.bin.fcgi}`, import.meta.url));

function runBin(args: string[], stdin: Uint8Array = new Uint8Array(0)): Promise<{ status: number | null; stdout: string; stderr: string; stdoutBytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes: Buffer.concat(out) }));
    child.stdin.end(stdin);
  });
}

const capture = concatBytes([
  encodeRecord({ type: 1, requestId: 1, role: 1, keepConn: false }),
  encodeRecord({ type: 6, requestId: 1, content: new Uint8Array([0, 1, 2, 255]) }),
  encodeRecord({ type: 3, requestId: 1, appStatus: 0, protocolStatus: 0 }),
]);

describe('the fcgi executable', () => {
  it('starts with a node shebang', () => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('prints help to stdout and exits 0', async () => {
    const result = await runBin(['--help']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^fcgi \d+\.\d+\.\d+ - /);
    expect(result.stdout).toContain('decode');
  });

  it('decodes a capture piped into standard input', async () => {
    expect(await runBin(['decode', '-'], capture)).toMatchObject({ status: 0, stdout: `${formatRecords(capture)}\n`, stderr: '' });
  });

  it('exits 8 with one stderr line for a truncated capture', async () => {
    const result = await runBin(['decode'], capture.subarray(0, capture.length - 1));
    expect(result.status).toBe(8);
    expect(result.stdout.split('\n')).toHaveLength(3);
    expect(result.stderr).toMatch(/^fcgi decode: ERR_FCGI_TRUNCATED_RECORD at byte 32: [^\n]+\n$/);
  });

  it('rejects an unknown flag in one line with exit 2', async () => {
    expect(await runBin(['decode', '--colour'])).toMatchObject({ status: 2, stdout: '', stderr: "fcgi decode: unknown option '--colour' (see 'fcgi decode --help')\n" });
  });

  it('pipes a binary response body to stdout and exits once the request is done', async () => {
    const body = Buffer.from(Array.from({ length: 200_000 }, (_, index) => (index * 7) & 255));
    const app = await startTinyApp(() => ({ stdout: Buffer.concat([Buffer.from('Content-Type: application/octet-stream\r\n\r\n'), body]) }));
    try {
      const result = await runBin(['request', app.address, '/file.bin']);
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdoutBytes.equals(body)).toBe(true);
    } finally {
      await app.close();
    }
  });
});
