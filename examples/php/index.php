<?php
// A Function Compute custom runtime in PHP: PHP's built-in web server (php -S, started by bootstrap) routes
// every request here. POST /initialize runs once per instance (the function has an Initializer); POST /invoke
// gets the event.
const LANG = 'php';

// Prints `<ISO time> <requestId> [INFO] message`, the form Kumo (and FC) attribute to a request.
function log_line(string $message): void
{
    $time = DateTime::createFromFormat('U.u', sprintf('%.6F', microtime(true)));
    $requestId = $_SERVER['HTTP_X_FC_REQUEST_ID'] ?? '';
    file_put_contents('php://stdout', $time->format('Y-m-d\TH:i:s.v\Z') . " $requestId [INFO] $message\n");
}

$method = $_SERVER['REQUEST_METHOD'];
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);

if ($method === 'POST' && $path === '/initialize') {
    log_line(LANG . ' initialized');
} elseif ($method === 'POST' && $path === '/invoke') {
    $event = file_get_contents('php://input');
    if ($event === '') {
        $event = 'world';
    }
    log_line(LANG . " handled $event");
    header('Content-Type: text/plain; charset=utf-8');
    echo "Hello, $event! from " . LANG;
} else {
    // How FC expects a custom runtime to report a function error.
    http_response_code(404);
    header('Content-Type: application/json');
    header('x-fc-status: 404');
    echo json_encode(['errorMessage' => "unknown path $path"]);
}
