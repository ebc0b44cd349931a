// Two php-fpm pools behind one client: the least busy takes each request.
import { BalancedClient } from '@fcgi/client';

const client = new BalancedClient({
  upstreams: [process.env.PHP_FPM ?? '10.0.0.1:9000', process.env.PHP_FPM_2 ?? '10.0.0.2:9000'],
  strategy: 'least-busy',
  connections: 4,
});
const pages = ['/a.php', '/b.php', '/c.php', '/d.php'].map(async (script) => {
  const response = await client.request({ params: { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: `/srv/www${script}` } });
  return `${response.status} ${(await response.body.toArray()).join('')}`;
});
console.log(await Promise.all(pages));
console.log(client.stats.map((upstream) => ({ connections: upstream.connections, down: upstream.down })));
await client.close();
