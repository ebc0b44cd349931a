<?php
// The PHP site's front controller. Fastify hands it every URL that is not one of its own
// routes, with the path in PATH_INFO (`/hello/ada` arrives as SCRIPT_NAME=/index.php,
// PATH_INFO=/hello/ada). src/stand-in.js answers the same routes when php-fpm is absent.
declare(strict_types=1);

session_start(); // PHPSESSID cookie; sessions live in the pool's run directory

function e(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES, 'UTF-8');
}

function page(int $status, string $title, string $body): void
{
    http_response_code($status);
    header('Content-Type: text/html; charset=utf-8');
    header('X-Site-Backend: PHP ' . PHP_VERSION . ' (' . PHP_SAPI . ')');
    $facts = sprintf('SCRIPT_NAME=%s PATH_INFO=%s REQUEST_URI=%s', $_SERVER['SCRIPT_NAME'] ?? '', $_SERVER['PATH_INFO'] ?? '', $_SERVER['REQUEST_URI'] ?? '');
    echo "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>", e($title), "</title>",
        "<link rel=\"stylesheet\" href=\"/assets/style.css\"></head>\n<body>\n",
        "<nav><a href=\"/\">Home</a><a href=\"/hello/world\">Hello</a><a href=\"/guestbook\">Guestbook</a><a href=\"/api/time\">API</a></nav>\n",
        "<h1>", e($title), "</h1>\n", $body, "\n<footer>", e($facts), "</footer>\n</body></html>\n";
}

function home(): void
{
    $_SESSION['visits'] = ($_SESSION['visits'] ?? 0) + 1;
    page(200, 'A small PHP site', '<p>Visits this session: ' . $_SESSION['visits'] . '</p>');
}

function guestbook(): void
{
    if ($_SERVER['REQUEST_METHOD'] === 'POST') {
        $name = trim((string) ($_POST['name'] ?? ''));
        $message = trim((string) ($_POST['message'] ?? ''));
        if ($name === '') {
            page(422, 'Guestbook', '<p>Please give your name.</p>');
            return;
        }
        $_SESSION['entries'][] = [$name, $message];
        setcookie('guest', $name, ['path' => '/', 'httponly' => true, 'samesite' => 'Lax']);
        header('Location: /guestbook', true, 303); // post/redirect/get
        return;
    }
    $guest = (string) ($_COOKIE['guest'] ?? '');
    $body = $guest === '' ? '' : '<p>Welcome back, ' . e($guest) . '.</p>';
    foreach ($_SESSION['entries'] ?? [] as [$name, $message]) {
        $body .= '<p>Signed by ' . e($name) . ': <q>' . e($message) . "</q></p>\n";
    }
    $body .= '<form method="post" action="/guestbook"><input name="name"> <input name="message"> <button>Sign</button></form>';
    page(200, 'Guestbook', $body);
}

$path = $_SERVER['PATH_INFO'] ?? '';
$path = $path === '' ? '/' : $path;

if ($path === '/') {
    home();
} elseif ($path === '/guestbook') {
    guestbook();
} elseif ($path === '/old-home') {
    header('Location: /', true, 301);
} elseif (preg_match('#^/hello/([^/]+)$#', $path, $match)) {
    page(200, 'Hello, ' . $match[1], '<p>A pretty URL: PHP read the name from PATH_INFO.</p>');
} else {
    page(404, 'Not found', '<p>No page at ' . e($path) . '.</p>');
}
