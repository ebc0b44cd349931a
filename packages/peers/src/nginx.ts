/**
 * nginx on a loopback port, with every path (pid, logs, temp files) in its run directory.
 *
 * @module
 */
import { peerPath } from './binaries.js';
import { type ConfigContext, type ConfigSource, type HttpPeer, type HttpPeerOptions, resolveConfig, startHttpPeer } from './http-peer.js';
import { type NginxUpstreamOptions, nginxUpstreamBlock, nginxUpstreamServer } from './nginx-upstream.js';

/**
 * Options of {@link startNginx}. The short way: `upstream` (and `keepConn`, `documentRoot`)
 * generates the FastCGI config; the escape hatch: `server` and `http` are raw config text,
 * added after the generated part (so they must not repeat its `location`).
 *
 * @example
 * ```ts
 * const short: NginxOptions = { upstream: '127.0.0.1:9000', keepConn: true, documentRoot: '/srv/www' };
 * const raw: NginxOptions = { http: 'upstream php { server 127.0.0.1:9000; keepalive 4; }', server: 'location / { fastcgi_pass php; }' };
 * ```
 */
export interface NginxOptions extends HttpPeerOptions, NginxUpstreamOptions {
  /** The inside of the one `server { listen 127.0.0.1:<port>; ... }` block: `root`, `location`s. */
  server?: ConfigSource;
  /** Extra text at `http { }` level, e.g. `upstream` blocks or more `server` blocks. */
  http?: ConfigSource;
  /** Worker processes (default 1). */
  workerProcesses?: number;
}

/**
 * The nginx.conf this kit writes; exported for failure messages and tests.
 *
 * @example
 * ```ts
 * nginxConfig({ server: 'return 200 "ok";' }, { runDirectory: '/tmp/x', host: '127.0.0.1', port: 8080 });
 * ```
 */
export function nginxConfig(options: NginxOptions, context: ConfigContext): string {
  const run = context.runDirectory;
  return `daemon off;
master_process on;
worker_processes ${options.workerProcesses ?? 1};
pid ${run}/nginx.pid;
error_log ${run}/error.log notice;
events { worker_connections 1024; }
http {
  access_log ${run}/access.log;
  client_body_temp_path ${run}/client_body_temp;
  fastcgi_temp_path ${run}/fastcgi_temp;
  proxy_temp_path ${run}/proxy_temp;
  uwsgi_temp_path ${run}/uwsgi_temp;
  scgi_temp_path ${run}/scgi_temp;
  default_type application/octet-stream;
${nginxUpstreamBlock(options)}
${resolveConfig(options.http, context)}
  server {
    listen ${context.host}:${context.port};
    server_name localhost;
${nginxUpstreamServer(options)}
${resolveConfig(options.server, context)}
  }
}
`;
}

/**
 * Starts nginx in the foreground (`nginx -p RUN -c RUN/nginx.conf -e RUN/error.log`) on a
 * free 127.0.0.1 port and waits until it accepts connections. Rejects with
 * `PeerMissingError` when nginx is not installed, with `PeerOptionError` for a
 * bad option (before starting anything), and with nginx's own output when it fails to
 * start. `stop()` kills it, waits for it to exit and removes its run directory; calling it
 * again does nothing.
 *
 * @example
 * ```ts
 * const php = await startPhpFpm({ children: 2, files: { 'index.php': '<?php echo "hi";' } });
 * const nginx = await startNginx({ upstream: php, keepConn: true });
 * await fetch(`${nginx.url}/index.php`); // 200 'hi'
 * await nginx.stop();
 * await php.stop();
 * ```
 */
export async function startNginx(options: NginxOptions = {}): Promise<HttpPeer> {
  nginxUpstreamBlock(options); // checks the options first, whatever is installed
  nginxUpstreamServer(options);
  const command = peerPath('nginx');
  return startHttpPeer(
    {
      name: 'nginx',
      command,
      configFile: 'nginx.conf',
      logFiles: ['error.log'],
      config: (context) => nginxConfig(options, context),
      args: (context, configPath) => ['-p', `${context.runDirectory}/`, '-c', configPath, '-e', `${context.runDirectory}/error.log`],
    },
    options,
  );
}

/**
 * Options of {@link nginxFastcgiLocation}.
 *
 * @example
 * ```ts
 * const options: NginxFastcgiLocationOptions = { pass: 'unix:/tmp/php.sock', extra: 'fastcgi_keep_conn on;' };
 * ```
 */
export interface NginxFastcgiLocationOptions {
  /** The `fastcgi_pass` target: `127.0.0.1:9000` or `unix:/path/to.sock`. */
  pass: string;
  /** The location pattern (default `~ \.php$`). */
  match?: string;
  /** Extra directives inside the location (e.g. `fastcgi_keep_conn on;`). */
  extra?: string;
}

/**
 * A location block that sends matching requests to a FastCGI app with nginx's canonical
 * params (`/etc/nginx/fastcgi_params`) and `SCRIPT_FILENAME = $document_root$fastcgi_script_name`.
 *
 * @example
 * ```ts
 * startNginx({ server: `root ${php.documentRoot};\n${nginxFastcgiLocation({ pass: php.address })}` });
 * ```
 */
export function nginxFastcgiLocation(options: NginxFastcgiLocationOptions): string {
  return `    location ${options.match ?? '~ \\.php$'} {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_pass ${options.pass};
${options.extra ?? ''}
    }`;
}
