// The load balancers in front of the backends: nginx (`upstream`) or HAProxy (`fcgi-app`),
// each with its config rendered from config/ into a temporary run directory.
import { join } from 'node:path';
import { findPeer, freePort, startFromTemplate } from '@fcgi/app-support/processes';

/** How each front is written and started. */
const fronts = {
  nginx: {
    commands: ['nginx'],
    template: new URL('../config/nginx.conf', import.meta.url),
    configFile: 'nginx.conf',
    server: (backend) => `    server ${backend.address} max_fails=1 fail_timeout=10s;  # ${backend.name}`,
    args: (runDirectory, configPath) => ['-p', `${runDirectory}/`, '-c', configPath, '-e', join(runDirectory, 'error.log')],
    stopSignal: 'SIGQUIT', // graceful: finish the requests in flight
  },
  haproxy: {
    commands: ['haproxy'],
    template: new URL('../config/haproxy.cfg', import.meta.url),
    configFile: 'haproxy.cfg',
    server: (backend) => `  server ${backend.name} ${backend.address} proto fcgi check inter 1s`,
    args: (_runDirectory, configPath) => ['-db', '-f', configPath],
    stopSignal: 'SIGTERM', // at once (SIGUSR1, the soft stop, waits for kept-alive clients)
  },
};

/**
 * Starts nginx or HAProxy on `port` (default: a free one), balancing over `backends`.
 *
 * @example
 * const front = await startFront('nginx', { backends: [{ name: 'app-1', address: '127.0.0.1:9101' }] });
 * console.log(front.url, front.configPath);
 * await front.stop();
 * @param {'nginx' | 'haproxy'} kind
 * @param {{ backends: { name: string, address: string }[], port?: number, host?: string }} options
 */
export async function startFront(kind, options) {
  const front = fronts[kind];
  const found = findPeer(kind, front.commands);
  if (found.path === undefined) throw new Error(`${found.reason}${found.reason.includes('not installed') ? ` (apt-get install ${kind})` : ''}`);
  const host = options.host ?? '127.0.0.1';
  const port = options.port || (await freePort());
  const servers = options.backends.map(front.server).join('\n');
  const started = await startFromTemplate({
    name: kind,
    command: found.path,
    prefix: `scale-out-${kind}-`,
    template: front.template,
    configName: front.configFile,
    values: (runDirectory) => ({ DOCUMENT_ROOT: runDirectory, HOST: host, PORT: port, SERVERS: servers }),
    args: front.args,
    address: { host, port },
    stopSignal: front.stopSignal,
  });
  return { kind, url: `http://${host}:${port}`, configPath: started.configPath, pid: started.pid, output: started.output, stop: started.stop };
}
