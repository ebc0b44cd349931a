import { it } from 'vitest';
import { startPhpFpm, writeRunFile } from '@fcgi/test-peers';
import { runConformance, inject } from '../src/index.js';
it('scratch', async () => {
  const php = await startPhpFpm({ maxChildren: 2 });
  try {
    await writeRunFile(php.documentRoot, 'index.php', '<?php $b = file_get_contents("php://input"); echo "got " . strlen($b);');
    const params = { SCRIPT_FILENAME: `${php.documentRoot}/index.php` };
    const report = await runConformance(php.address, { params, timeout: 2000 });
    for (const c of report.checks) console.log(c.ok ? 'ok  ' : 'FAIL', c.level, c.id, c.durationMs, c.detail);
    const r = await inject(php.address, { url: '/index.php', method: 'POST', body: 'hello', params });
    console.log(r.status, r.headers, r.text(), r.appStatus, r.records.length);
    const a = await inject(php.address, { url: '/index.php', method: 'POST', body: (async function* () { yield 'x'; await new Promise((r) => setTimeout(r, 500)); yield 'y'; })(), params, abortAfter: 100 });
    console.log('aborted', a.aborted, a.status, a.records.map((x) => `${x.direction} ${String(x.type)}`).join(','));
  } finally { await php.stop(); }
}, 120000);
