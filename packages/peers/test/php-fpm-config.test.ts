import { describe, expect, it } from 'vitest';
import { PeerOptionError, phpFpmPoolConfig } from '../src/index.js';

const tcp = { host: '127.0.0.1', port: 9000 };

describe('phpFpmPoolConfig', () => {
  it('sizes the static pool from children, or from maxChildren, default 2', () => {
    expect(phpFpmPoolConfig({ children: 5 }, '/tmp/run', tcp)).toContain('pm = static\npm.max_children = 5\n');
    expect(phpFpmPoolConfig({ maxChildren: 3 }, '/tmp/run', tcp)).toContain('pm.max_children = 3\n');
    expect(phpFpmPoolConfig({ children: 4, maxChildren: 3 }, '/tmp/run', tcp)).toContain('pm.max_children = 4\n');
    expect(phpFpmPoolConfig({}, '/tmp/run', tcp)).toContain('pm.max_children = 2\n');
  });

  it('listens on TCP or on a Unix socket everyone may connect to', () => {
    expect(phpFpmPoolConfig({}, '/tmp/run', tcp)).toContain('listen = 127.0.0.1:9000\n');
    expect(phpFpmPoolConfig({}, '/tmp/run', { path: '/tmp/run/php-fpm.sock' })).toContain('listen = /tmp/run/php-fpm.sock\nlisten.mode = 0666\n');
  });

  it.each([[0], [-1], [1.5]])('rejects children: %d with PeerOptionError', (children) => {
    expect(() => phpFpmPoolConfig({ children }, '/tmp/run', tcp)).toThrow(PeerOptionError);
  });
});
