/**
 * Colour in human output: only on a terminal, never when piped, off with NO_COLOR, forced
 * by FORCE_COLOR. Checked in-process (captured streams that say whether they are a TTY)
 * and through the built executable (real pipes).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer } from '@fcgi/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colourEnabled, paintText } from '../src/colour.js';
import { main } from '../src/index.js';
import { captureIo } from './support/io.js';
import { type TinyApp, startTinyApp } from './support/tiny-app.js';

const escape = '\u001B[';
const stripEscapes = (text: string): string => text.split(escape).map((piece, index) => (index === 0 ? piece : piece.replace(/^\d+m/, ''))).join('');
const red = (text: string): string => `\u001B[1m\u001B[31m${text}\u001B[39m\u001B[22m`;

async function fcgi(argv: string[], options: { outputIsTTY: boolean; env?: Record<string, string> }): Promise<{ status: number; stdout: string; stderr: string }> {
  const captured = captureIo(options);
  const status = await main(argv, captured.io);
  return { status, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('colourEnabled', () => {
  const terminal = { write: () => true, isTTY: true };
  const pipe = { write: () => true, isTTY: false };

  it('is on for a terminal and off for a pipe', () => {
    expect(colourEnabled(terminal, {})).toBe(true);
    expect(colourEnabled(pipe, {})).toBe(false);
    expect(colourEnabled({ write: () => true }, {})).toBe(false); // a stream that does not say
  });

  it('is off with a non-empty NO_COLOR, even on a terminal', () => {
    expect(colourEnabled(terminal, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled(terminal, { NO_COLOR: '' })).toBe(true);
  });

  it('follows FORCE_COLOR first, both ways', () => {
    expect(colourEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourEnabled(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(colourEnabled(terminal, { FORCE_COLOR: '0' })).toBe(false);
    expect(colourEnabled(terminal, { FORCE_COLOR: 'false' })).toBe(false);
    expect(colourEnabled(pipe, { FORCE_COLOR: '' })).toBe(false);
  });

  it('paints with matching on and off codes', () => {
    expect(paintText('ok', ['green'])).toBe('\u001B[32mok\u001B[39m');
    expect(paintText('FAIL', ['red', 'bold'])).toBe(red('FAIL'));
  });
});

describe('fcgi conformance table', () => {
  let server: ReturnType<typeof createServer>;
  let address = '';

  beforeAll(async () => {
    server = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('colours each result and the summary on a terminal', async () => {
    const result = await fcgi(['conformance', address], { outputIsTTY: true });
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').find((line) => line.startsWith('get-values '))).toContain(`MUST    ${escape}32mok${escape}39m `);
    expect(result.stdout).toContain(`${address}: \u001B[32mevery MUST holds (15 of 15 checks ok)\u001B[39m`);
  });

  it('prints no escape code when piped, or with NO_COLOR on a terminal', async () => {
    const piped = await fcgi(['conformance', address], { outputIsTTY: false });
    const noColour = await fcgi(['conformance', address], { outputIsTTY: true, env: { NO_COLOR: '1' } });
    for (const result of [piped, noColour]) {
      expect(result.stdout).toMatch(/^get-values\s+MUST\s+ok\s+/m);
      expect(result.stdout).not.toContain(escape);
    }
    // Colour changes nothing else: the columns line up the same.
    const coloured = await fcgi(['conformance', address], { outputIsTTY: true });
    expect(stripEscapes(coloured.stdout)).toBe(piped.stdout);
  });
});

describe('fcgi request --include and error lines', () => {
  let app: TinyApp | undefined;

  beforeAll(async () => {
    app = await startTinyApp(() => ({ stdout: 'Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno such page' }));
  });

  afterAll(async () => {
    await app?.close();
  });

  it('colours the status line by class and bolds header names on a terminal; the body stays as sent', async () => {
    const result = await fcgi(['request', app!.address, '/missing', '-i'], { outputIsTTY: true });
    expect(result.stdout).toBe('\u001B[1m\u001B[33mHTTP/1.1 404 Not Found\u001B[39m\u001B[22m\r\n\u001B[1mContent-Type\u001B[22m: text/plain\r\n\r\nno such page');
  });

  it('prints the plain head when piped', async () => {
    const result = await fcgi(['request', app!.address, '/missing', '-i'], { outputIsTTY: false });
    expect(result.stdout).toBe('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno such page');
  });

  it('colours the prefix of error lines on a terminal stderr only', async () => {
    const failed = await fcgi(['request', app!.address, '/missing', '--fail'], { outputIsTTY: true });
    expect([failed.status, failed.stderr]).toEqual([22, `${red('fcgi request:')} the app answered 404 Not Found\n`]);
    const usage = await fcgi(['request'], { outputIsTTY: true });
    expect(usage.stderr.startsWith(`${red('fcgi request:')} `)).toBe(true);
    const plain = await fcgi(['request'], { outputIsTTY: false });
    expect(plain.stderr.startsWith('fcgi request: ')).toBe(true);
    expect(plain.stderr).not.toContain(escape);
  });
});

describe('the fcgi executable on real pipes', () => {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { bin: { fcgi: string } };
  const bin = fileURLToPath(new URL(`../${packageJson.bin.fcgi}`, import.meta.url));

  /** Runs the bin with stdout and stderr piped, and the given colour variables only. */
  function runBin(args: string[], colourVariables: Record<string, string>): Promise<string> {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined && name !== 'FORCE_COLOR' && name !== 'NO_COLOR') env[name] = value;
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...colourVariables } });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', () => resolve(stderr));
    });
  }

  it('writes no escape code to a pipe, unless FORCE_COLOR asks', async () => {
    expect(await runBin(['decode', '--colour'], {})).toBe("fcgi decode: unknown option '--colour' (see 'fcgi decode --help')\n");
    expect(await runBin(['decode', '--colour'], { FORCE_COLOR: '1' })).toBe(`${red('fcgi decode:')} unknown option '--colour' (see 'fcgi decode --help')\n`);
  });
});
