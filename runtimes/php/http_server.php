<?php
// A small HTTP/1.1 server for Kumo's PHP agent: one long-lived process (FC keeps PHP instances and their loaded
// code between calls, which `php -S` would not), built on stream_socket_server + stream_select. Requests with
// Content-Length or chunked bodies, keep-alive or Connection: close, pipelined or not. Requests are handled one
// at a time, in the order they arrived (PHP runs one call at a time); the others wait in their sockets.
declare(strict_types=1);

namespace Kumo\Runtime;

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MAX_CONNECTIONS = 512;
const READ_BYTES = 1024 * 1024;
const WRITE_TIMEOUT_SECONDS = 120;

final class Request
{
    /**
     * @param array<string, list<string>> $headers lower-cased names
     * @param list<array{string, string}> $rawHeaders names as sent
     */
    public function __construct(
        public readonly string $method,
        public readonly string $target,
        public readonly array $headers,
        public readonly array $rawHeaders,
        public readonly string $body,
        public readonly bool $keepAlive,
    ) {
    }

    public function header(string $name): string
    {
        return $this->headers[$name][0] ?? '';
    }
}

/** What a handler answers: `body` is a string, or a function giving the next piece (null at the end). */
final class Reply
{
    /** @param list<array{string, string}> $headers */
    public function __construct(
        public readonly int $status,
        public readonly array $headers = [],
        public readonly mixed $body = '',
    ) {
    }
}

/** One client connection: bytes in, parsed one request at a time (incrementally, bounded). */
final class Connection
{
    public string $buffer = '';
    public bool $busy = false;
    private ?array $head = null;
    private string $body = '';
    private bool $chunked = false;
    private int $length = 0;

    /** @param resource $socket */
    public function __construct(public readonly mixed $socket)
    {
    }

    /** The next complete request, null while bytes are missing, or a string saying why the request is refused. */
    public function next(): Request|string|null
    {
        if ($this->head === null) {
            $end = strpos($this->buffer, "\r\n\r\n");
            if ($end === false || $end > MAX_HEAD_BYTES) {
                return strlen($this->buffer) > MAX_HEAD_BYTES ? 'request head too large' : null;
            }
            $error = $this->parseHead(substr($this->buffer, 0, $end));
            $this->buffer = substr($this->buffer, $end + 4);
            if ($error !== null) return $error;
        }
        if ($this->chunked) {
            $done = $this->readChunks();
            if ($done !== true) return $done;
        } else {
            if (strlen($this->buffer) < $this->length) return null;
            $this->body = substr($this->buffer, 0, $this->length);
            $this->buffer = substr($this->buffer, $this->length);
        }
        [$method, $target, $headers, $raw, $keepAlive] = $this->head;
        $request = new Request($method, $target, $headers, $raw, $this->body, $keepAlive);
        $this->head = null;
        $this->body = '';
        return $request;
    }

    private function parseHead(string $text): ?string
    {
        $lines = explode("\r\n", $text);
        $parts = explode(' ', array_shift($lines));
        if (count($parts) !== 3 || !preg_match('#^HTTP/1\.[01]$#', $parts[2]) || $parts[0] === '') {
            return 'malformed request line';
        }
        $headers = [];
        $raw = [];
        foreach ($lines as $line) {
            $colon = strpos($line, ':');
            if ($colon === false || $colon === 0) return 'malformed header line';
            $name = substr($line, 0, $colon);
            $value = trim(substr($line, $colon + 1), " \t");
            $headers[strtolower($name)][] = $value;
            $raw[] = [$name, $value];
        }
        $connection = strtolower($headers['connection'][0] ?? '');
        $keepAlive = $parts[2] === 'HTTP/1.1' ? $connection !== 'close' : $connection === 'keep-alive';
        $this->chunked = str_contains(strtolower(implode(',', $headers['transfer-encoding'] ?? [])), 'chunked');
        $length = $headers['content-length'][0] ?? '0';
        if (!$this->chunked && !ctype_digit($length)) return 'bad content-length';
        $this->length = $this->chunked ? 0 : (int) $length;
        if ($this->length > MAX_BODY_BYTES) return 'request body too large';
        $this->head = [$parts[0], $parts[1], $headers, $raw, $keepAlive];
        return null;
    }

    /** true once the last chunk (and any trailers) arrived; null while bytes are missing; a string on error. */
    private function readChunks(): bool|string|null
    {
        while (true) {
            $eol = strpos($this->buffer, "\r\n");
            if ($eol === false) return strlen($this->buffer) > 1024 ? 'malformed chunk' : null;
            $sizeText = trim(explode(';', substr($this->buffer, 0, $eol), 2)[0]);
            if ($sizeText === '' || strlen($sizeText) > 8 || !ctype_xdigit($sizeText)) return 'malformed chunk size';
            $size = (int) hexdec($sizeText);
            if ($size === 0) {
                $trailers = strpos($this->buffer, "\r\n", $eol + 2);
                if ($trailers === $eol + 2) {
                    $this->buffer = substr($this->buffer, $eol + 4);
                    return true;
                }
                $end = strpos($this->buffer, "\r\n\r\n", $eol);
                if ($end === false) return strlen($this->buffer) > MAX_HEAD_BYTES ? 'trailers too large' : null;
                $this->buffer = substr($this->buffer, $end + 4);
                return true;
            }
            if (strlen($this->body) + $size > MAX_BODY_BYTES) return 'request body too large';
            if (strlen($this->buffer) < $eol + 2 + $size + 2) return null;
            $this->body .= substr($this->buffer, $eol + 2, $size);
            $this->buffer = substr($this->buffer, $eol + 4 + $size);
        }
    }
}

