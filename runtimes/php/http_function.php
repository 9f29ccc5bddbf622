<?php
// HTTP functions, as FC's PHP runtime runs them: handler($request, $context) gets a PSR-7 ServerRequestInterface
// and returns a PSR-7 response. The PSR-7 classes are Debian's guzzlehttp/psr7; FC's examples name
// `RingCentral\Psr7\Response` (FC bundles ringcentral/psr7, a fork of guzzlehttp/psr7 1.x), so every
// `RingCentral\Psr7\*` class resolves to its Guzzle twin and the common RingCentral\Psr7 functions exist.
declare(strict_types=1);

namespace Kumo\Runtime;

use GuzzleHttp\Psr7\ServerRequest;
use GuzzleHttp\Psr7\Uri;
use GuzzleHttp\Psr7\Utils;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;

/** Loads Debian's PSR-7 (include_path /usr/share/php) and the RingCentral names; false when it is missing. */
function load_psr7(): bool
{
    if (stream_resolve_include_path('GuzzleHttp/Psr7/autoload.php') === false) return false;
    require_once 'GuzzleHttp/Psr7/autoload.php';
    spl_autoload_register(static function (string $class): void {
        $prefix = 'ringcentral\\psr7\\';
        if (strncasecmp($class, $prefix, strlen($prefix)) !== 0) return;
        $twin = 'GuzzleHttp\\Psr7\\' . substr($class, strlen($prefix));
        if (class_exists($twin) || interface_exists($twin)) class_alias($twin, $class);
    });
    require_once __DIR__ . '/ringcentral_functions.php';
    return true;
}

/** `Host` header or FC's `<accountId>.<region>.fc.aliyuncs.com`, the path and query as the client sent them. */
function psr7_request(Request $request, array $context): ServerRequestInterface
{
    $headers = [];
    foreach ($request->rawHeaders as [$name, $value]) {
        $lower = strtolower($name);
        if (str_starts_with($lower, 'x-fc-') || in_array($lower, ['connection', 'keep-alive', 'transfer-encoding'], true)) {
            continue;
        }
        $headers[$name][] = $value;
    }
    // FC's php7.2 runtime gives a request without a Content-Type one of application/octet-stream.
    if (!array_key_exists('content-type', array_change_key_case($headers))) {
        $headers['Content-Type'] = ['application/octet-stream'];
    }
    $target = $request->target;
    [$rawPath, $query] = array_pad(explode('?', $target, 2), 2, '');
    $path = rawurldecode($rawPath);
    $clientIp = $request->header('x-fc-client-ip');
    $host = $request->header('host') ?: "{$context['accountId']}.{$context['region']}.fc.aliyuncs.com";
    try {
        $uri = new Uri("http://$host$target");
    } catch (\InvalidArgumentException) {
        $uri = (new Uri())->withPath($rawPath)->withQuery($query);
    }
    $server = [
        'SERVER_PROTOCOL' => 'HTTP/1.1',
        'REQUEST_METHOD' => $request->method,
        'REQUEST_TIME' => time(),
        'REQUEST_TIME_FLOAT' => microtime(true),
        'QUERY_STRING' => $query,
        'DOCUMENT_ROOT' => getcwd(),
        'REQUEST_URI' => $target,
        'REMOTE_ADDR' => $clientIp,
        'HTTP_HOST' => $host,
    ];
    $body = Utils::streamFor($request->body);
    $psr = new ServerRequest($request->method, $uri, $headers, $body, '1.1', $server);
    return $psr
        ->withQueryParams(query_params($query))
        ->withCookieParams(cookie_params($request->header('cookie')))
        ->withAttribute('clientIP', $clientIp)
        ->withAttribute('requestURI', $target)
        ->withAttribute('path', $path);
}

/** FC's queries: each name's value, or the list of values when the name repeats (`x=1&x=2` → ['1', '2']). */
function query_params(string $query): array
{
    $values = [];
    foreach (explode('&', $query) as $pair) {
        if ($pair === '') continue;
        [$name, $value] = array_pad(explode('=', $pair, 2), 2, '');
        $values[urldecode($name)][] = urldecode($value);
    }
    return array_map(fn (array $list) => count($list) === 1 ? $list[0] : $list, $values);
}

function cookie_params(string $header): array
{
    $cookies = [];
    foreach (explode(';', $header) as $pair) {
        [$name, $value] = array_pad(explode('=', trim($pair), 2), 2, '');
        if ($name !== '') $cookies[urldecode($name)] = urldecode($value);
    }
    return $cookies;
}

/** The reply for a handler's response: its status, each header value on its own line, and its body. */
function reply_from(mixed $response): Reply
{
    if (!$response instanceof ResponseInterface) {
        $type = get_debug_type($response);
        throw new \TypeError("the HTTP handler must return a PSR-7 response (RingCentral\\Psr7\\Response), got $type");
    }
    if (!$response->hasHeader('X-Powered-By')) $response = $response->withHeader('X-Powered-By', 'fc/php-runtime');
    $headers = [];
    foreach ($response->getHeaders() as $name => $values) {
        if (in_array(strtolower((string) $name), ['content-length', 'transfer-encoding', 'connection'], true)) continue;
        foreach ($values as $value) $headers[] = [(string) $name, (string) $value];
    }
    $status = $response->getStatusCode();
    $stream = $response->getBody();
    if ($status === 204 || $status === 304 || ($status >= 100 && $status < 200)) {
        return new Reply($status, $headers, '');
    }
    // For HEAD the server sends the length of this body, not the body.
    if ($stream->getSize() !== null) return new Reply($status, $headers, $stream->getContents());
    // A body of unknown size (a PumpStream, a generator) is sent as it is produced, in chunks.
    return new Reply($status, $headers, static fn (): ?string => $stream->eof() ? null : $stream->read(65536));
}
