#!/usr/bin/env node
// Prints the conformance table of docs/harness.md: every check run against @fcgi/server
// and against real php-fpm 8.2 (started by @fcgi/test-peers on a free loopback port).
// Run after `pnpm build`: node packages/harness/scripts/conformance-table.mjs
import { createServer } from '@fcgi/server';
import { startPhpFpm, writeRunFile } from '@fcgi/test-peers';
import { runConformance } from '../dist/index.js';

async function ourServer() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise((resolve) => {
    server.once('listening', resolve);
    server.listen(0, '127.0.0.1');
  });
  try {
    return await runConformance(`127.0.0.1:${server.address().port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

async function phpFpm() {
  const php = await startPhpFpm({ maxChildren: 2 });
  try {
    await writeRunFile(php.documentRoot, 'index.php', '<?php echo "ok";');
    return await runConformance(php.address, { params: { SCRIPT_FILENAME: `${php.documentRoot}/index.php` }, timeout: 2000 });
  } finally {
    await php.stop();
  }
}

function cell(result) {
  if (result.skipped) return 'skipped';
  return result.ok ? 'pass' : `**fail**: ${result.detail.replaceAll('|', '\\|')}`;
}

const [server, php] = [await ourServer(), await phpFpm()];
console.log('| check | level | spec | @fcgi/server | php-fpm 8.2 |');
console.log('|---|---|---|---|---|');
for (const [index, check] of server.checks.entries()) {
  console.log(`| \`${check.id}\`: ${check.title} | ${check.level} | ${check.section} | ${cell(check)} | ${cell(php.checks[index])} |`);
}
console.log(`\n@fcgi/server: ${server.passed ? 'every MUST holds' : 'a MUST fails'}; php-fpm: ${php.passed ? 'every MUST holds' : 'fails MUSTs (see the php-fpm profile)'}.`);
