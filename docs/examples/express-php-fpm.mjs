import express from 'express';
import { fastcgi } from '@fcgi/express';

const root = process.env.DOCUMENT_ROOT ?? '/srv/wordpress';
const app = express();
// WordPress-style: scripts and pretty URLs go to php-fpm, other files are served by Express.
app.use(fastcgi({ upstream: process.env.PHP_FPM ?? '127.0.0.1:9001', documentRoot: root, frontController: 'index.php' }));
app.use(express.static(root, { index: false }));
app.use((error, req, res, next) => (res.headersSent ? next(error) : res.status(error.status ?? 500).send(`php is unhappy: ${error.code}`)));
app.listen(process.env.PORT ?? 8080);
