// Calling php-fpm (or any FastCGI app) from Node code, with a pool of kept connections.
import { Client } from '@fcgi/client';

const client = new Client({
  address: process.env.PHP_FPM ?? '127.0.0.1:9000',
  connections: 4, // php-fpm never multiplexes: keep this <= the pool's pm.max_children
});

const response = await client.request({
  params: {
    REQUEST_METHOD: 'POST',
    SCRIPT_FILENAME: '/srv/www/echo.php',
    REQUEST_URI: '/echo.php',
    CONTENT_TYPE: 'application/x-www-form-urlencoded',
  },
  body: 'name=ada', // CONTENT_LENGTH is added for a string or bytes
});
console.log(response.status, response.headers['content-type']);
console.log((await response.body.toArray()).join(''));
console.log(await response.done); // { appStatus, protocolStatus } from END_REQUEST
await client.close();
