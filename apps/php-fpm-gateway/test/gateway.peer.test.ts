import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { curl, requirePeers } from '@fcgi/test-peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite } from '../src/site-server.js';

const peers = requirePeers('php-fpm', 'curl');
const mainScript = fileURLToPath(new URL('../src/main.js', import.meta.url));
const styleSheet = fileURLToPath(new URL('../site/assets/style.css', import.meta.url));

describe.skipIf(!peers.available)(peers.title('the Node gateway in front of php-fpm'), () => {
  let site: Awaited<ReturnType<typeof startSite>> | undefined;
  const logLines: string[] = [];

  /** The requests php-fpm itself ran, from its access log (`METHOD REQUEST_URI STATUS`). */
  async function phpAccessLog(): Promise<string> {
    return readFile(site!.phpFpm!.accessLog, 'utf8');
  }

  beforeAll(async () => {
    site = await startSite({ port: 0, maxChildren: 2, log: (line) => logLines.push(line) });
  });

  afterAll(async () => {
    await site?.stop();
  });

  it('serves / from the front controller, with REMOTE_ADDR the HTTP client (127.0.0.2)', async () => {
    const response = await curl(`${site!.url}/`);
    const html = response.body.toString();
    expect(response.status, html).toBe(200);
    // PHP's spelling of the name is passed on, as nginx does.
    expect(response.headers).toContain('X-Front-Controller: index.php');
    expect(html).toContain('<title>A tiny PHP site</title>');
    expect(html).toContain('<a href="/blog/hello-world">Hello, world</a>');
    expect(html).toContain('REQUEST_URI=/ SCRIPT_NAME=/index.php PATH_INFO= REMOTE_ADDR=127.0.0.2 SERVER_SOFTWARE=fcgi-gateway');
  });

  it('routes a pretty URL to index.php with the path in PATH_INFO and REQUEST_URI untouched', async () => {
    const response = await curl(`${site!.url}/blog/hello-world/?ref=test`);
    const html = response.body.toString();
    expect(response.status, html).toBe(200);
    expect(html).toContain('<h1>Hello, world</h1>');
    expect(html).toContain('REQUEST_URI=/blog/hello-world/?ref=test SCRIPT_NAME=/index.php PATH_INFO=/blog/hello-world ');
  });

  it('passes an explicit /index.php/PATH straight to PHP', async () => {
    const response = await curl(`${site!.url}/index.php/blog/fastcgi`);
    expect(response.status).toBe(200);
    expect(response.body.toString()).toContain('REQUEST_URI=/index.php/blog/fastcgi SCRIPT_NAME=/index.php PATH_INFO=/blog/fastcgi ');
  });

  it('posts a form to PHP ($_POST) and passes PHP\'s error_log() line on as STDERR', async () => {
    const response = await curl(`${site!.url}/contact`, { args: ['--data', 'name=Ada+Lovelace&message=%3Chi%3E'] });
    const html = response.body.toString();
    expect(response.status, html).toBe(200);
    expect(html).toContain('<p>Thank you, Ada Lovelace. We read: <q>&lt;hi&gt;</q></p>');
    expect(logLines).toContain('php: PHP message: contact form from Ada Lovelace');
    const rejected = await curl(`${site!.url}/contact`, { args: ['--data', 'message=anonymous'] });
    expect(rejected.status).toBe(422);
  });

  it('serves the static CSS file from Node, byte for byte, without asking PHP', async () => {
    const response = await curl(`${site!.url}/assets/style.css`);
    expect(response.status).toBe(200);
    expect(response.headers).toContain('Content-Type: text/css; charset=utf-8');
    expect(response.body.equals(await readFile(styleSheet))).toBe(true);
    const head = await curl(`${site!.url}/assets/style.css`, { method: 'HEAD', args: ['--head'] });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('answers 404 for an unknown page (from PHP) and for a missing script (from Node)', async () => {
    const page = await curl(`${site!.url}/no-such-page`);
    expect(page.status).toBe(404);
    expect(page.body.toString()).toContain('<p>No page at /no-such-page.</p>');
    const script = await curl(`${site!.url}/missing.php`);
    expect(script.status).toBe(404);
    expect(script.headers.some((line) => /^x-front-controller:/i.test(line))).toBe(false);
    expect(script.body.toString()).toBe('Not Found\n');
  });

  it('refuses the CVE-2019-11043 newline path and a path out of the site before PHP sees them', async () => {
    const exploit = await curl(`${site!.url}/index.php/PHP%0Ais_the_shittiest_lang.php?a`);
    expect(exploit.status).toBe(404);
    expect(exploit.body.toString()).toBe('Not Found\n');
    const escape = await curl(`${site!.url}/assets/../../config/php.ini`, { args: ['--path-as-is'] });
    expect(escape.status).toBe(400);
    expect(escape.body.toString()).not.toContain('expose_php');
  });

  it('sent php-fpm only the PHP requests (its own access log)', async () => {
    const log = await phpAccessLog();
    expect(log).toContain('GET /blog/hello-world/?ref=test 200');
    expect(log).toContain('POST /contact 200');
    expect(log).toContain('GET /no-such-page 404');
    expect(log).not.toContain('style.css');
    expect(log).not.toContain('shittiest');
    expect(log).not.toContain('missing.php');
  });
});

describe.skipIf(!peers.available)(peers.title('pnpm --filter @fcgi/app-php-fpm-gateway start'), () => {
  it('starts php-fpm and the gateway, prints the URLs, serves, and stops both on Ctrl-C', async () => {
    const child = spawn(process.execPath, [mainScript], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!output.includes('Ctrl-C')) output += (await once(child.stdout, 'data'))[0] as string;
      const url = /Node gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
      const socket = /php-fpm at unix:(\S+)/.exec(output)![1]!;
      expect(output).toContain(`curl ${url}/blog/hello-world`);
      const response = await curl(`${url}/blog/fastcgi`);
      expect(response.status).toBe(200);
      expect(response.body.toString()).toContain('<h1>Why FastCGI</h1>');
      child.kill('SIGINT');
      expect(await once(child, 'exit')).toEqual([0, null]);
      expect(existsSync(socket)).toBe(false); // php-fpm stopped and its run directory removed
    } finally {
      child.kill('SIGKILL');
    }
  });
});
