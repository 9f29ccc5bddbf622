<?php
// A small HTTP/1.1 server for Kumo's PHP agent: one long-lived process (FC keeps PHP instances and their loaded
// code between calls, which `php -S` would not), built on stream_socket_server + stream_select. Requests with
// Content-Length or chunked bodies, keep-alive or Connection: close, pipelined or not. Requests are handled one
// at a time, in the order they arrived (PHP runs one call at a time); the others wait in their sockets.
declare(strict_types=1);

namespace Kumo\Runtime;

require_once __DIR__ . '/http_connection.php';

const MAX_CONNECTIONS = 512;
const READ_BYTES = 1024 * 1024;
const WRITE_TIMEOUT_SECONDS = 120;

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
