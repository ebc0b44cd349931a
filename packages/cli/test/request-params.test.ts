import { describe, expect, it } from 'vitest';
import { buildRequestParams, headerParam, paramPair, splitScriptPath } from '../src/request-params.js';

const base = { method: 'GET', headers: [], params: [], root: undefined, bodyLength: undefined, serverSoftware: 'fcgi/test' } as const;
const asObject = (pairs: [string, string][]): Record<string, string> => Object.fromEntries(pairs);

describe('request params', () => {
  it.each([
    ['/index.php', '/index.php', ''],
    ['/app/index.php/users/7', '/app/index.php', '/users/7'],
    ['/a.php/b.php/c', '/a.php', '/b.php/c'],
    ['/hello', '/hello', ''],
    ['/', '/', ''],
    ['/my%20page.php/x%2Fy', '/my page.php', '/x/y'],
    ['/bad%zz.php', '/bad%zz.php', ''],
  ])('splits %s into SCRIPT_NAME %s and PATH_INFO %j', (path, scriptName, pathInfo) => {
    expect(splitScriptPath(path)).toEqual({ scriptName, pathInfo });
  });

  it('maps headers as RFC 3875 says', () => {
    expect(headerParam('X-Forwarded-For: 10.0.0.1')).toEqual(['HTTP_X_FORWARDED_FOR', '10.0.0.1']);
    expect(headerParam('content-length: 12')).toEqual(['CONTENT_LENGTH', '12']);
    expect(headerParam('Accept:')).toEqual(['HTTP_ACCEPT', '']);
    expect(headerParam('Cookie: a=1; b=2: c')).toEqual(['HTTP_COOKIE', 'a=1; b=2: c']);
    expect(() => headerParam('Bad Name: x')).toThrow(/--header must be 'Name: value'/);
    expect(() => headerParam(': x')).toThrow(/--header must be/);
  });

  it('splits --param at the first =', () => {
    expect(paramPair('A=b=c')).toEqual(['A', 'b=c']);
    expect(paramPair('EMPTY=')).toEqual(['EMPTY', '']);
    expect(() => paramPair('NOVALUE')).toThrow(/NAME=VALUE/);
  });

  it('joins --root and the script without doubled or missing slashes', () => {
    expect(asObject(buildRequestParams({ ...base, target: '/x.php', root: '/srv/www//' }))).toMatchObject({ DOCUMENT_ROOT: '/srv/www', SCRIPT_FILENAME: '/srv/www/x.php' });
    expect(asObject(buildRequestParams({ ...base, target: '/x.php', root: '/' }))).toMatchObject({ DOCUMENT_ROOT: '/', SCRIPT_FILENAME: '/x.php' });
    expect(asObject(buildRequestParams({ ...base, target: '/x.php', root: 'relative/dir' }))).toMatchObject({ SCRIPT_FILENAME: 'relative/dir/x.php' });
  });

  it('keeps every name once, in order, with overrides replacing in place', () => {
    const pairs = buildRequestParams({ ...base, target: '/?q', headers: ['Host: a.example', 'Host: b.example'], params: ['REQUEST_METHOD=HEAD', 'EXTRA=1'], bodyLength: 5 });
    const names = pairs.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(0, 3)).toEqual(['GATEWAY_INTERFACE', 'SERVER_SOFTWARE', 'SERVER_PROTOCOL']);
    expect(names.at(-1)).toBe('EXTRA');
    expect(asObject(pairs)).toMatchObject({ REQUEST_METHOD: 'HEAD', HTTP_HOST: 'b.example', SERVER_NAME: 'b.example', QUERY_STRING: 'q', CONTENT_LENGTH: '5' });
  });
});
