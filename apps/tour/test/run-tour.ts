// Runs the tour's main script as a child process, as `pnpm demo` does, with a hard timeout.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const mainScript = fileURLToPath(new URL('../src/main.js', import.meta.url));

/** The environment for a run: FCGI_HIDE_PEERS set to `hidden` (or removed when empty). */
export function tourEnvironment(hidden: string): NodeJS.ProcessEnv {
  const environment = { ...process.env };
  delete environment['FCGI_HIDE_PEERS'];
  return hidden === '' ? environment : { ...environment, FCGI_HIDE_PEERS: hidden };
}

/** A running tour: its output so far, a wait for a line, and its exit. */
export interface TourProcess {
  readonly child: ChildProcess;
  output(): string;
  waitFor(text: string, timeout?: number): Promise<string>;
  exited: Promise<number | null>;
}

/**
 * Starts `node src/main.js ...args`; stdout and stderr are collected together.
 *
 * @example
 * const tour = startTour(['--once'], tourEnvironment('nginx,php-fpm'));
 * expect(await tour.exited).toBe(0);
 */
export function startTour(args: string[], environment: NodeJS.ProcessEnv): TourProcess {
  const child = spawn(process.execPath, [mainScript, ...args], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const waitFor = async (wanted: string, timeout = 20_000): Promise<string> => {
    const deadline = Date.now() + timeout;
    while (!text.includes(wanted)) {
      if (child.exitCode !== null) throw new Error(`the tour exited (${child.exitCode}) before printing ${wanted}:\n${text}`);
      if (Date.now() > deadline) throw new Error(`no ${wanted} within ${timeout} ms:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return text;
  };
  return { child, output: () => text, waitFor, exited };
}

/**
 * Runs the tour with `--once` to its end and returns its exit code and output. After 30 s
 * it gets SIGTERM (it then stops what it started), after 45 s SIGKILL.
 *
 * @example
 * const { code, output } = await runTourOnce(tourEnvironment(''));
 */
export async function runTourOnce(environment: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const tour = startTour(['--once'], environment);
  const timers = [setTimeout(() => tour.child.kill('SIGTERM'), 30_000), setTimeout(() => tour.child.kill('SIGKILL'), 45_000)];
  try {
    const code = await tour.exited;
    return { code, output: tour.output() };
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

/**
 * The numbered result block of one step (from its title line to the next blank line).
 *
 * @example
 * stepBlock(output, 3); // '3. a streamed response ...: ok\n   GET ...'
 */
export function stepBlock(output: string, number: number): string {
  const start = output.indexOf(`\n${number}. `);
  if (start === -1) return '';
  const end = output.indexOf('\n\n', start + 1);
  return output.slice(start + 1, end === -1 ? undefined : end);
}

/** True when something accepts connections at `url` (the tour's servers must be gone after it exits). */
export async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(3_000) });
    return true;
  } catch {
    return false;
  }
}
