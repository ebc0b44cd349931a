import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeForError, formatAddress, parseAddress } from '../src/index.js';

describe('parseAddress', () => {
  it.each([
    ['127.0.0.1:9000', { kind: 'tcp', host: '127.0.0.1', port: 9000 }],
    ['localhost:1', { kind: 'tcp', host: 'localhost', port: 1 }],
    ['tcp://php-fpm.internal:65535', { kind: 'tcp', host: 'php-fpm.internal', port: 65535 }],
    ['[::1]:9000', { kind: 'tcp', host: '::1', port: 9000 }],
    ['tcp://[fe80::1]:9001', { kind: 'tcp', host: 'fe80::1', port: 9001 }],
    ['unix:/run/php/php-fpm.sock', { kind: 'unix', path: '/run/php/php-fpm.sock' }],
    ['unix:relative.sock', { kind: 'unix', path: 'relative.sock' }],
    ['/run/php/php-fpm.sock', { kind: 'unix', path: '/run/php/php-fpm.sock' }],
    ['./app.sock', { kind: 'unix', path: './app.sock' }],
  ])('parses %s', (text, expected) => {
    expect(parseAddress(text)).toEqual(expected);
  });

  it.each([
    ['', 'it is empty'],
    ['9000', 'no port'],
    ['localhost', 'no port'],
    [':9000', 'no host'],
    ['localhost:0', 'the port must be a number from 1 to 65535'],
    ['localhost:65536', 'the port must be a number from 1 to 65535'],
    ['localhost:http', "got 'http'"],
    ['localhost:', "got ''"],
    ['::1:9000', 'write an IPv6 host in brackets'],
    ['[::1]', 'no port'],
    ['unix:', 'no socket path'],
    ['tcp://host:9000/', "got '9000/'"],
    ['[::1]x:9000', 'expected [ipv6]:port'],
    ['tcp://a b:9000', "'a b' is not a host name"],
    ['user@host:9000', 'is not a host name'],
  ])('rejects %j with a one-line reason and exit code 2', (text, reason) => {
    let caught: unknown;
    try {
      parseAddress(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'ERR_FCGI_INVALID_ADDRESS' });
    const message = (caught as Error).message;
    expect(message).toContain(reason);
    expect(message).toContain('unix:/path');
    expect(message).not.toContain('\n');
    expect(exitCodeForError(caught)).toBe(ExitCode.Usage);
  });

  it('formats addresses back in the canonical form', () => {
    for (const text of ['127.0.0.1:9000', '[::1]:9000', 'unix:/run/fpm.sock']) expect(formatAddress(parseAddress(text))).toBe(text);
    expect(formatAddress(parseAddress('tcp://h:1'))).toBe('h:1');
    expect(formatAddress(parseAddress('/tmp/a.sock'))).toBe('unix:/tmp/a.sock');
  });
});
