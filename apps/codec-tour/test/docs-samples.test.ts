/**
 * The guides' code samples are real programs (issue 7: "every code sample in the docs is
 * compiled and run in CI"). This file proves, for the guide pages listed in GUIDES:
 *
 * 1. every fenced js/ts block in a guide is byte-identical to a file in docs/examples/, so
 *    the page and the file cannot drift apart, and every example file appears in a guide;
 * 2. every relative link in a guide points to an existing file or folder and, for a
 *    `page.md#fragment` link, to a heading of that page (GitHub's anchor rules);
 * 3. every example runs with node and exits 0. Serving examples read FCGI_EXAMPLE_ONCE=1:
 *    they listen on a free loopback port, send one request to themselves and exit. The
 *    php-fpm examples talk to `createMockBackend` from @fcgi/harness, started here as a
 *    stand-in php-fpm and passed in the PHP_FPM variable. The test-*.mjs examples are
 *    node:test files: node exits non-zero when one of their tests fails. The *.test.mjs
 *    examples import vitest and are run by vitest (its own process, an empty config).
 *
 * How the examples find `@fcgi/*` and `express`: Node resolves a bare import from the
 * importing file's location, and no workspace package depends on all of @fcgi/server,
 * client, express and harness. So each run copies the example into a temporary folder
 * whose node_modules holds symlinks to packages/<name> (their built dist, so run
 * `pnpm build` first), to the express copy that @fcgi/express itself uses and to the vitest
 * copy that @fcgi/harness/vitest imports (one vitest instance). Node follows
 * the symlinks to the real package folders, and their own dependencies resolve from there.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const docs = join(root, 'docs');
const examples = join(docs, 'examples');

/** The guide pages whose samples live in docs/examples (other pages have their own owners). */
const GUIDES = ['README.md', 'getting-started.md', 'protocol.md', 'deployment.md', 'faq.md', 'conformance.md', 'testing.md'];

/** Every fenced block in a language node runs, with its text (ending in a newline, as a file does). */
function codeBlocks(markdown: string): { language: string; text: string }[] {
  const blocks: { language: string; text: string }[] = [];
  for (const match of markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    const language = match[1] ?? '';
    if (['js', 'mjs', 'javascript', 'ts', 'typescript'].includes(language)) blocks.push({ language, text: match[2] ?? '' });
  }
  return blocks;
}

/** Relative link targets of a page (`file.md#fragment`, `#fragment`, `../apps/x`). */
function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
  const targets = [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
  return targets.filter((target) => !/^[a-z]+:/i.test(target));
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.replace(/^```[\s\S]*?^```$/gm, '').matchAll(/^#{1,6} +(.+)$/gm)) {
    const base = (match[1] ?? '').trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/ /g, '-');
    let anchor = base;
    for (let repeat = 1; anchors.has(anchor); repeat += 1) anchor = `${base}-${repeat}`;
    anchors.add(anchor);
  }
  return anchors;
}

const exampleFiles = readdirSync(examples).filter((name) => /\.(mjs|js)$/.test(name)).sort();
const exampleTexts = new Map(exampleFiles.map((name) => [name, readFileSync(join(examples, name), 'utf8')]));

describe('docs guides', () => {
  for (const page of GUIDES) {
    const markdown = readFileSync(join(docs, page), 'utf8');

    it(`${page}: every js/ts sample is a file of docs/examples, verbatim`, () => {
      for (const block of codeBlocks(markdown)) {
        const file = [...exampleTexts].find(([, text]) => text === block.text)?.[0];
        expect(file, `a ${block.language} block of ${page} matches no file in docs/examples:\n${block.text.slice(0, 200)}`).toBeDefined();
      }
    });

    it(`${page}: every relative link resolves, fragments included`, () => {
      for (const target of relativeLinks(markdown)) {
        const [path = '', fragment] = target.split('#');
        const file = path === '' ? join(docs, page) : resolve(docs, path);
        expect(existsSync(file), `${page} links to ${target}, which does not exist`).toBe(true);
        if (fragment !== undefined && file.endsWith('.md')) {
          expect(headingAnchors(readFileSync(file, 'utf8')).has(fragment), `${page} links to ${target}: no such heading`).toBe(true);
        }
      }
    });
  }

  it('every example file appears in a guide', () => {
    const blocks = GUIDES.flatMap((page) => codeBlocks(readFileSync(join(docs, page), 'utf8')).map((block) => block.text));
    for (const [name, text] of exampleTexts) expect(blocks.includes(text), `docs/examples/${name} is in no guide`).toBe(true);
  });
});

