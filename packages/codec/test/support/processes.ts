/** Starting and stopping real peer processes for the peer tests, on loopback only. */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The absolute path of the first of `names` found on PATH (plus the sbin folders), or undefined. */
export function findBinary(...names: string[]): string | undefined {
  const folders = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean);
  for (const name of names) {
    for (const folder of folders) {
      const candidate = join(folder, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A started process and the output it wrote (for failure messages). */
export interface PeerProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
}

/** Spawns a peer in the foreground, capturing its output. */
export function startProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): PeerProcess {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    if (output.length < 20_000) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.on('error', (error) => collect(Buffer.from(String(error))));
  return { child, output: () => output };
}

/** Waits until `port` accepts connections; fails early when the process exits. */
export async function waitForPort(port: number, peer: PeerProcess, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (peer.child.exitCode !== null || peer.child.signalCode !== null) {
      throw new Error(`${what} exited (${String(peer.child.exitCode ?? peer.child.signalCode)}): ${peer.output()}`);
    }
    if (await canConnect(port)) return;
    await sleep(50);
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms: ${peer.output()}`);
}

/** Stops a process by its pid: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopProcess(peer: PeerProcess | undefined, graceMs = 5000): Promise<void> {
  if (peer === undefined) return;
  const { child } = peer;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
