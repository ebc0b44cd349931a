/**
 * nginx in front of php-fpm, each with its own config and run directory on high loopback
 * ports, with a hook to put something (the recording proxy) between them.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PeerProcess, freePort, startProcess, stopProcess, waitForPort } from './processes.js';

/** The binaries the setup needs. */
export interface PeerBinaries {
  nginx: string;
  phpFpm: string;
}

/** A running nginx + php-fpm pair. */
export interface NginxPhp {
  /** The run directory (document root is `www/` inside it). */
  readonly runDirectory: string;
  readonly documentRoot: string;
  /** nginx's HTTP port on 127.0.0.1. */
  readonly httpPort: number;
  /** php-fpm's FastCGI port on 127.0.0.1. */
  readonly fpmPort: number;
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

function nginxConfig(runDirectory: string, documentRoot: string, httpPort: number, fastcgiPort: number): string {
  return `daemon off;
master_process on;
worker_processes 1;
pid ${runDirectory}/nginx.pid;
error_log ${runDirectory}/nginx-error.log warn;
${isRoot ? 'user root;' : ''}
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${runDirectory}/client_body;
  fastcgi_temp_path ${runDirectory}/fastcgi_temp;
  proxy_temp_path ${runDirectory}/proxy_temp;
  uwsgi_temp_path ${runDirectory}/uwsgi_temp;
  scgi_temp_path ${runDirectory}/scgi_temp;
  client_max_body_size 16m;
  client_body_buffer_size 1m;
  fastcgi_max_temp_file_size 0;
  server {
    listen 127.0.0.1:${httpPort};
    root ${documentRoot};
    location ~ \\.php$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_pass 127.0.0.1:${fastcgiPort};
    }
  }
}
`;
}

function fpmConfig(runDirectory: string, fpmPort: number): string {
  return `[global]
pid = ${runDirectory}/php-fpm.pid
error_log = ${runDirectory}/php-fpm.log
daemonize = no

[www]
listen = 127.0.0.1:${fpmPort}
pm = static
pm.max_children = 2
clear_env = no
`;
}

const phpIni = `memory_limit = 128M
post_max_size = 16M
output_buffering = 0
display_errors = stderr
`;

/**
 * Writes the configs and `scripts` (file name -> contents) into a fresh run directory and
 * starts php-fpm and nginx. `fastcgiPortFor(fpmPort)` returns where nginx sends FastCGI
 * (the proxy's port).
 */
export async function startNginxPhp(binaries: PeerBinaries, scripts: Readonly<Record<string, string | Uint8Array>>, fastcgiPortFor: (fpmPort: number) => Promise<number>): Promise<NginxPhp> {
  const runDirectory = await mkdtemp(join(tmpdir(), 'fcgi-codec-peer-'));
  await chmod(runDirectory, 0o755);
  const documentRoot = join(runDirectory, 'www');
  await mkdir(documentRoot);
  for (const [name, contents] of Object.entries(scripts)) await writeFile(join(documentRoot, name), contents);
  const [httpPort, fpmPort] = [await freePort(), await freePort()];
  let fpm: PeerProcess | undefined;
  let nginx: PeerProcess | undefined;
  const stop = async (): Promise<void> => {
    await Promise.all([stopProcess(nginx), stopProcess(fpm)]);
    await rm(runDirectory, { recursive: true, force: true });
  };
  try {
    await writeFile(join(runDirectory, 'php-fpm.conf'), fpmConfig(runDirectory, fpmPort));
    await writeFile(join(runDirectory, 'php.ini'), phpIni);
    const fpmArgs = ['-F', '-p', runDirectory, '-y', join(runDirectory, 'php-fpm.conf'), '-c', join(runDirectory, 'php.ini')];
    fpm = startProcess(binaries.phpFpm, isRoot ? ['-R', ...fpmArgs] : fpmArgs, { ...process.env, PHP_INI_SCAN_DIR: '' });
    await waitForPort(fpmPort, fpm, 'php-fpm');
    const fastcgiPort = await fastcgiPortFor(fpmPort);
    await writeFile(join(runDirectory, 'nginx.conf'), nginxConfig(runDirectory, documentRoot, httpPort, fastcgiPort));
    nginx = startProcess(binaries.nginx, ['-p', runDirectory, '-c', join(runDirectory, 'nginx.conf'), '-e', join(runDirectory, 'nginx-error.log')]);
    await waitForPort(httpPort, nginx, 'nginx');
  } catch (error) {
    await stop();
    throw error;
  }
  return { runDirectory, documentRoot, httpPort, fpmPort, stop };
}
