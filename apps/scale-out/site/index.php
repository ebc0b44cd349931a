<?php
// The PHP app every php-fpm pool runs. It says which pool (and which worker) answered:
// POOL_NAME and POOL_ADDRESS come from the pool's `env[...]` lines (config/php-fpm.conf).
// `?work=N` keeps the worker busy for about N ms (at most 50), as real pages do.
declare(strict_types=1);

$work = min(50, max(0, (int) ($_GET['work'] ?? 0)));
$until = microtime(true) + $work / 1000;
while (microtime(true) < $until) {
    // the page's own work
}
$identity = sprintf('%s %s pid %d', getenv('POOL_NAME') ?: 'pool', getenv('POOL_ADDRESS') ?: 'unknown', getmypid());
header('Content-Type: text/plain; charset=utf-8');
header('X-Backend: ' . $identity);
echo "hello from $identity\n";
