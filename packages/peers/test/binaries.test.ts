import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeerMissingError, findExecutable, locatePeer, peer, peerCommands, peerPackages, requirePeers } from '../src/index.js';

const nowhere = { PATH: '/nonexistent' };

describe('locating peers', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('maps each peer to its Debian executable', () => {
    expect(peerCommands['php-fpm']).toBe('php-fpm8.2');
    expect(peerCommands.apache).toBe('apache2');
  });

  it('names the Debian package that installs each peer', () => {
    expect(peerPackages['php-fpm']).toBe('php8.2-fpm');
    expect(peerPackages['cgi-fcgi']).toBe('libfcgi-bin');
    expect(Object.keys(peerPackages).sort()).toEqual(Object.keys(peerCommands).sort());
  });

  it('says which binary and which package when a peer is not installed', () => {
    const missing = locatePeer('php-fpm', { PATH: '/nonexistent', FCGI_HIDE_PEERS: '' });
    // php-fpm may be in /usr/sbin (a fallback directory), so only check the wording when it is absent.
    if (!missing.available) expect(missing.reason).toBe('php-fpm (php-fpm8.2) not found in PATH or sbin; install the Debian package php8.2-fpm (apt-get install php8.2-fpm)');
    const error = new PeerMissingError([{ ...missing, path: undefined, available: false, reason: 'php-fpm (php-fpm8.2) not found in PATH or sbin; install the Debian package php8.2-fpm (apt-get install php8.2-fpm)' }], 'Cannot start php-fpm');
    expect(error.message).toBe('Cannot start php-fpm: php-fpm (php-fpm8.2) not found in PATH or sbin; install the Debian package php8.2-fpm (apt-get install php8.2-fpm)');
    expect(error).toMatchObject({ code: 'ERR_FCGI_PEER_MISSING', missing: ['php-fpm'], packages: ['php8.2-fpm'] });
  });

  it('finds an executable in PATH before the sbin fallbacks', () => {
    const directory = mkdtempSync(join(tmpdir(), 'fcgi-binaries-'));
    try {
      writeFileSync(join(directory, 'nginx'), '#!/bin/sh\n', { mode: 0o755 });
      writeFileSync(join(directory, 'haproxy'), 'not executable', { mode: 0o644 });
      expect(locatePeer('nginx', { PATH: directory })).toEqual({ name: 'nginx', command: 'nginx', debianPackage: 'nginx', path: join(directory, 'nginx'), available: true, reason: '' });
      expect(findExecutable('haproxy', { PATH: directory })).not.toBe(join(directory, 'haproxy'));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('treats a peer listed in FCGI_HIDE_PEERS as missing, with the reason', () => {
    const hidden = locatePeer('nginx', { ...nowhere, FCGI_HIDE_PEERS: 'haproxy, nginx' });
    expect(hidden).toMatchObject({ name: 'nginx', available: false, path: undefined });
    expect(hidden.reason).toBe('nginx is hidden by FCGI_HIDE_PEERS');
    expect(new PeerMissingError([hidden]).message).toBe(
      'FCGI_REQUIRE_PEERS=1 and a required peer is missing: nginx is hidden by FCGI_HIDE_PEERS (the nginx binary, Debian package nginx)',
    );
  });

  it('reports a missing peer without throwing unless FCGI_REQUIRE_PEERS=1', () => {
    const environment = { ...nowhere, FCGI_HIDE_PEERS: 'lighttpd' };
    expect(peer('lighttpd', environment).available).toBe(false);
    expect(() => peer('lighttpd', { ...environment, FCGI_REQUIRE_PEERS: '1' })).toThrow(PeerMissingError);
    expect(() => peer('lighttpd', { ...environment, FCGI_REQUIRE_PEERS: '1' })).toThrow(/FCGI_REQUIRE_PEERS=1 .*lighttpd is hidden/);
  });

  it('gives a describe title that carries the skip reason', () => {
    vi.stubEnv('FCGI_REQUIRE_PEERS', '0');
    vi.stubEnv('FCGI_HIDE_PEERS', 'haproxy,apache');
    const peers = requirePeers('haproxy', 'apache');
    expect(peers.available).toBe(false);
    expect(peers.missing).toEqual(['haproxy', 'apache']);
    expect(peers.title('HAProxy tests')).toBe(`HAProxy tests [${peers.reason}]`);
    expect(peers.reason).toMatch(/^skipped: haproxy is hidden by FCGI_HIDE_PEERS; apache is hidden/);
  });

  it('names every missing peer at once under FCGI_REQUIRE_PEERS=1', () => {
    vi.stubEnv('FCGI_REQUIRE_PEERS', '1');
    vi.stubEnv('FCGI_HIDE_PEERS', 'haproxy,apache');
    let caught: unknown;
    try {
      requirePeers('haproxy', 'apache');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PeerMissingError);
    expect((caught as PeerMissingError).missing).toEqual(['haproxy', 'apache']);
  });

  it('keeps the title unchanged when nothing is missing', () => {
    vi.stubEnv('FCGI_HIDE_PEERS', '');
    const peers = requirePeers();
    expect(peers.available).toBe(true);
    expect(peers.title('title')).toBe('title');
  });
});
