<?php
// What the PHP agent's HTTP server reads and answers: a parsed request, a reply, and one client connection that
// turns bytes into requests (Content-Length or chunked bodies, bounded, parsed incrementally).
declare(strict_types=1);

namespace Kumo\Runtime;

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 64 * 1024 * 1024;

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
