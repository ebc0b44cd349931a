// Real php-fpm from node:test (or jest): the runner-agnostic helpers of @fcgi/harness.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inject, usePhpFpm } from '@fcgi/harness';

// Started in before(), stopped in after(). A missing php-fpm is known at once: php.available
// is false and php.reason says why (under FCGI_REQUIRE_PEERS=1 this line throws instead).
const php = usePhpFpm({ beforeAll: before, afterAll: after }, { files: { 'index.php': '<?php echo "hi ", $_SERVER["REQUEST_METHOD"];' } });

test('php-fpm answers over FastCGI', { skip: php.available ? false : php.reason }, async () => {
  const script = `${php().documentRoot}/index.php`;
  const result = await inject(php().address, { method: 'POST', url: '/index.php', params: { SCRIPT_FILENAME: script } });
  assert.equal(result.status, 200);
  assert.equal(result.text(), 'hi POST');
});
