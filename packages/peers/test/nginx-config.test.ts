import { describe, expect, it } from 'vitest';
import { type NginxOptions, PeerOptionError, nginxConfig, nginxUpstreamAddress } from '../src/index.js';

const context = { runDirectory: '/tmp/fcgi-nginx-test', host: '127.0.0.1', port: 18080 };
const config = (options: NginxOptions): string => nginxConfig(options, context);

/** The text of the block that starts with `opening` (`upstream fcgi_upstream {`), up to its closing brace. */
function block(text: string, opening: string): string {
  const start = text.indexOf(opening);
  expect(start, `no "${opening}" in:\n${text}`).toBeGreaterThanOrEqual(0);
  return text.slice(start, text.indexOf('}', start) + 1);
}

describe('nginxConfig with an upstream', () => {
  it('passes every request to a TCP upstream with fastcgi_params and SCRIPT_FILENAME under the root', () => {
    const text = config({ upstream: '127.0.0.1:9000', documentRoot: '/srv/www' });
    expect(block(text, 'upstream fcgi_upstream {')).toBe('upstream fcgi_upstream {\n    server 127.0.0.1:9000;\n  }');
    expect(text).toContain('    root /srv/www;\n');
    const location = block(text, 'location / {');
    expect(location).toContain('include /etc/nginx/fastcgi_params;');
    expect(location).toContain('fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;');
    expect(location).toContain('fastcgi_pass fcgi_upstream;');
    expect(location).not.toContain('keep_conn');
    expect(text).not.toContain('keepalive');
  });

  it('keepConn: fastcgi_keep_conn on in the location and keepalive in the upstream block', () => {
    const text = config({ upstream: 9000, keepConn: true });
    expect(block(text, 'upstream fcgi_upstream {')).toContain('keepalive 2;');
    expect(block(text, 'location / {')).toContain('fastcgi_keep_conn on;');
    expect(block(config({ upstream: 9000, keepConn: 5 }), 'upstream fcgi_upstream {')).toContain('keepalive 5;');
    expect(config({ upstream: 9000, keepConn: false })).not.toMatch(/keep_conn|keepalive/);
  });

  it('takes a Unix socket as unix:/path or as a bare absolute path', () => {
    expect(block(config({ upstream: 'unix:/run/app.sock' }), 'upstream fcgi_upstream {')).toContain('server unix:/run/app.sock;');
    expect(block(config({ upstream: '/run/app.sock' }), 'upstream fcgi_upstream {')).toContain('server unix:/run/app.sock;');
  });

  it('takes a started peer: its address, and its documentRoot as root unless one is given', () => {
    const php = { address: 'unix:/tmp/php/php-fpm.sock', documentRoot: '/tmp/php/htdocs' };
    const text = config({ upstream: php });
    expect(text).toContain('server unix:/tmp/php/php-fpm.sock;');
    expect(text).toContain('root /tmp/php/htdocs;');
    expect(config({ upstream: php, root: '/srv/other' })).toContain('root /srv/other;');
    expect(config({ upstream: { address: '127.0.0.1:9001' } })).not.toMatch(/^\s*root /m);
  });

  it('puts the location and extra FastCGI directives where asked, and the raw server text after it', () => {
    const text = config({ upstream: '[::1]:9000', location: '~ \\.php$', fastcgi: 'fastcgi_read_timeout 5s;', server: 'location /static { return 204; }' });
    const location = block(text, 'location ~ \\.php$ {');
    expect(location).toContain('fastcgi_read_timeout 5s;');
    expect(text).toContain('server [::1]:9000;');
    expect(text.indexOf('location /static')).toBeGreaterThan(text.indexOf('location ~ \\.php$'));
  });

  it('writes no upstream and no location without an upstream (the raw form still works)', () => {
    const text = config({ http: 'upstream php { server 127.0.0.1:9000; }', server: 'location / { fastcgi_pass php; }' });
    expect(text).not.toContain('fcgi_upstream');
    expect(text).toContain('upstream php { server 127.0.0.1:9000; }');
    expect(text).toContain('location / { fastcgi_pass php; }');
    expect(text).toContain('listen 127.0.0.1:18080;');
  });
});

describe('nginxUpstreamAddress', () => {
  it('normalises the forms nginx takes', () => {
    expect(nginxUpstreamAddress('127.0.0.1:9000')).toBe('127.0.0.1:9000');
    expect(nginxUpstreamAddress('localhost:9000')).toBe('localhost:9000');
    expect(nginxUpstreamAddress(9000)).toBe('127.0.0.1:9000');
    expect(nginxUpstreamAddress('/run/a.sock')).toBe('unix:/run/a.sock');
    expect(nginxUpstreamAddress({ address: 'unix:/run/a.sock' })).toBe('unix:/run/a.sock');
  });

  it.each([['unix:relative.sock'], ['relative.sock'], ['127.0.0.1'], ['127.0.0.1:0'], ['127.0.0.1:70000'], [''], [-1]])('rejects %j with PeerOptionError', (upstream) => {
    expect(() => nginxUpstreamAddress(upstream)).toThrow(PeerOptionError);
  });

  it('rejects a relative documentRoot', () => {
    expect(() => config({ upstream: 9000, documentRoot: 'htdocs' })).toThrow(/Invalid documentRoot: 'htdocs' is not an absolute path/);
  });
});
