// Without php-fpm (FCGI_HIDE_PEERS=php-fpm makes it count as missing, as on a machine where
// it is not installed) the app starts the Node stand-in, says so, and the site still answers
// every shared check.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteChecks } from './site-checks.js';

const mainScript = fileURLToPath(new URL('../src/main.js', import.meta.url));
const withoutPhp = { ...process.env, FCGI_HIDE_PEERS: 'php-fpm', PORT: '0' };
const standInLine = 'note: php-fpm is hidden by FCGI_HIDE_PEERS: a Node FastCGI app (@fcgi/server, src/stand-in.js) stands in for PHP and answers the same routes.';

/** Collects a child's stdout and stderr and resolves once `text` appears in them. */
async function waitForOutput(child: ChildProcess, text: string, timeout = 20_000): Promise<string> {
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const deadline = Date.now() + timeout;
  while (!output.includes(text)) {
    if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before printing ${text}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`no ${text} within ${timeout} ms:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return output;
}

describe('the start script without php-fpm: the Node stand-in plays PHP', () => {
  let child: ChildProcess | undefined;
  let output = '';
  let url = '';

  beforeAll(async () => {
    child = spawn(process.execPath, [mainScript], { env: withoutPhp, stdio: ['ignore', 'pipe', 'pipe'] });
    output = await waitForOutput(child, 'Ctrl-C');
    url = /Fastify on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
  });

  afterAll(async () => {
    if (child === undefined || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    await exited;
  });

  it('prints one line saying the stand-in is used, and why', () => {
    expect(output.split('\n')[0]).toBe(standInLine);
    expect(output).not.toContain('php-fpm pool at');
  });

  siteChecks(() => url, /^Node v\d+\.\d+\.\d+ \(@fcgi\/server stand-in\)$/);

  it('reports the stand-in on /api/health', async () => {
    expect(await (await fetch(`${url}/api/health`)).json()).toEqual({ status: 'ok', php: 'node-stand-in' });
  });

  it('stops on Ctrl-C with exit code 0', async () => {
    const exited = once(child!, 'exit');
    child!.kill('SIGINT');
    expect(await exited).toEqual([0, null]);
  });
});

describe('--once without php-fpm', () => {
  it('sends its requests to the stand-in, prints each, and exits 0', async () => {
    const run = spawn(process.execPath, [mainScript, '--once'], { env: withoutPhp, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(run, 'exit');
    const timer = setTimeout(() => run.kill('SIGKILL'), 40_000);
    try {
      const output = await waitForOutput(run, 'requests as expected.');
      expect(await exited).toEqual([0, null]);
      expect(output).toContain(standInLine);
      expect(output).toContain('POST /guestbook         303 -> /guestbook  a form POST, then a redirect: ok');
      expect(output).toContain('8 of 8 requests as expected.');
    } finally {
      clearTimeout(timer);
      run.kill('SIGKILL');
    }
  }, 45_000);
});
