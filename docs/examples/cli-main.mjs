// Running an `fcgi` command from Node code, exactly as the bin does: here `fcgi values`.
import { main } from '@fcgi/cli';

process.exitCode = await main(['values', process.env.PHP_FPM ?? '127.0.0.1:9000']);
