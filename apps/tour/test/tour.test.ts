import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPeer } from '@fcgi/app-support/processes';
import type { Stack } from '../src/stack.js';
import { runTour } from '../src/tour.js';
import { answers, runTourOnce, startTour, stepBlock, tourEnvironment } from './run-tour.js';

// No nginx, no php-fpm: FCGI_HIDE_PEERS makes the tour take its fallback paths, as on a
// machine where they are not installed.
const withoutPeers = tourEnvironment('nginx,php-fpm');

describe('pnpm demo --once without nginx and php-fpm', () => {
  let run: ReturnType<typeof runTourOnce>;
  beforeAll(() => {
    run = runTourOnce(withoutPeers); // started here, not at collection: a skipped suite starts nothing
  });

  it('exits 0 after five passing steps, and says which front it used and what it skipped', async () => {
    const { code, output } = await run;
    expect(output).toContain('5 of 5 steps ok.');
    expect(code, output).toBe(0);
    expect(output).toMatch(/^ {2}front {4}Node gateway on http:\/\/127\.0\.0\.1:\d+: createGateway from @fcgi\/client/m);
    expect(output).toContain('note     nginx is hidden by FCGI_HIDE_PEERS: the Node gateway (createGateway) stands in for it');
    expect(output).toContain('php      skipped: php-fpm is hidden by FCGI_HIDE_PEERS');
    expect(output).not.toContain('FAILED');
  });

  it('prints a GET through the Node gateway: method, URL, hop, status, headers, body', async () => {
    const block = stepBlock((await run).output, 1);
    expect(block).toMatch(/^1\. a JSON page from Express: ok\n {3}GET http:\/\/127\.0\.0\.1:\d+\/\?from=tour\n/);
    expect(block).toMatch(/hop {5}Node gateway -> FastCGI 127\.0\.0\.1:\d+ -> Express \(the app saw SERVER_SOFTWARE=fcgi-gateway\)/);
    expect(block).toContain('status  200 OK');
    expect(block).toContain('headers content-type: application/json; charset=utf-8');
    expect(block).toContain('body    {"hello":"from Express over FastCGI","front":"fcgi-gateway"');
  });

  it('prints a POST whose JSON body reached Express and came back with 201 and Location', async () => {
    const block = stepBlock((await run).output, 2);
    expect(block).toContain('POST http://127.0.0.1:');
    expect(block).toContain('status  201 Created');
    expect(block).toContain('location: /notes/1');
    expect(block).toContain('body    {"id":1,"text":"FastCGI carries request bodies as STDIN"}');
  });

  it('shows the streamed response arriving in pieces, not at once', async () => {
    const block = stepBlock((await run).output, 3);
    expect(block).toContain('3. a streamed response (five lines, 100 ms apart): ok');
    expect(block).toMatch(/arrived in [2-9] pieces, at \+\d+/);
    expect(block).toContain('line 5 of 5');
  });

  it('shows the authorizer denying without a token (401) and allowing with one, with its Variable-* values', async () => {
    const { output } = await run;
    const deny = stepBlock(output, 4);
    expect(deny).toMatch(/AUTHORIZER fcgi:\/\/127\.0\.0\.1:\d+\/admin\/report/);
    expect(deny).toContain('role AUTHORIZER -> the Express authorizer');
    expect(deny).toContain('status  401 Unauthorized');
    expect(deny).toContain('answer  deny');
    const allow = stepBlock(output, 5);
    expect(allow).toContain('status  200 OK');
    expect(allow).toContain('sent    Authorization: Bearer ada-token');
    expect(allow).toContain('answer  allow, Variable-* values: TOUR_USER=ada TOUR_TEAM=ops');
  });

  it('prints the URLs to curl, and stops every server before exiting', async () => {
    const { output } = await run;
    const url = /^ {2}curl (http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(output)?.[1];
    expect(url, output).toBeDefined();
    expect(output).toContain(`curl -N ${url}/stream`);
    expect(output).not.toContain('hello.php');
    expect(await answers(`${url!}/`)).toBe(false);
  });
});

describe('pnpm demo (serving) without nginx and php-fpm', () => {
  it('keeps serving after the tour and stops cleanly on Ctrl-C (SIGINT), exiting 0', async () => {
    const tour = startTour([], withoutPeers);
    try {
      const output = await tour.waitFor('Serving until Ctrl-C.');
      const url = /^ {2}curl (http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(output)![1]!;
      const response = await fetch(`${url}/?by=test`, { signal: AbortSignal.timeout(5_000) });
      expect(await response.json()).toMatchObject({ hello: 'from Express over FastCGI', query: { by: 'test' } });
      tour.child.kill('SIGINT');
      expect(await tour.exited).toBe(0);
      expect(tour.output()).toContain('SIGINT: stopping everything the tour started.');
      expect(await answers(`${url}/`)).toBe(false);
    } finally {
      tour.child.kill('SIGKILL');
    }
  });

  it('rejects an unknown flag in one line with exit code 2', async () => {
    const tour = startTour(['--nope'], withoutPeers);
    expect(await tour.exited).toBe(2);
    expect(tour.output()).toBe("tour: Unknown option '--nope' (try --help)\n");
  });
});

describe('pnpm demo --once with an nginx and a php-fpm that cannot start', () => {
  it('falls back to the Node gateway, skips PHP, says why, and still passes', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'fcgi-tour-broken-'));
    try {
      for (const name of ['nginx', 'php-fpm8.2']) await writeFile(join(directory, name), `#!/bin/sh\necho "${name}: broken on purpose" >&2\nexit 1\n`, { mode: 0o755 });
      const environment = { ...tourEnvironment(''), PATH: `${directory}${delimiter}${process.env['PATH'] ?? ''}` };
      const { code, output } = await runTourOnce(environment);
      expect(code, output).toBe(0);
      expect(output).toContain('note     nginx is installed but did not start, so the Node gateway stands in: nginx exited (1):');
      expect(output).toContain('php      skipped: php-fpm is installed but did not start: php-fpm exited (1):');
      expect(output).toContain('5 of 5 steps ok.');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('the tour\'s parts', () => {
  it('counts a step that cannot reach its server as failed, printed FAILED with the reason', async () => {
    const closed = { host: '127.0.0.1', port: 1 };
    const stack = { app: { address: closed }, front: { kind: 'gateway', url: 'http://127.0.0.1:1', description: 'nothing there' }, php: { skipped: 'test' }, notes: [] };
    const lines: string[] = [];
    const failed = await runTour(stack as unknown as Stack, (text) => lines.push(text));
    expect(failed).toBe(5);
    const output = lines.join('\n');
    expect(output).toContain('1. a JSON page from Express: FAILED');
    expect(output).toContain('PROBLEM');
    expect(output).toContain('ECONNREFUSED');
    expect(output).toContain('0 of 5 steps ok, 5 FAILED.');
  });

  it('honours FCGI_HIDE_PEERS in its own binary lookup, as @fcgi/test-peers does', () => {
    const saved = process.env['FCGI_HIDE_PEERS'];
    try {
      process.env['FCGI_HIDE_PEERS'] = ' php-fpm , nginx';
      expect(findPeer('nginx', ['nginx'])).toEqual({ reason: 'nginx is hidden by FCGI_HIDE_PEERS' });
      expect(findPeer('php-fpm', ['php-fpm8.2'])).toEqual({ reason: 'php-fpm is hidden by FCGI_HIDE_PEERS' });
      expect(findPeer('no-such-peer', ['no-such-program-here']).reason).toContain('is not installed');
      expect(findPeer('shell', ['sh']).path).toMatch(/\/sh$/);
    } finally {
      if (saved === undefined) delete process.env['FCGI_HIDE_PEERS'];
      else process.env['FCGI_HIDE_PEERS'] = saved;
    }
  });
});
