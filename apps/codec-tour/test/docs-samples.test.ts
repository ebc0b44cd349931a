/**
 * The docs' code samples are real programs (issue 7: "every code sample in the docs is
 * compiled and run in CI"). The pages checked are every docs/*.md, the root README.md and
 * the README.md of every published package (packages/* not marked private), found by
 * reading the folders: a new page is covered without touching this file. This file proves:
 *
 * 1. every fenced js/ts block of a page is byte-identical to a file in docs/examples/, so
 *    the page and the file cannot drift apart, and every example file appears on a page.
 *    Samples are JavaScript (```js, files *.mjs) because Node 20 cannot run TypeScript: a
 *    ```ts fence is held to the same rule (it must be a runnable .mjs file too), so types
 *    are described in prose and tables, not in code blocks;
 * 2. every relative link of a page (resolved from the page's own folder) points to an
 *    existing file or folder and, for a `page.md#fragment` link, to a heading of that page
 *    (GitHub's anchor rules);
 * 3. every example runs with node, at most EXAMPLE_CONCURRENCY at a time, in one of two ways:
 *    - run to exit (the default): it must exit 0. Examples that would serve forever read
 *      FCGI_EXAMPLE_ONCE=1: they listen on a free loopback port, send one request to
 *      themselves and exit. The test-*.mjs examples are node:test files (node exits non-zero
 *      when one of their tests fails); the *.test.mjs examples import vitest and are run
 *      by vitest (its own process, an empty config). What a run must print is in `printed`
 *      (docs-expectations.ts); examples not listed there need only exit 0;
 *    - served (the examples listed in `served`, docs-expectations.ts): they read their port
 *      from PORT (FastCGI ones from FCGI_LISTEN=127.0.0.1:PORT) and are written as a reader
 *      would run them, with no self-check code. The test starts one, waits until the port
 *      accepts, sends the listed requests (HTTP, or FastCGI through @fcgi/client), checks
 *      the answers, then sends SIGTERM: the example must exit 0 (a graceful close) or die
 *      of that SIGTERM.
 *    Every example gets PHP_FPM (and PHP_FPM_2): the addresses of two `createMockBackend`s
 *    from @fcgi/harness standing in for php-fpm, answering "<SCRIPT_FILENAME> <body>", and
 *    DOCUMENT_ROOT: a folder holding index.php, style.css and legacy/upload.php. A sample
 *    that only makes sense with a real php-fpm reads those variables
 *    (`process.env.PHP_FPM ?? '127.0.0.1:9000'`).
 *
 * Adding a sample: put the file in docs/examples/, the same text in a ```js block of a page,
 * and what it must print (or, for a served one, the requests and answers) in
 * docs-expectations.ts next to this file.
 *
 * How the examples find `@fcgi/*`, `express`, `fastify`, `koa` and `vitest`: Node resolves
 * a bare import from the importing file's location, and no workspace package depends on all
 * of them. So the examples are copied into a temporary folder whose node_modules holds
 * symlinks to packages/<name> (their built dist, so run `pnpm build` first) and to the copy
 * of each npm package a workspace package uses (express and fastify from the adapters, koa
 * from @fcgi/server's tests, vitest from @fcgi/harness, so @fcgi/harness/vitest and the
 * example share one vitest instance). Node follows the symlinks to the real package
 * folders, and their own dependencies resolve from there.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, headingAnchors, relativeLinks, samplePages } from './docs-pages.js';
import { type Probe, printed, served } from './docs-expectations.js';
import { type RunResult, childEnvironment, createLimiter, createSandbox, runServed, runToExit } from './docs-runner.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const examples = join(root, 'docs/examples');
const pages = samplePages(root);

/** Examples running at once: a 2-core machine shared with other work stays responsive. */
const EXAMPLE_CONCURRENCY = 3;
/** Most time one example may take, start to exit. */
const EXAMPLE_TIMEOUT = 60_000;

const exampleFiles = readdirSync(examples).filter((name) => /\.(mjs|js)$/.test(name)).sort();
const exampleTexts = new Map(exampleFiles.map((name) => [name, readFileSync(join(examples, name), 'utf8')]));

describe('docs pages', () => {
  it('covers every guide and every published package README', () => {
    expect(pages).toContain('README.md');
    expect(pages).toContain('docs/getting-started.md');
    expect(pages).toEqual(expect.arrayContaining(['codec', 'server', 'client', 'express', 'fastify', 'harness', 'cli', 'peers'].map((name) => `packages/${name}/README.md`)));
  });

  for (const page of pages) {
    const markdown = readFileSync(join(root, page), 'utf8');

    it(`${page}: every js/ts sample is a file of docs/examples, verbatim`, () => {
      const missing = codeBlocks(markdown).filter((block) => ![...exampleTexts.values()].includes(block.text));
      expect(missing.map((block) => `a ${block.language} block matches no file in docs/examples:\n${block.text.slice(0, 300)}`)).toEqual([]);
    });

    it(`${page}: every relative link resolves, fragments included`, () => {
      const broken: string[] = [];
      for (const target of relativeLinks(markdown)) {
        const [path = '', fragment] = target.split('#');
        const file = path === '' ? join(root, page) : resolve(root, dirname(page), decodeURIComponent(path));
        if (!existsSync(file)) broken.push(`${target}: no such file`);
        else if (fragment !== undefined && file.endsWith('.md') && !headingAnchors(readFileSync(file, 'utf8')).has(fragment)) broken.push(`${target}: no such heading`);
      }
      expect(broken).toEqual([]);
    });
  }

  it('every example file appears on a page', () => {
    const blocks = new Set(pages.flatMap((page) => codeBlocks(readFileSync(join(root, page), 'utf8')).map((block) => block.text)));
    const orphans = [...exampleTexts].filter(([, text]) => !blocks.has(text)).map(([name]) => name);
    expect(orphans, 'docs/examples files shown on no page').toEqual([]);
  });
});

