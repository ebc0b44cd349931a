// The fallback front when nginx is absent: `fcgi gateway` from @fcgi/cli, run through the
// package's own `fcgi` bin entry as a child process, as a user would run it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startProcess } from '@fcgi/app-support/processes';

/** The path of @fcgi/cli's `fcgi` executable (its package.json `bin`), resolved from this app. */
export function fcgiBinPath() {
  const manifestPath = createRequire(import.meta.url).resolve('@fcgi/cli/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.fcgi;
  return join(dirname(manifestPath), bin);
}

/**
 * Starts `fcgi gateway --listen HOST:PORT --upstream APP` (an HTTP server that forwards every
 * request to the FastCGI app, with CGI/1.1 params as nginx sends them) and waits until its
 * port accepts connections. Its access log (one line per request) is kept in `output()`.
 *
 * @example
 * const gateway = await startGateway({ port: 8082, app: { host: '127.0.0.1', port: 9002 } });
 * await gateway.stop();
 * @param {{ host?: string, port: number, app: { host: string, port: number } }} options
 */
export async function startGateway(options) {
  const host = options.host ?? '127.0.0.1';
  const args = [fcgiBinPath(), 'gateway', '--listen', `${host}:${options.port}`, '--upstream', `${options.app.host}:${options.app.port}`];
  const running = await startProcess({ name: 'fcgi gateway', command: process.execPath, args, address: { host, port: options.port }, stopSignal: 'SIGTERM' });
  return {
    url: `http://${host}:${options.port}`,
    command: `fcgi ${args.slice(1).join(' ')}`,
    pid: running.pid,
    output: running.output,
    stop: running.stop,
  };
}
