<?php
// The front controller: every URL that is not a file on disk comes here, WordPress-style,
// with the path in PATH_INFO (`/blog/hello-world` arrives as SCRIPT_NAME=/index.php,
// PATH_INFO=/blog/hello-world, REQUEST_URI=/blog/hello-world).
declare(strict_types=1);

$posts = [
    'hello-world' => ['Hello, world', 'This page is PHP, run by php-fpm, reached through a Node gateway.'],
    'fastcgi' => ['Why FastCGI', 'One protocol between web servers and long-running apps since 1996.'],
];

function e(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES, 'UTF-8');
}

function page(int $status, string $title, string $body): void
{
    http_response_code($status);
    header('Content-Type: text/html; charset=utf-8');
    header('X-Front-Controller: index.php');
    $facts = sprintf(
        'REQUEST_URI=%s SCRIPT_NAME=%s PATH_INFO=%s REMOTE_ADDR=%s SERVER_SOFTWARE=%s',
        $_SERVER['REQUEST_URI'] ?? '', $_SERVER['SCRIPT_NAME'] ?? '', $_SERVER['PATH_INFO'] ?? '',
        $_SERVER['REMOTE_ADDR'] ?? '', $_SERVER['SERVER_SOFTWARE'] ?? ''
    );
    echo "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>", e($title), "</title>",
        "<link rel=\"stylesheet\" href=\"/assets/style.css\"></head>\n<body>\n",
        "<nav><a href=\"/\">Home</a><a href=\"/contact\">Contact</a></nav>\n<h1>", e($title), "</h1>\n",
        $body, "\n<footer>", e($facts), "</footer>\n</body></html>\n";
}

function home(array $posts): void
{
    $items = '';
    foreach ($posts as $slug => [$title]) {
        $items .= '<li><a href="/blog/' . e($slug) . '">' . e($title) . "</a></li>\n";
    }
    page(200, 'A tiny PHP site', "<ul>\n$items</ul>");
}

function contact(): void
{
    if ($_SERVER['REQUEST_METHOD'] === 'POST') {
        $name = trim((string) ($_POST['name'] ?? ''));
        $message = trim((string) ($_POST['message'] ?? ''));
        if ($name === '') {
            page(422, 'Contact', '<p>Please give your name.</p>');
            return;
        }
        error_log("contact form from $name"); // reaches the gateway as STDERR
        page(200, 'Thank you', '<p>Thank you, ' . e($name) . '. We read: <q>' . e($message) . '</q></p>');
        return;
    }
    page(200, 'Contact', '<form method="post" action="/contact"><input name="name"> <textarea name="message"></textarea> <button>Send</button></form>');
}

$path = $_SERVER['PATH_INFO'] ?? '';
$path = $path === '' ? '/' : $path;

if ($path === '/') {
    home($posts);
} elseif ($path === '/contact') {
    contact();
} elseif (preg_match('#^/blog/([a-z0-9-]+)$#', $path, $match) && isset($posts[$match[1]])) {
    [$title, $text] = $posts[$match[1]];
    page(200, $title, '<p>' . e($text) . '</p>');
} else {
    page(404, 'Not found', '<p>No page at ' . e($path) . '.</p>');
}