interface MockBackendLike {
  address: string;
  close(): Promise<void>;
}
interface HarnessLike {
  createMockBackend(script: { respond: (request: { params: Record<string, string>; stdin: Uint8Array }) => unknown }): Promise<MockBackendLike>;
}
interface ClientLike {
  request(options: { role?: string; params: Record<string, string>; body?: string }): Promise<{
    status: number;
    body: AsyncIterable<unknown> & { toArray(): Promise<unknown[]> };
    variables?: Record<string, string>;
  }>;
  close(): Promise<void>;
}
interface ClientModule {
  Client: new (options: { address: string }) => ClientLike;
}

describe('docs examples run', () => {
  let sandbox = '';
  let client: ClientModule | undefined;
  const backends: MockBackendLike[] = [];
  const limit = createLimiter(EXAMPLE_CONCURRENCY);

  beforeAll(async () => {
    sandbox = createSandbox(root, examples, exampleFiles);
    const harness = (await import(pathToFileURL(join(sandbox, 'node_modules/@fcgi/harness/dist/index.js')).href)) as HarnessLike;
    client = (await import(pathToFileURL(join(sandbox, 'node_modules/@fcgi/client/dist/index.js')).href)) as ClientModule;
    // Stand-ins for php-fpm: answer like a PHP script that echoes its script and body.
    for (let index = 0; index < 2; index += 1) {
      backends.push(
        await harness.createMockBackend({
          respond: (request) => ({
            headers: { 'Content-Type': 'text/plain', 'X-Powered-By': 'PHP/8.2 (stand-in)' },
            body: `${request.params.SCRIPT_FILENAME ?? ''} ${new TextDecoder().decode(request.stdin)}`,
            omitEmptyStdout: true,
          }),
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(backends.map((backend) => backend.close()));
    if (sandbox !== '') rmSync(sandbox, { recursive: true, force: true });
  });

  function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return childEnvironment({ PHP_FPM: backends[0]?.address ?? '', PHP_FPM_2: backends[1]?.address ?? '', DOCUMENT_ROOT: join(sandbox, 'www'), ...extra });
  }

  function httpAnswer(port: number, probe: { http: string; method?: string; body?: string }): Promise<string> {
    return new Promise((done, fail) => {
      const outgoing = httpRequest({ host: '127.0.0.1', port, path: probe.http, method: probe.method ?? 'GET', headers: probe.body === undefined ? {} : { 'content-type': 'application/json' } }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => done(`${response.statusCode ?? 0} ${text}`));
      });
      outgoing.on('error', fail).end(probe.body);
    });
  }

  async function fastcgiAnswer(port: number, probe: { fastcgi: Record<string, string>; role?: string }): Promise<string> {
    if (client === undefined) throw new Error('no client');
    const connection = new client.Client({ address: `127.0.0.1:${port}` });
    try {
      const response = await connection.request({ params: probe.fastcgi, ...(probe.role === undefined ? {} : { role: probe.role }) });
      const body = (await response.body.toArray()).join('');
      return `${response.status} ${probe.role === 'authorizer' ? JSON.stringify(response.variables ?? {}) : body}`;
    } finally {
      await connection.close();
    }
  }

  async function probeAll(port: number, probes: Probe[]): Promise<string> {
    const answers: string[] = [];
    for (const probe of probes) answers.push('http' in probe ? await httpAnswer(port, probe) : await fastcgiAnswer(port, probe));
    return answers.join('\n');
  }

  function failure(name: string, result: RunResult): string {
    return `${name} ${result.timedOut ? 'timed out' : `ended with code ${String(result.code)}, signal ${String(result.signal)}`}:\n${result.stderr}\n${result.stdout}`;
  }

  it('every expectation here names an example file', () => {
    expect([...Object.keys(served), ...Object.keys(printed)].filter((name) => !exampleFiles.includes(name))).toEqual([]);
  });

  for (const name of exampleFiles) {
    const service = served[name];
    if (service !== undefined) {
      it.concurrent(`docs/examples/${name} answers, then stops on SIGTERM`, async () => {
        const result = await limit(() => runServed([name], sandbox, environment(), (port) => probeAll(port, service.probes), EXAMPLE_TIMEOUT));
        expect(result.answer, failure(name, result)).toMatch(service.answer);
        expect(result.code === 0 || result.signal === 'SIGTERM', failure(name, result)).toBe(true);
      }, 4 * EXAMPLE_TIMEOUT);
    } else {
      it.concurrent(`docs/examples/${name} exits 0`, async () => {
        const args = name.endsWith('.test.mjs') ? [join(sandbox, 'node_modules/vitest/vitest.mjs'), 'run', '--root', sandbox, name] : [name];
        const result = await limit(() => runToExit(args, sandbox, environment({ FCGI_EXAMPLE_ONCE: '1' }), EXAMPLE_TIMEOUT));
        expect(result.code, failure(name, result)).toBe(0);
        expect(result.stdout).toMatch(printed[name] ?? /^/);
      }, 4 * EXAMPLE_TIMEOUT);
    }
  }
});