final class HttpServer
{
    /** @var resource */
    private mixed $listener;
    /** @var array<int, Connection> */
    private array $connections = [];
    /** @var list<array{int, Request}> requests waiting their turn, oldest first */
    private array $queue = [];

    public function __construct(int $port)
    {
        $context = stream_context_create(['socket' => ['backlog' => 511, 'tcp_nodelay' => true]]);
        $flags = STREAM_SERVER_BIND | STREAM_SERVER_LISTEN;
        $listener = stream_socket_server("tcp://0.0.0.0:$port", $code, $message, $flags, $context);
        if ($listener === false) throw new \RuntimeException("cannot listen on port $port: $message");
        stream_set_blocking($listener, false);
        $this->listener = $listener;
    }

    /** @param callable(Request): Reply $handle */
    public function serve(callable $handle): never
    {
        while (true) {
            $read = [$this->listener];
            foreach ($this->connections as $connection) {
                if (!$connection->busy) $read[] = $connection->socket;
            }
            $write = $except = null;
            if (@stream_select($read, $write, $except, $this->queue ? 0 : null) === false) continue;
            foreach ($read as $socket) {
                if ($socket === $this->listener) $this->accept();
                else $this->receive((int) $socket);
            }
            if ($this->queue) {
                [$id, $request] = array_shift($this->queue);
                $this->respond($id, $request, $handle);
            }
        }
    }

    private function accept(): void
    {
        $socket = @stream_socket_accept($this->listener, 0);
        if ($socket === false) return;
        if (count($this->connections) >= MAX_CONNECTIONS) {
            fclose($socket);
            return;
        }
        stream_set_blocking($socket, false);
        $this->connections[(int) $socket] = new Connection($socket);
    }

    private function receive(int $id): void
    {
        $connection = $this->connections[$id];
        $data = @fread($connection->socket, READ_BYTES);
        if ($data === false || ($data === '' && feof($connection->socket))) {
            $this->close($id);
            return;
        }
        $connection->buffer .= $data;
        $this->parse($id);
    }

    private function parse(int $id): void
    {
        $connection = $this->connections[$id];
        $next = $connection->next();
        if ($next instanceof Request) {
            $connection->busy = true;
            $this->queue[] = [$id, $next];
        } elseif (is_string($next)) {
            $this->write($connection, new Reply(400, [['Content-Type', 'text/plain']], $next), 'POST', false);
            $this->close($id);
        }
    }

    private function respond(int $id, Request $request, callable $handle): void
    {
        $reply = $handle($request);
        $connection = $this->connections[$id] ?? null;
        if ($connection === null) return;
        if (!$this->write($connection, $reply, $request->method, $request->keepAlive) || !$request->keepAlive) {
            $this->close($id);
            return;
        }
        $connection->busy = false;
        if ($connection->buffer !== '') $this->parse($id); // a pipelined request
    }

    private function write(Connection $connection, Reply $reply, string $method, bool $keepAlive): bool
    {
        $streamed = !is_string($reply->body);
        $head = "HTTP/1.1 {$reply->status} " . reason($reply->status) . "\r\n";
        foreach ($reply->headers as [$name, $value]) {
            $head .= strtr($name, "\r\n:", '   ') . ': ' . strtr((string) $value, "\r\n", '  ') . "\r\n";
        }
        $head .= $streamed ? "Transfer-Encoding: chunked\r\n" : 'Content-Length: ' . strlen($reply->body) . "\r\n";
        $head .= $keepAlive ? "\r\n" : "Connection: close\r\n\r\n";
        $socket = $connection->socket;
        stream_set_blocking($socket, true);
        stream_set_timeout($socket, WRITE_TIMEOUT_SECONDS);
        $sendBody = $method !== 'HEAD';
        try {
            if (!$streamed) return send($socket, $sendBody ? $head . $reply->body : $head);
            if (!send($socket, $head)) return false;
            while ($sendBody && ($piece = next_piece($reply->body)) !== null) {
                if ($piece === false) return false; // the body failed midway: the client sees a cut response
                if ($piece !== '' && !send($socket, dechex(strlen($piece)) . "\r\n$piece\r\n")) return false;
            }
            return $sendBody ? send($socket, "0\r\n\r\n") : true;
        } finally {
            if (is_resource($socket)) stream_set_blocking($socket, false);
        }
    }

    private function close(int $id): void
    {
        $connection = $this->connections[$id] ?? null;
        if ($connection === null) return;
        unset($this->connections[$id]);
        $this->queue = array_values(array_filter($this->queue, fn ($entry) => $entry[0] !== $id));
        @fclose($connection->socket);
    }
}

function next_piece(callable $body): string|false|null
{
    try {
        $piece = $body();
        return $piece === null ? null : (string) $piece;
    } catch (\Throwable) {
        return false;
    }
}

/** @param resource $socket */
function send(mixed $socket, string $bytes): bool
{
    $length = strlen($bytes);
    for ($sent = 0; $sent < $length; $sent += $written) {
        $written = @fwrite($socket, $sent === 0 ? $bytes : substr($bytes, $sent));
        if ($written === false || $written === 0) return false;
    }
    return true;
}

function reason(int $status): string
{
    return [
        200 => 'OK', 201 => 'Created', 202 => 'Accepted', 204 => 'No Content', 301 => 'Moved Permanently',
        302 => 'Found', 304 => 'Not Modified', 400 => 'Bad Request', 401 => 'Unauthorized', 403 => 'Forbidden',
        404 => 'Not Found', 413 => 'Payload Too Large', 500 => 'Internal Server Error', 502 => 'Bad Gateway',
    ][$status] ?? 'Status';
}
