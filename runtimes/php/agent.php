<?php
// Kumo's agent for FC's built-in PHP runtime (php7.2, served on the machine's PHP 8).
// Started as `php <runtimes>/php/agent.php` with the user's code in FC_FUNC_CODE_PATH; serves FC's
// custom-runtime protocol on 0.0.0.0:$FC_SERVER_PORT (FC_RUNTIME.md §1.2), one call at a time:
//   POST /invoke       (X-Fc-Control-Path /invoke)      handler($event, $context) → string or json_encode'd value
//   POST /initialize   (X-Fc-Control-Path /initialize)  initializer($context), once per instance
//   GET  /pre-stop, /pre-freeze                          the hook($context)
//   any request        (X-Fc-Control-Path /http-invoke) handler(ServerRequestInterface, $context) → PSR-7 response
// Failures answer 404 + `x-fc-status: 404` with FC's error JSON. A fatal error or exit() in user code ends the
// process as on FC: the call gets no answer (Kumo reports "Process exited unexpectedly") and the log says why.
// Started by Kumo's pre-warmed pool (KUMO_PREWARM_TOKEN), it waits for the function's environment (prewarm.php).
// Not strict_types: this file calls the user's functions, which FC's agent calls in PHP's default (coercive) mode.
namespace Kumo\Runtime;

require __DIR__ . '/http_server.php';
require __DIR__ . '/logging.php';
require __DIR__ . '/invoke.php';
require __DIR__ . '/http_function.php';
require __DIR__ . '/prewarm.php';

const AGENT_DIR = __DIR__ . '/';
// FC_* variables user code may see (FC_RUNTIME.md §1.6); every other FC_* / _FC_* variable is the platform's.
const KEPT_FC_VARS = [
    'FC_FUNC_CODE_PATH', 'FC_FUNCTION_MEMORY_SIZE', 'FC_ACCOUNT_ID', 'FC_FUNCTION_HANDLER', 'FC_FUNCTION_NAME',
    'FC_SERVICE_NAME', 'FC_QUALIFIER', 'FC_REGION', 'FC_INSTANCE_ID', 'FC_SERVER_PORT', 'FC_CUSTOM_LISTEN_PORT',
    'FC_RUNTIME_VERSION', 'FC_VER_ID', 'FC_FUNCTION_VERSION',
];
const LIFECYCLE = [
    '/initialize' => 'x-fc-function-initializer',
    '/pre-stop' => 'x-fc-instance-lifecycle-pre-stop-handler',
    '/pre-freeze' => 'x-fc-instance-lifecycle-pre-freeze-handler',
];

final class Agent
{
    private bool $initialized = false;
    private bool $psr7 = false;

    public function __construct(private readonly string $codeRoot, private readonly array $config)
    {
        $this->psr7 = load_psr7();
    }

    public function handle(Request $request): Reply
    {
        $control = $this->controlPath($request);
        $requestId = $request->header('x-fc-request-id');
        Log::begin($requestId);
        try {
            return match (true) {
                $control === '/invoke' => $this->invoke($request),
                $control === '/http-invoke' => $this->httpInvoke($request),
                isset(LIFECYCLE[$control]) => $this->lifecycle($control, $request),
                default => new Reply(400, [['Content-Type', 'text/plain']], "unknown x-fc-control-path $control"),
            };
        } catch (\Throwable $error) {
            return $this->failure($error);
        } finally {
            Log::end();
        }
    }

    private function controlPath(Request $request): string
    {
        $control = $request->header('x-fc-control-path');
        if ($control !== '') return $control;
        $path = explode('?', $request->target, 2)[0];
        if ($request->method === 'POST' && ($path === '/invoke' || $path === '/initialize')) return $path;
        return $path === '/pre-stop' || $path === '/pre-freeze' ? $path : '/http-invoke';
    }

    private function handler(Request $request): callable
    {
        return resolve_handler($request->header('x-fc-function-handler') ?: $this->config['handler'], $this->codeRoot);
    }

    private function invoke(Request $request): Reply
    {
        $handler = $this->handler($request);
        $result = encode_result($handler($request->body, context_from($request)));
        return new Reply(200, [['Content-Type', 'application/octet-stream']], $result);
    }

    private function lifecycle(string $control, Request $request): Reply
    {
        if ($control === '/initialize' && $this->initialized) return new Reply(200);
        $name = $request->header(LIFECYCLE[$control]);
        if ($name === '' && $control === '/initialize') $name = $this->config['initializer'];
        if ($name !== '') resolve_handler($name, $this->codeRoot)(context_from($request));
        if ($control === '/initialize') $this->initialized = true;
        return new Reply(200);
    }

