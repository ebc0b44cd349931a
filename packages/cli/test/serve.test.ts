/** `fcgi serve`: the built bin serving fixture modules, in one process and with workers (needs `pnpm build`). */
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type FcgiProcess, ask, fixture, freePort, pidOf, spawnFcgi } from './support/serve-process.js';

const directory = mkdtempSync(join(tmpdir(), 'fcgi-serve-'));
let socketCount = 0;
const nextSocket = (): string => join(directory, `app-${(socketCount += 1)}.sock`);
const running = new Set<FcgiProcess>();

function serve(args: readonly string[], options: { stdio0?: number } = {}): FcgiProcess {
  const process = spawnFcgi(['serve', ...args], options);
  running.add(process);
  return process;
}

afterEach(async () => {
  await Promise.all([...running].map((process) => process.kill()));
  running.clear();
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('fcgi serve in one process', () => {
  it.each([
    ['listener.mjs', 'node:http listener', /^listener pid=\d+ url=\/hello$/],
    ['fetch.mjs', 'fetch handler', /^fetch pid=\d+ url=\/hello$/],
    ['fetch-object.mjs', 'fetch handler', /^fetch-object pid=\d+ method=GET$/],
    ['express-like.mjs', 'Express app', /^express-like pid=\d+ setting=demo$/],
    ['fastify-like.mjs', 'Fastify instance', /^fastify-like pid=\d+ ready=true$/],
    ['real-express.mjs', 'Express app', /^express pid=\d+ url=\/hello$/],
    ['real-fastify.mjs', 'Fastify instance', /^fastify pid=\d+ url=\/hello$/],
  ])('serves %s as a %s and prints one line when listening', async (name, kind, body) => {
    const path = nextSocket();
    const app = serve([fixture(name), '--listen', `unix:${path}`]);
    await app.waitForOutput(/listening/);
    expect(app.stdout()).toBe(`fcgi serve: ${kind} listening on unix:${path} (pid ${app.child.pid})\n`);
    const answer = await ask(`unix:${path}`, '/hello');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(body);
    expect(pidOf(answer.body)).toBe(app.child.pid);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(app.stderr()).toBe('');
  });

  it('serves TCP given as host:port', async () => {
    const port = await freePort();
    const app = serve([fixture('listener.mjs'), '--listen', `127.0.0.1:${port}`]);
    await app.waitForOutput(new RegExp(`listening on 127\\.0\\.0\\.1:${port} `));
    expect((await ask(`127.0.0.1:${port}`, '/tcp')).body).toContain('url=/tcp');
  });

  it('serves the listening socket inherited on fd 0, with --fd 0 or with no --listen', async () => {
    for (const args of [['--fd', '0'], []]) {
      const listener = await listeningSocket();
      const app = serve([fixture('fetch.mjs'), ...args], { stdio0: listener.fd });
      listener.release();
      await app.waitForOutput(/fetch handler listening on the listening socket on fd 0/);
      expect((await ask(listener.address, '/spawned')).body).toMatch(/^fetch pid=\d+ url=\/spawned$/);
    }
  });

  it('says in one line that fd 0 is not a listening socket when there is no --listen', async () => {
    const app = serve([fixture('listener.mjs')]);
    expect(await app.exited).toBe(1);
    expect(app.stderr()).toMatch(/^fcgi serve: ERR_FCGI_NOT_SPAWNED: [^\n]+\n$/);
  });

  it('rejects a module whose default export cannot be served, and a missing module, with exit 2', async () => {
    const notAnApp = serve([fixture('not-an-app.mjs'), '--listen', `unix:${nextSocket()}`]);
    expect(await notAnApp.exited).toBe(2);
    expect(notAnApp.stderr()).toMatch(/^fcgi serve: [^\n]*default export is number[^\n]*\n$/);
    const missing = serve(['./no-such-app.js', '--listen', `unix:${nextSocket()}`]);
    expect(await missing.exited).toBe(2);
    expect(missing.stderr()).toMatch(/^fcgi serve: cannot find module '\.\/no-such-app\.js'[^\n]*\n$/);
  });

  it('on SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const path = nextSocket();
    const app = serve([fixture('listener.mjs'), '--listen', `unix:${path}`]);
    await app.waitForOutput(/listening/);
    const slow = ask(`unix:${path}`, '/slow');
    await new Promise((resolve) => setTimeout(resolve, 300));
    app.child.kill('SIGTERM');
    await app.waitForOutput(/SIGTERM: draining \(grace 10000 ms\)/);
    expect((await slow).body).toContain('url=/slow');
    expect(await app.exited).toBe(0);
  });

  it('aborts a request still running after --grace and exits 1', async () => {
    const path = nextSocket();
    const app = serve([fixture('listener.mjs'), '--listen', `unix:${path}`, '--grace', '200']);
    await app.waitForOutput(/listening/);
    const slow = ask(`unix:${path}`, '/slow').catch((error: { code?: string }) => error.code);
    await new Promise((resolve) => setTimeout(resolve, 300));
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(1);
    expect(app.stderr()).toContain('aborted');
    expect(await slow).not.toHaveProperty('body', expect.stringContaining('url=/slow'));
  });

  it('rejects --max-requests without --workers, and a bad --grace', async () => {
    for (const args of [['--max-requests', '5'], ['--grace', 'soon']]) {
      const app = serve([fixture('listener.mjs'), '--listen', `unix:${nextSocket()}`, ...args]);
      expect(await app.exited).toBe(2);
      expect(app.stderr().split('\n')).toHaveLength(2);
    }
  });
});

describe('fcgi serve --workers', () => {
  async function pidsSeen(address: string, requests: number): Promise<Set<number>> {
    const pids = new Set<number>();
    for (let index = 0; index < requests; index += 1) pids.add(pidOf((await ask(address, `/n${index}`)).body));
    return pids;
  }

  it('shares a Unix socket among N workers, and replaces one killed with SIGKILL', async () => {
    const path = nextSocket();
    const app = serve([fixture('listener.mjs'), '--listen', `unix:${path}`, '--workers', '2']);
    await app.waitForOutput(/node:http listener listening on unix:\S+ with 2 workers \(primary pid \d+\)/);
    const pids = await pidsSeen(`unix:${path}`, 6);
    expect(pids.size).toBe(2);
    expect(pids.has(app.child.pid as number)).toBe(false);
    const [victim] = pids;
    process.kill(victim as number, 'SIGKILL');
    await expect.poll(async () => (await pidsSeen(`unix:${path}`, 4)).size, { timeout: 8000 }).toBe(2);
    const after = await pidsSeen(`unix:${path}`, 6);
    expect(after.has(victim as number)).toBe(false);
    expect(app.stderr()).toContain(`worker ${victim} exited (SIGKILL); restarting it`);
  });

  it('recycles a worker after --max-requests, with no failed request', async () => {
    const path = nextSocket();
    const app = serve([fixture('listener.mjs'), '--listen', `unix:${path}`, '--workers', '1', '--max-requests', '3']);
    await app.waitForOutput(/with 1 workers/);
    const pids = new Set<number>();
    const deadline = Date.now() + 10_000;
    while (pids.size < 3 && Date.now() < deadline) {
      const answer = await ask(`unix:${path}`, '/recycle');
      expect(answer.status).toBe(200);
      pids.add(pidOf(answer.body));
    }
    expect(pids.size).toBe(3);
    expect(app.stdout()).toMatch(/worker \d+ served 3 requests: replacing it/);
  });

  it('reloads every worker on SIGHUP with no failed request', async () => {
    const path = nextSocket();
    const app = serve([fixture('listener.mjs'), '--listen', `unix:${path}`, '--workers', '2']);
    await app.waitForOutput(/with 2 workers/);
    const before = await pidsSeen(`unix:${path}`, 4);
    let stop = false;
    const failures: unknown[] = [];
    let answered = 0;
    const load = (async () => {
      while (!stop) await ask(`unix:${path}`, '/load').then(() => (answered += 1), (error: unknown) => failures.push(error));
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    app.child.kill('SIGHUP');
    await app.waitForOutput(/SIGHUP: reloading 2 workers/);
    await expect.poll(async () => [...(await pidsSeen(`unix:${path}`, 4))].some((pid) => before.has(pid)), { timeout: 8000 }).toBe(false);
    stop = true;
    await load;
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(0);
  });

  it('on SIGTERM drains an in-flight request in a worker, then exits 0', async () => {
    const path = nextSocket();
    const app = serve([fixture('listener.mjs'), '--listen', `unix:${path}`, '--workers', '2']);
    await app.waitForOutput(/with 2 workers/);
    const slow = ask(`unix:${path}`, '/slow');
    await new Promise((resolve) => setTimeout(resolve, 300));
    app.child.kill('SIGTERM');
    expect((await slow).body).toContain('url=/slow');
    expect(await app.exited).toBe(0);
    expect(app.stdout()).toContain('SIGTERM: draining 2 workers (grace 10000 ms)');
  });

  it('shares the listening socket on fd 0 among workers', async () => {
    const listener = await listeningSocket();
    const app = serve([fixture('fetch.mjs'), '--fd', '0', '--workers', '2'], { stdio0: listener.fd });
    listener.release();
    await app.waitForOutput(/fetch handler listening on the listening socket on fd 0 with 2 workers/);
    expect((await pidsSeen(listener.address, 6)).size).toBe(2);
  });

  it('stops with the error in one line when the workers cannot start', async () => {
    const app = serve([fixture('not-an-app.mjs'), '--listen', `unix:${nextSocket()}`, '--workers', '2']);
    expect(await app.exited).toBe(2);
    expect(app.stderr()).toMatch(/could not start: [^\n]*default export is number/);
  });
});

/**
 * A listening TCP socket to hand to a child as its fd 0, as spawn-fcgi does. `release()`
 * closes this process's copy once the child has it, so that only the child accepts.
 */
async function listeningSocket(): Promise<{ fd: number; address: string; release(): void }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  return { fd, address: `127.0.0.1:${port}`, release: () => void server.close() };
}
