import { type PhpFpmPeer, requirePeers, startPhpFpm, writeRunFile } from '@fcgi/test-peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordType } from '@fcgi/codec';
import { CONFORMANCE_PROFILES, inject, runConformance } from '../src/index.js';

const peers = requirePeers('php-fpm');

describe.skipIf(!peers.available)(peers.title('@fcgi/harness against real php-fpm'), () => {
  let php: PhpFpmPeer | undefined;
  let params: Record<string, string> = {};

  beforeAll(async () => {
    php = await startPhpFpm({ maxChildren: 2 });
    await writeRunFile(php.documentRoot, 'index.php', '<?php header("X-Php: yes"); error_log("from php"); $body = file_get_contents("php://input"); echo json_encode(["method" => $_SERVER["REQUEST_METHOD"], "uri" => $_SERVER["REQUEST_URI"], "body" => $body, "q" => $_GET]);');
    params = { SCRIPT_FILENAME: `${php.documentRoot}/index.php` };
  });

  afterAll(async () => {
    await php?.stop();
  });

  it('inject(address) runs a PHP script and returns status, headers, body, stderr and the transcript', async () => {
    const result = await inject(php!.address, { method: 'POST', url: '/index.php?a=1', json: { x: 1 }, params });
    expect(result.status, php!.logs()).toBe(200);
    expect(result.headers['x-php']).toBe('yes');
    expect(result.json()).toEqual({ method: 'POST', uri: '/index.php?a=1', body: '{"x":1}', q: { a: '1' } });
    expect(result.stderr).toContain('from php');
    expect(result.appStatus).toBe(0);
    // php-fpm ends with END_REQUEST and no empty STDOUT record.
    const fromApp = result.records.filter((record) => record.direction === 'from-app');
    expect(fromApp.at(-1)!.type).toBe(RecordType.EndRequest);
    expect(fromApp.some((record) => record.type === RecordType.Stdout && record.content.length === 0)).toBe(false);
  });

  it('the chained form works against php-fpm too', async () => {
    const result = await inject(php!.address).get('/index.php').query({ b: '2' }).params(params);
    expect(result.json()).toMatchObject({ method: 'GET', q: { b: '2' } });
  });

  it('runConformance: php-fpm fails exactly the deviations its profile lists, and passes with the profile', async () => {
    const report = await runConformance(php!.address, { params, timeout: 2000 });
    const failed = report.checks.filter((check) => !check.ok).map((check) => check.id);
    expect(failed.sort(), JSON.stringify(report.checks, null, 2)).toEqual(Object.keys(CONFORMANCE_PROFILES['php-fpm']).sort());
    expect(report.passed).toBe(false);
    const profiled = await runConformance(php!.address, { params, timeout: 2000, profile: 'php-fpm' });
    expect(profiled.passed).toBe(true);
    expect(profiled.checks.filter((check) => check.knownDeviation !== undefined).length).toBe(failed.length);
  });
});
