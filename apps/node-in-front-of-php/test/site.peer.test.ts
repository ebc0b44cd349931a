// The app with a real php-fpm pool: the shared checks, what php-fpm itself saw, and the
// `start` script run as a user runs it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { requirePeers } from '@fcgi/test-peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite } from '../src/site.js';
import { siteChecks } from './site-checks.js';

const peers = requirePeers('php-fpm');
const mainScript = fileURLToPath(new URL('../src/main.js', import.meta.url));

/** The environment with php-fpm visible, whatever FCGI_HIDE_PEERS says outside. */
function environmentWithPhp(): NodeJS.ProcessEnv {
  const environment = { ...process.env };
  delete environment['FCGI_HIDE_PEERS'];
  return environment;
}

describe.skipIf(!peers.available)(peers.title('Fastify in front of php-fpm'), () => {
  let site: Awaited<ReturnType<typeof startSite>> | undefined;
  const logLines: string[] = [];

  beforeAll(async () => {
    site = await startSite({ port: 0, workers: 2, log: (line) => logLines.push(line) });
  });

  afterAll(async () => {
    await site?.stop();
  });

  it('runs the site on php-fpm, not on the stand-in', () => {
    expect(site!.backend.name).toBe('php-fpm');
    expect(site!.backend.note).toBeUndefined();
  });

  siteChecks(() => site!.url, /^PHP 8\.\d+\.\d+ \(fpm-fcgi\)$/);

  it('sent php-fpm only the site\'s requests (its own access log), never the API or static ones', async () => {
    const log = await readFile(site!.backend.phpFpm!.accessLog, 'utf8');
    expect(log).toContain('GET /hello/ada?from=test 200');
    expect(log).toContain('POST /guestbook 303');
    expect(log).toContain('GET /no-such-page 404');
    expect(log).not.toContain('/api/');
    expect(log).not.toContain('/assets/');
    expect(logLines.some((line) => line.startsWith('GET /assets/style.css 200 ')), logLines.join('\n')).toBe(true); // Fastify's log
  });
});

describe.skipIf(!peers.available)(peers.title('pnpm --filter @fcgi/app-node-in-front-of-php start'), () => {
  it('starts php-fpm and Fastify, prints the URLs, serves, and stops both on Ctrl-C', async () => {
    const child = spawn(process.execPath, [mainScript], { env: { ...environmentWithPhp(), PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!output.includes('Ctrl-C')) output += (await once(child.stdout, 'data'))[0] as string;
      const url = /Fastify on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
      const socket = /php-fpm pool at unix:(\S+)/.exec(output)![1]!;
      expect(output).toContain(`${url}/api/health`);
      expect(output).not.toContain('stands in for PHP');
      const response = await fetch(`${url}/hello/ada`, { signal: AbortSignal.timeout(10_000) });
      expect(await response.text()).toContain('<h1>Hello, ada</h1>');
      child.kill('SIGINT');
      expect(await once(child, 'exit')).toEqual([0, null]);
      expect(existsSync(socket)).toBe(false); // php-fpm stopped and its run directory removed
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('--once sends its requests through php-fpm and exits 0', async () => {
    const child = spawn(process.execPath, [mainScript, '--once'], { env: environmentWithPhp(), stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    try {
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code, output).toBe(0);
      expect(output).toContain('8 of 8 requests as expected.');
      expect(output).toMatch(/GET {2}\/hello\/ada +200 .*\[PHP 8\.\d+\.\d+ \(fpm-fcgi\)\]: ok/);
    } finally {
      clearTimeout(timer);
    }
  });
});
