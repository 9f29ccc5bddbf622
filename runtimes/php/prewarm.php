<?php
// The agent's generic start (Kumo's pre-warmed pool, docs/prewarm.md): started with KUMO_PREWARM_TOKEN=<token> and
// no function, it serves exactly one request before it becomes a function's: POST /kumo/specialize with that token
// and the function's whole environment as JSON ({"env": {...}}). Every other request before it is refused (503);
// after it, the agent is the same as one started with that environment, and /kumo/specialize is an ordinary path
// of the function's.
declare(strict_types=1);

namespace Kumo\Runtime;

/** The pool's token, removed from the environment (getenv, $_ENV, $_SERVER) at once; '' for a normal start. */
function take_prewarm_token(): string
{
    $token = (string) getenv('KUMO_PREWARM_TOKEN');
    putenv('KUMO_PREWARM_TOKEN');
    unset($_ENV['KUMO_PREWARM_TOKEN'], $_SERVER['KUMO_PREWARM_TOKEN']);
    return $token;
}

/**
 * Makes `$next` the process's environment as PHP shows it: getenv() (and child processes), $_SERVER, and $_ENV
 * when variables_order fills it at start.
 * @param array<array-key, mixed> $next
 */
function replace_environment(array $next): void
{
    $withEnv = str_contains((string) ini_get('variables_order'), 'E');
    foreach (array_keys(getenv()) as $name) {
        if (array_key_exists($name, $next)) continue;
        putenv((string) $name);
        unset($_ENV[$name], $_SERVER[$name]);
    }
    foreach ($next as $name => $value) {
        $name = (string) $name;
        if ($name === '' || str_contains($name, '=') || str_contains($name, "\0") || !is_scalar($value)) continue;
        $value = (string) $value;
        putenv("$name=$value");
        $_SERVER[$name] = $value;
        if ($withEnv) $_ENV[$name] = $value;
    }
}

final class PrewarmGate
{
    private string $state = 'generic';
    private ?Agent $agent = null;

    /** @param \Closure(): Agent $start what a normal start does with the environment */
    public function __construct(
        private readonly string $token,
        private readonly \Closure $start,
        private readonly string $inited,
    ) {
    }

    public function handle(Request $request): Reply
    {
        if ($this->agent !== null) {
            if ($this->state === 'specialized') {
                // Said on the first call, as a normally started agent's line (printed on listening) mostly lands
                // in its function's first call's log.
                $this->state = 'serving';
                echo $this->inited . PHP_EOL;
            }
            return $this->agent->handle($request);
        }
        $path = explode('?', $request->target, 2)[0];
        $valid = $request->method === 'POST' && $path === '/kumo/specialize';
        $token = $request->header('x-kumo-prewarm-token');
        if ($this->state !== 'generic' || !$valid || !hash_equals($this->token, $token)) {
            return new Reply(503, [['Content-Type', 'text/plain']], 'this instance has no function yet');
        }
        $data = json_decode($request->body, true);
        $next = is_array($data) ? ($data['env'] ?? null) : null;
        if (!is_array($next)) {
            $this->state = 'failed'; // never serves anything: Kumo stops it
            return new Reply(400, [['Content-Type', 'text/plain']], 'no environment');
        }
        replace_environment($next);
        $this->agent = ($this->start)();
        $this->state = 'specialized';
        return new Reply(204);
    }
}