interface MockBackendLike {
  address: string;
  close(): Promise<void>;
}
interface HarnessLike {
  createMockBackend(script: { respond: (request: { params: Record<string, string>; stdin: Uint8Array }) => unknown }): Promise<MockBackendLike>;
}

describe('docs examples run', () => {
  let sandbox = '';
  let phpFpm: MockBackendLike | undefined;

  beforeAll(async () => {
    sandbox = mkdtempSync(join(tmpdir(), 'fcgi-docs-samples-'));
    const modules = join(sandbox, 'node_modules');
    mkdirSync(join(modules, '@fcgi'), { recursive: true });
    for (const name of ['codec', 'server', 'client', 'express', 'fastify', 'harness']) symlinkSync(join(root, 'packages', name), join(modules, '@fcgi', name), 'dir');
    symlinkSync(realpathSync(join(root, 'packages/express/node_modules/express')), join(modules, 'express'), 'dir');
    symlinkSync(realpathSync(join(root, 'packages/harness/node_modules/vitest')), join(modules, 'vitest'), 'dir');
    writeFileSync(join(sandbox, 'vitest.config.mjs'), 'export default {};\n');
    for (const name of exampleFiles) cpSync(join(examples, name), join(sandbox, name));
    // A stand-in php-fpm: answers like a PHP script that echoes its script and body.
    const harness = (await import(pathToFileURL(join(modules, '@fcgi/harness/dist/index.js')).href)) as HarnessLike;
    phpFpm = await harness.createMockBackend({
      respond: (request) => ({
        headers: { 'Content-Type': 'text/plain', 'X-Powered-By': 'PHP/8.2 (stand-in)' },
        body: `${request.params.SCRIPT_FILENAME ?? ''} ${new TextDecoder().decode(request.stdin)}`,
        omitEmptyStdout: true,
      }),
    });
  });

  afterAll(async () => {
    await phpFpm?.close();
    if (sandbox !== '') rmSync(sandbox, { recursive: true, force: true });
  });

  function run(name: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      // This process runs under vitest: keep its variables (VITEST, VITEST_POOL_ID...) from the child.
      const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'));
      const environment = { ...inherited, FCGI_EXAMPLE_ONCE: '1', PHP_FPM: phpFpm?.address ?? '', DOCUMENT_ROOT: '/srv/www', NO_COLOR: '1' };
      const command = name.endsWith('.test.mjs') ? [join(sandbox, 'node_modules/vitest/vitest.mjs'), 'run', '--root', sandbox, name] : [name];
      execFile(process.execPath, command, { cwd: sandbox, env: environment, timeout: 30_000 }, (error, stdout, stderr) => {
        done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      });
    });
  }

  /** What each example must print (beyond exiting 0). */
  const expectations: Record<string, RegExp> = {
    'serve-node-http.mjs': /^200 hello \/hi\?x=1 \(responder, request 1\)/,
    'serve-express.mjs': /^201 \{"created":"pen"\}/,
    'serve-fetch.mjs': /^200 application\/json \{"method":"GET","path":"\/who","name":"ada"\}/,
    'gateway-php-fpm.mjs': /^200 \/srv\/www\/index\.php /,
    'client-php-fpm.mjs': /^200 text\/plain\n\/srv\/www\/echo\.php name=ada\n\{ appStatus: 0, protocolStatus: 0 \}/,
    'test-inject.mjs': /# fail 0/,
    'test-mock-backend.mjs': /# fail 0/,
    'test-conformance.mjs': /# fail 0/,
    'vitest-helpers.test.mjs': /Tests +16 passed/,
  };

  it('every example has an expectation here', () => {
    expect(Object.keys(expectations).sort()).toEqual(exampleFiles);
  });

  for (const name of exampleFiles) {
    it(`docs/examples/${name} exits 0`, async () => {
      const result = await run(name);
      expect(result.code, `${name} failed:\n${result.stderr}\n${result.stdout}`).toBe(0);
      expect(result.stdout).toMatch(expectations[name] ?? /^/);
    }, 40_000);
  }
});
