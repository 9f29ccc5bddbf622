<?php
// The function's log: every line `<UTC time with ms>Z <requestId> [LEVEL] message` (FC_RUNTIME.md §1.5), so Kumo
// attributes it to its call even when several calls are in flight on the instance. During a call, `echo`/print
// output is captured with an output buffer ([INFO] lines) and error_log() text (written to a private file) is
// read back after the call ([ERROR] lines); `$GLOBALS['fcLogger']` writes lines at its level.
declare(strict_types=1);

namespace Kumo\Runtime;

const MAX_LINE_BYTES = 32 * 1024;
const MAX_ERROR_LOG_BYTES = 1024 * 1024;

final class Log
{
    public static string $requestId = '';
    /** True from begin() to end(): a call (of any request id, even none) is running. */
    public static bool $inCall = false;
    private static string $partial = '';
    private static int $baseLevel = 0;
    /** @var resource|null */
    private static mixed $errorLog = null;

    /** Sends error_log() to a private file, read back after each call. */
    public static function install(string $errorLogPath): void
    {
        $handle = @fopen($errorLogPath, 'w+');
        if ($handle === false) return;
        self::$errorLog = $handle;
        ini_set('error_log', $errorLogPath);
    }

    public static function begin(string $requestId): void
    {
        self::$requestId = $requestId;
        self::$inCall = true;
        self::$partial = '';
        self::$baseLevel = ob_get_level();
        ob_start([self::class, 'capture'], 1);
    }

    /** Ends the call's capture: the user's own output buffers left open are flushed into the log first. */
    public static function end(): void
    {
        while (ob_get_level() > self::$baseLevel) {
            if (!@ob_end_flush()) break;
        }
        if (self::$partial !== '') self::write(self::$requestId, 'INFO', self::$partial);
        self::$partial = '';
        self::drainErrorLog();
        self::$requestId = '';
        self::$inCall = false;
    }

    /** The output buffer's callback: complete lines go out at once, a partial line waits (bounded). */
    public static function capture(string $chunk, int $phase): string
    {
        self::$partial .= $chunk;
        $last = strrpos(self::$partial, "\n");
        if ($last !== false) {
            self::write(self::$requestId, 'INFO', substr(self::$partial, 0, $last));
            self::$partial = substr(self::$partial, $last + 1);
        }
        if (strlen(self::$partial) > MAX_LINE_BYTES || ($phase & PHP_OUTPUT_HANDLER_FINAL && self::$partial !== '')) {
            self::write(self::$requestId, 'INFO', self::$partial);
            self::$partial = '';
        }
        return '';
    }

    /** Writes `text` as one framed line per line of text, straight to the process's stdout. */
    public static function write(string $requestId, string $level, string $text): void
    {
        $time = microtime(true);
        $head = gmdate('Y-m-d\TH:i:s', (int) $time) . sprintf('.%03dZ', (int) ($time * 1000) % 1000)
            . ($requestId === '' ? '' : " $requestId") . " [$level] ";
        $out = '';
        foreach (explode("\n", $text) as $line) {
            $out .= $head . rtrim($line, "\r") . "\n";
        }
        @fwrite(STDOUT, $out);
    }

    private static function drainErrorLog(): void
    {
        $handle = self::$errorLog;
        if ($handle === null || fstat($handle)['size'] === 0) return;
        rewind($handle);
        $text = (string) fread($handle, MAX_ERROR_LOG_BYTES);
        $dropped = fstat($handle)['size'] - strlen($text);
        ftruncate($handle, 0);
        rewind($handle);
        // PHP prefixes each message with its own `[01-Dec-2026 01:02:03 UTC] ` stamp: ours replaces it.
        $text = preg_replace('/^\[[^\]\n]*\] /m', '', rtrim($text, "\n")) ?? $text;
        self::write(self::$requestId, 'ERROR', $text);
        if ($dropped > 0) self::write(self::$requestId, 'ERROR', "error_log: $dropped more bytes dropped");
    }
}

/** FC's `$GLOBALS['fcLogger']`: Monolog's levels and method names; INFO by default. */
final class FcLogger
{
    public const DEBUG = 100;
    public const INFO = 200;
    public const NOTICE = 250;
    public const WARNING = 300;
    public const ERROR = 400;
    public const CRITICAL = 500;
    public const ALERT = 550;
    public const EMERGENCY = 600;
    private const NAMES = [
        100 => 'DEBUG', 200 => 'INFO', 250 => 'NOTICE', 300 => 'WARNING', 400 => 'ERROR', 500 => 'CRITICAL',
        550 => 'ALERT', 600 => 'EMERGENCY',
    ];
    private const ALIASES = ['warn' => 300, 'err' => 400, 'crit' => 500, 'emerg' => 600];

    private int $level = self::INFO;

    /** Accepts a level number (`500`) or name (`'critical'`), as Monolog does. */
    public function setLevel(int|string $level): void
    {
        $this->level = self::toLevel($level);
    }

    public function getLevel(): int
    {
        return $this->level;
    }

    public function log(int|string $level, mixed $message, array $context = []): void
    {
        $level = self::toLevel($level);
        if ($level < $this->level) return;
        $text = is_scalar($message) || $message instanceof \Stringable ? (string) $message : json_encode($message);
        if ($context) $text .= ' ' . json_encode($context, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
        Log::write(Log::$requestId, self::NAMES[$level] ?? 'INFO', (string) $text);
    }

    /** debug() … emergency(), and Monolog 1's warn(), err(), crit(), emerg(). */
    public function __call(string $name, array $arguments): void
    {
        $lower = strtolower($name);
        if (!in_array(strtoupper($lower), self::NAMES, true) && !isset(self::ALIASES[$lower])) {
            throw new \Error('Call to undefined method ' . self::class . "::$name()");
        }
        $this->log($lower, $arguments[0] ?? '', $arguments[1] ?? []);
    }

    private static function toLevel(int|string $level): int
    {
        if (is_int($level)) {
            foreach (array_keys(self::NAMES) as $known) {
                if ($level <= $known) return $known;
            }
            return self::EMERGENCY;
        }
        $name = strtolower($level);
        $found = array_search(strtoupper($name), self::NAMES, true);
        if ($found !== false) return $found;
        if (isset(self::ALIASES[$name])) return self::ALIASES[$name];
        throw new \InvalidArgumentException("Level \"$level\" is not defined");
    }
}
