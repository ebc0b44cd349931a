/**
 * Starts a throwaway nginx for the gateway parity test: its own prefix, config, temp
 * paths and error log; stopped by pid.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './php-fpm.js';

/** True when nginx can be run here; throws under FCGI_REQUIRE_PEERS=1 when it cannot. */
export function requireNginx(): boolean {
  const available = spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0;
  if (!available && process.env.FCGI_REQUIRE_PEERS === '1') throw new Error('nginx is required (FCGI_REQUIRE_PEERS=1) but cannot be run');
  return available;
}

export interface Nginx {
  readonly port: number;
  stop(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => { socket.destroy(); resolve(false); });
  });
}

/** nginx in front of a FastCGI app, configured as Debian's snippets/fastcgi-php.conf (without try_files). */
export async function startNginx(upstream: string, documentRoot: string): Promise<Nginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'fcgi-client-nginx-'));
  mkdirSync(join(prefix, 'logs'));
  const port = await freePort();
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `${name}_temp_path ${join(prefix, name)};`).join('\n  ');
  writeFileSync(join(prefix, 'nginx.conf'), `
daemon off;
master_process off;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')};
events { worker_connections 64; }
http {
  access_log off;
  ${temp}
  server {
    listen 127.0.0.1:${port};
    server_name gateway.test;
    root ${documentRoot};
    index index.php;
    location ~ [^/]\\.php(/|$) {
      fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
      set $path_info $fastcgi_path_info;
      fastcgi_param PATH_INFO $path_info;
      fastcgi_index index.php;
      include /etc/nginx/fastcgi.conf;
      fastcgi_pass ${upstream};
    }
  }
}
`);
  const child: ChildProcess = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      await exited;
    }
    rmSync(prefix, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await canConnect(port)) return { port, stop };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  let log = '';
  try { log = readFileSync(join(prefix, 'error.log'), 'utf8'); } catch { /* none */ }
  await stop();
  throw new Error(`nginx did not start: ${log}`);
}
