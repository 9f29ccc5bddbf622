<?php
// FC's PHP programming model: the `$context` array, `file.function` handler resolution, loading user code as
// FC's agent does (warnings and notices become ErrorException; the file's top-level variables become globals),
// and FC's error JSON {errorMessage, errorType, stackTrace: {file, line, traceString}}.
declare(strict_types=1);

namespace Kumo\Runtime;

/** A failure found before the user's code runs (bad handler string, missing file or function). */
final class HandlerError extends \Exception
{
    public function __construct(string $message, public readonly string $modulePath)
    {
        parent::__construct($message);
    }
}

/** FC's `$context` array (fields and types as FC's php7.2 agent builds it). */
function context_from(Request $request): array
{
    $h = fn (string $name) => $request->header($name);
    $int = fn (string $name) => $h($name) === '' ? '' : (int) $h($name);
    $baggages = [];
    if ($h('x-fc-tracing-opentracing-span-baggages') !== '') {
        $decoded = json_decode((string) base64_decode($h('x-fc-tracing-opentracing-span-baggages')), true);
        $baggages = is_array($decoded) ? $decoded : [];
    }
    return [
        'accountId' => $h('x-fc-account-id'),
        'requestId' => $h('x-fc-request-id') ?: 'unknown_request_id',
        'credentials' => [
            'accessKeyId' => $h('x-fc-access-key-id'),
            'accessKeySecret' => $h('x-fc-access-key-secret'),
            'securityToken' => $h('x-fc-security-token'),
        ],
        'function' => [
            'name' => $h('x-fc-function-name'),
            'handler' => $h('x-fc-function-handler'),
            'memory' => $int('x-fc-function-memory'),
            'timeout' => $int('x-fc-function-timeout'),
            'initializer' => $h('x-fc-function-initializer'),
            'initializationTimeout' => $int('x-fc-initialization-timeout'),
        ],
        'service' => [
            'name' => $h('x-fc-service-name'),
            'logProject' => $h('x-fc-service-logproject'),
            'logStore' => $h('x-fc-service-logstore'),
            'qualifier' => $h('x-fc-qualifier'),
            'versionId' => $h('x-fc-version-id'),
        ],
        'region' => $h('x-fc-region'),
        'retryCount' => (int) $h('x-fc-retry-count'),
        'tracing' => [
            'openTracingSpanContext' => $h('x-fc-tracing-opentracing-span-context'),
            'jaegerEndpoint' => $h('x-fc-tracing-jaeger-endpoint'),
            'openTracingSpanBaggages' => $baggages,
        ],
    ];
}

/**
 * The user's function for `handler` (`index.handler` → handler() in <code>/index.php; dots before the last one
 * are folders, as FC resolves them), loading its file on first use.
 */
function resolve_handler(string $handler, string $codeRoot): callable
{
    $dot = strrpos($handler, '.');
    if ($dot === false || $dot === 0) throw new HandlerError("Invalid handler '$handler'", '');
    $module = str_replace('.', '/', substr($handler, 0, $dot));
    $path = preg_replace('#/+#', '/', "$codeRoot/$module.php");
    if (!is_file($path)) throw new HandlerError("Module '$path' is missing.", $path);
    load_user_file($path);
    $function = substr($handler, $dot + 1);
    if (!function_exists($function)) throw new HandlerError("function $function not found", $path);
    return $function;
}

/** include_once in a function scope, then the file's top-level variables are made global, as FC's agent does. */
function load_user_file(string $__kumo_path): void
{
    include_once $__kumo_path;
    foreach (get_defined_vars() as $__kumo_name => $__kumo_value) {
        if (str_starts_with($__kumo_name, '__kumo_') || array_key_exists($__kumo_name, $GLOBALS)) continue;
        $GLOBALS[$__kumo_name] = $__kumo_value;
    }
}

/**
 * FC's error handler: warnings, notices and user errors (levels up to E_STRICT) are thrown as ErrorException;
 * deprecations are only logged. Unlike FC's, an error silenced with `@` stays silent (PHP 8 reports those too).
 */
function install_error_handler(): void
{
    set_error_handler(static function (int $level, string $message, string $file, int $line): bool {
        if ($level > E_STRICT || !(error_reporting() & $level)) return false;
        throw new \ErrorException($message, 0, $level, $file, $line);
    });
}

/** FC's error JSON for a throwable; the agent's own frames are cut from the trace. */
function error_payload(\Throwable $error, string $agentDir): array
{
    if ($error instanceof HandlerError) {
        return [
            'errorMessage' => $error->getMessage(),
            'errorType' => 'Exception',
            'stackTrace' => ['file' => $error->modulePath, 'line' => 0, 'traceString' => ''],
        ];
    }
    $trace = $error->getTraceAsString();
    $lines = [];
    foreach (explode("\n", $trace) as $line) {
        if (str_contains($line, $agentDir) || str_ends_with($line, '{main}')) break;
        if (!str_contains($line, 'Kumo\\Runtime\\')) $lines[] = $line; // e.g. the error handler's own frame
    }
    return [
        'errorMessage' => $error->getMessage(),
        'errorType' => get_class($error),
        'stackTrace' => [
            'file' => $error->getFile(),
            'line' => $error->getLine(),
            'traceString' => $lines ? implode("\n", $lines) . "\n" : '',
        ],
    ];
}

/** FC's name for a PHP error level (for fatal errors, which end the process). */
function error_level_name(int $level): string
{
    $names = [
        E_ERROR => 'E_ERROR', E_WARNING => 'E_WARNING', E_PARSE => 'E_PARSE', E_NOTICE => 'E_NOTICE',
        E_CORE_ERROR => 'E_CORE_ERROR', E_CORE_WARNING => 'E_CORE_WARNING', E_COMPILE_ERROR => 'E_COMPILE_ERROR',
        E_COMPILE_WARNING => 'E_COMPILE_WARNING', E_USER_ERROR => 'E_USER_ERROR', E_USER_WARNING => 'E_USER_WARNING',
        E_USER_NOTICE => 'E_USER_NOTICE', E_RECOVERABLE_ERROR => 'E_RECOVERABLE_ERROR',
        E_DEPRECATED => 'E_DEPRECATED', E_USER_DEPRECATED => 'E_USER_DEPRECATED',
    ];
    return $names[$level] ?? '';
}

/** FC's encoding of an event handler's result: a string as is, anything else json_encode'd. */
function encode_result(mixed $value): string
{
    return is_string($value) ? $value : json_encode($value, JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
}
