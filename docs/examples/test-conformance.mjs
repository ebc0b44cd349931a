// The conformance suite against a running app, as node:test tests: one test per check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from '@fcgi/server';
import { conformanceTests, runConformance } from '@fcgi/harness';

const server = createServer((req, res) => {
  req.resume(); // read the body, then answer
  req.on('end', () => res.end('ok'));
});
let address = '';
before(async () => {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${server.address().port}`;
});
after(() => new Promise((resolve) => server.close(resolve)));

// One test per check; the address is read when the tests run, after before() started the app.
conformanceTests((name, body) => test(name, body), () => address);

// The same suite as one call: report.passed is true when every MUST holds.
test('every MUST holds', async () => {
  const report = await runConformance(address);
  assert.equal(report.passed, true, JSON.stringify(report.checks.filter((check) => !check.ok)));
});
