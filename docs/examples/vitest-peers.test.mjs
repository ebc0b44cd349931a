// Real nginx and php-fpm per describe with @fcgi/harness/vitest: started in beforeAll, stopped
// in afterAll, the tests skipped with the reason when a binary is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '@fcgi/server';
import { nginx, phpFpm } from '@fcgi/harness/vitest';

describe('a PHP page behind nginx', () => {
  const php = phpFpm({ children: 2, files: { 'hello.php': '<?php echo "hello ", $_GET["name"];' } });
  const web = nginx(() => ({ upstream: php(), keepConn: true })); // read in beforeAll, after php started

  it('runs', async () => {
    const response = await fetch(`${web().url}/hello.php?name=ada`);
    expect(await response.text()).toBe('hello ada');
  });
});

describe('my @fcgi/server app behind nginx', () => {
  const app = createServer((req, res) => res.end(`${req.method} ${req.url} via ${req.fastcgi.params.SERVER_SOFTWARE}`));
  beforeAll(() => new Promise((resolve) => app.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise((resolve) => app.close(resolve)));
  const web = nginx(() => ({ upstream: `127.0.0.1:${app.address().port}`, keepConn: true }));

  it("gets nginx's params", async () => {
    const response = await fetch(`${web().url}/users/7`);
    expect(await response.text()).toMatch(/^GET \/users\/7 via nginx\//);
  });
});
