// One request to php-fpm: the CGI head, the body as a stream, then END_REQUEST's statuses.
import { Client } from '@fcgi/client';

const client = new Client({ address: process.env.PHP_FPM ?? '127.0.0.1:9000' });
const response = await client.request({
  params: { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: '/srv/www/hello.php', SCRIPT_NAME: '/hello.php' },
});
console.log(response.status, response.headers);
for await (const chunk of response.body) process.stdout.write(chunk);
console.log(await response.done); // { appStatus, protocolStatus }
await client.close();
