import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeerMissingError, PeerOptionError, curl, startApache, startHaproxy, startLighttpd, startNginx, startPhpFpm } from '../src/index.js';

/** The rejection of a start that must fail (a start that succeeds is stopped and fails the test). */
async function rejection(start: () => Promise<{ stop(): Promise<void> }>): Promise<unknown> {
  let promise: Promise<{ stop(): Promise<void> }>;
  try {
    promise = start();
  } catch (error) {
    throw new Error('threw synchronously instead of rejecting', { cause: error });
  }
  try {
    const peer = await promise;
    await peer.stop();
  } catch (error) {
    return error;
  }
  throw new Error('started');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('a launcher whose binary is missing (FCGI_HIDE_PEERS)', () => {
  it('startNginx rejects with PeerMissingError naming the binary and the Debian package', async () => {
    vi.stubEnv('FCGI_HIDE_PEERS', 'nginx');
    const error = await rejection(() => startNginx({ upstream: '127.0.0.1:9000', keepConn: true }));
    expect(error).toBeInstanceOf(PeerMissingError);
    expect(error).toMatchObject({ code: 'ERR_FCGI_PEER_MISSING', missing: ['nginx'], packages: ['nginx'] });
    expect((error as Error).message).toBe('Cannot start nginx: nginx is hidden by FCGI_HIDE_PEERS (the nginx binary, Debian package nginx)');
  });

  it('startPhpFpm rejects the same way, whatever FCGI_REQUIRE_PEERS says', async () => {
    vi.stubEnv('FCGI_HIDE_PEERS', 'php-fpm');
    vi.stubEnv('FCGI_REQUIRE_PEERS', '0');
    const error = await rejection(() => startPhpFpm({ children: 2, files: { 'index.php': '<?php' } }));
    expect(error).toMatchObject({ name: 'PeerMissingError', missing: ['php-fpm'], packages: ['php8.2-fpm'] });
    expect((error as Error).message).toMatch(/^Cannot start php-fpm: .*the php-fpm8\.2 binary, Debian package php8\.2-fpm/);
  });

  it('every other launcher and curl reject with PeerMissingError too', async () => {
    vi.stubEnv('FCGI_HIDE_PEERS', 'apache,lighttpd,haproxy,curl');
    expect(await rejection(() => startApache())).toMatchObject({ missing: ['apache'], packages: ['apache2'] });
    expect(await rejection(() => startLighttpd())).toMatchObject({ missing: ['lighttpd'] });
    expect(await rejection(() => startHaproxy())).toMatchObject({ missing: ['haproxy'] });
    await expect(curl('http://127.0.0.1:1/')).rejects.toBeInstanceOf(PeerMissingError);
  });
});

describe('a launcher given a bad option', () => {
  it('rejects with PeerOptionError before looking for the binary or starting anything', async () => {
    vi.stubEnv('FCGI_HIDE_PEERS', 'nginx,php-fpm');
    expect(await rejection(() => startNginx({ upstream: 'relative/app.sock' }))).toMatchObject({ name: 'PeerOptionError', code: 'ERR_FCGI_PEER_INVALID_OPTION', option: 'upstream' });
    expect(await rejection(() => startNginx({ upstream: 'localhost', keepConn: true }))).toBeInstanceOf(PeerOptionError);
    expect(await rejection(() => startNginx({ upstream: 9000, keepConn: 0.5 }))).toMatchObject({ option: 'keepConn' });
    expect(await rejection(() => startPhpFpm({ children: 0 }))).toMatchObject({ code: 'ERR_FCGI_PEER_INVALID_OPTION', option: 'children' });
    expect(await rejection(() => startPhpFpm({ documentRoot: 'htdocs' }))).toMatchObject({ option: 'documentRoot' });
  });
});
