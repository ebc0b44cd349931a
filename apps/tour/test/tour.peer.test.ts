import { existsSync } from 'node:fs';
import { requirePeers } from '@fcgi/test-peers';
import { beforeAll, describe, expect, it } from 'vitest';
import { answers, runTourOnce, startTour, stepBlock, tourEnvironment } from './run-tour.js';

const peers = requirePeers('nginx', 'php-fpm');
// Whatever FCGI_HIDE_PEERS says outside, this file runs the tour with every peer visible.
const withPeers = tourEnvironment('');

describe.skipIf(!peers.available)(peers.title('pnpm demo --once with nginx and php-fpm installed'), () => {
  let run: ReturnType<typeof runTourOnce>;
  beforeAll(() => {
    run = runTourOnce(withPeers); // started here, not at collection: a skipped suite starts nothing
  });

  it('exits 0 after six passing steps, with nginx as the front and php-fpm started', async () => {
    const { code, output } = await run;
    expect(output).toContain('6 of 6 steps ok.');
    expect(code, output).toBe(0);
    expect(output).toMatch(/^ {2}front {4}nginx on http:\/\/127\.0\.0\.1:\d+: \S*nginx, fastcgi_keep_conn on, config in \S+/m);
    expect(output).toMatch(/^ {2}php {6}Node gateway on http:\/\/127\.0\.0\.1:\d+ -> php-fpm \(\S*php-fpm\S*\) on unix:\S+php-fpm\.sock/m);
    expect(output).not.toContain('note ');
    expect(output).not.toContain('FAILED');
  });

  it('sent the Express requests through nginx: the app saw nginx\'s SERVER_SOFTWARE, the client its Server header', async () => {
    const { output } = await run;
    for (const number of [1, 2, 3]) {
      const block = stepBlock(output, number);
      expect(block).toMatch(/hop {5}nginx -> FastCGI 127\.0\.0\.1:\d+ -> Express \(the app saw SERVER_SOFTWARE=nginx\/1\.\d+\.\d+\)/);
      expect(block).toMatch(/server: nginx\/1\.\d+\.\d+/);
    }
    expect(stepBlock(output, 2)).toContain('status  201 Created');
  });

  it('streamed through nginx (X-Accel-Buffering: no): the lines arrived in pieces', async () => {
    expect(stepBlock((await run).output, 3)).toMatch(/3\. a streamed response \(five lines, 100 ms apart\): ok\n[\s\S]*arrived in [2-9] pieces/);
  });

  it('ran the PHP page in php-fpm behind the Node gateway', async () => {
    const block = stepBlock((await run).output, 6);
    expect(block).toContain('6. a PHP page from php-fpm, behind the Node gateway: ok');
    expect(block).toMatch(/hop {5}Node gateway -> FastCGI unix:\S+ -> php-fpm \(PHP 8\.\d+\.\d+\)/);
    expect(block).toMatch(/body {4}Hello, tour, from PHP 8\.\d+\.\d+ \(php-fpm\)/);
    expect(block).toContain('SCRIPT_NAME=/hello.php SERVER_SOFTWARE=fcgi-gateway');
  });

  it('removed nginx\'s and php-fpm\'s run directories and stopped both', async () => {
    const { output } = await run;
    const nginxDirectory = /config in (\S+)/.exec(output)![1]!;
    const phpSocket = /on unix:(\S+php-fpm\.sock)/.exec(output)![1]!;
    expect(existsSync(nginxDirectory)).toBe(false);
    expect(existsSync(phpSocket)).toBe(false);
    const nginxUrl = /^ {2}curl (http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(output)![1]!;
    expect(await answers(`${nginxUrl}/`)).toBe(false);
  });
});

describe.skipIf(!peers.available)(peers.title('pnpm demo (serving) with nginx and php-fpm'), () => {
  it('serves through nginx and php-fpm until SIGTERM, then stops them and exits 0', async () => {
    const tour = startTour([], withPeers);
    try {
      const output = await tour.waitFor('Serving until Ctrl-C.', 40_000);
      const nginxUrl = /^ {2}curl (http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(output)![1]!;
      const phpUrl = /^ {2}curl '(http:\/\/127\.0\.0\.1:\d+)\/hello\.php\?name=you'$/m.exec(output)![1]!;
      const express = await fetch(`${nginxUrl}/`, { signal: AbortSignal.timeout(5_000) });
      expect(express.headers.get('server')).toMatch(/^nginx\//);
      const php = await fetch(`${phpUrl}/hello.php?name=test`, { signal: AbortSignal.timeout(5_000) });
      expect(await php.text()).toContain('Hello, test, from PHP');
      tour.child.kill('SIGTERM');
      expect(await tour.exited).toBe(0);
      expect(await answers(`${nginxUrl}/`)).toBe(false);
      expect(existsSync(/on unix:(\S+php-fpm\.sock)/.exec(output)![1]!)).toBe(false);
    } finally {
      tour.child.kill('SIGKILL');
    }
  });
});
