<?php
// The tour's PHP page, run by php-fpm behind the Node gateway (createGateway).
declare(strict_types=1);

$name = (string) ($_GET['name'] ?? 'world');
header('Content-Type: text/plain; charset=utf-8');
header('X-Php-Version: ' . PHP_VERSION);
echo 'Hello, ', $name, ', from PHP ', PHP_VERSION, " (php-fpm)\n";
echo 'SCRIPT_NAME=', $_SERVER['SCRIPT_NAME'] ?? '', ' SERVER_SOFTWARE=', $_SERVER['SERVER_SOFTWARE'] ?? '', "\n";