    private function httpInvoke(Request $request): Reply
    {
        if (!$this->psr7) {
            throw new \RuntimeException('HTTP functions need PSR-7: install the php-guzzlehttp-psr7 Debian package');
        }
        $handler = $this->handler($request);
        $context = context_from($request);
        $reply = reply_from($handler(psr7_request($request, $context), $context));
        if (is_string($reply->body)) return $reply;
        // A streamed body runs user code while it is sent: its output and errors still belong to this call.
        $next = $reply->body;
        $requestId = Log::$requestId;
        return new Reply($reply->status, $reply->headers, function () use ($next, $requestId): ?string {
            Log::begin($requestId);
            try {
                return $next();
            } catch (\Throwable $error) {
                Log::write($requestId, 'ERROR', json_encode(error_payload($error, AGENT_DIR), JSON_INVALID_UTF8_SUBSTITUTE));
                throw $error;
            } finally {
                Log::end();
            }
        });
    }

    private function failure(\Throwable $error): Reply
    {
        $text = json_encode(error_payload($error, AGENT_DIR), JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE);
        Log::write(Log::$requestId, 'ERROR', $text);
        return new Reply(404, [
            ['Content-Type', 'application/json'],
            ['x-fc-status', '404'],
            ['x-fc-error-type', 'UnhandledInvocationError'],
        ], $text);
    }
}

/** exit() or a fatal error during a call: log why (FC's error JSON for a fatal error), then let the process end. */
function on_shutdown(): void
{
    if (!Log::$inCall) return;
    ini_set('memory_limit', '-1'); // a fatal "memory exhausted" must still be reported
    $requestId = Log::$requestId;
    Log::end();
    $last = error_get_last();
    $fatal = E_ERROR | E_PARSE | E_CORE_ERROR | E_COMPILE_ERROR | E_USER_ERROR | E_RECOVERABLE_ERROR;
    if ($last !== null && ($last['type'] & $fatal)) {
        $payload = [
            'errorMessage' => $last['message'],
            'errorType' => error_level_name($last['type']),
            'stackTrace' => ['file' => $last['file'], 'line' => $last['line'], 'traceString' => ''],
        ];
        Log::write($requestId, 'ERROR', json_encode($payload, JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE));
    } else {
        Log::write($requestId, 'ERROR', 'exit() was called during the call: the PHP process ended');
    }
}

/** What a start does with the environment: FC's internal variables out, the code folder, logging, the agent. */
function start_agent(): Agent
{
    $env = getenv();
    $codeRoot = rtrim(($env['FC_FUNC_CODE_PATH'] ?? '') ?: (string) getcwd(), '/') ?: '/';
    $config = [
        'handler' => $env['FC_FUNCTION_HANDLER'] ?? '',
        'initializer' => ($env['FC_INITIALIZER_HANDLER'] ?? '') ?: ($env['FC_FUNCTION_INITIALIZER'] ?? ''),
    ];
    foreach (array_keys($env) as $name) {
        if ((str_starts_with($name, 'FC_') || str_starts_with($name, '_FC_')) && !in_array($name, KEPT_FC_VARS, true)) {
            putenv($name);
            unset($_ENV[$name], $_SERVER[$name]);
        }
    }
    if (is_dir($codeRoot)) chdir($codeRoot);

    Log::install(sys_get_temp_dir() . '/.kumo-php-error-' . getmypid() . '.log');
    install_error_handler();
    register_shutdown_function(__NAMESPACE__ . '\on_shutdown');
    $GLOBALS['fcLogger'] = new FcLogger();
    if (function_exists('pcntl_async_signals')) {
        pcntl_async_signals(true);
        foreach ([SIGTERM, SIGINT] as $signal) {
            pcntl_signal($signal, function (): never {
                Log::$inCall = false; // Kumo stops the instance: not the function's exit()
                exit(0);
            });
        }
    }

    return new Agent($codeRoot, $config);
}

function main(): never
{
    $token = take_prewarm_token();
    $port = (int) ((getenv('FC_SERVER_PORT') ?: getenv('FC_CUSTOM_LISTEN_PORT')) ?: '9000');
    $inited = 'FunctionCompute php7.2 runtime inited.';
    if ($token !== '') {
        $gate = new PrewarmGate($token, start_agent(...), $inited);
        (new HttpServer($port))->serve([$gate, 'handle']);
    }
    $agent = start_agent();
    $server = new HttpServer($port);
    echo $inited . PHP_EOL;
    $server->serve([$agent, 'handle']);
}

main();
