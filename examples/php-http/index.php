<?php
// An HTTP function on the built-in PHP runtime (php7.2): FC's handler($request, $context) signature, a PSR-7
// request in and FC's RingCentral\Psr7\Response out (Kumo serves that name with Debian's guzzlehttp/psr7).
use RingCentral\Psr7\Response;

function handler($request, $context): Response
{
    $body = json_encode([
        'message' => 'Hello from a PHP HTTP function',
        'method' => $request->getMethod(),
        'path' => $request->getAttribute('path'),
        'queries' => $request->getQueryParams(),
        'body' => $request->getBody()->getContents(),
        'clientIP' => $request->getAttribute('clientIP'),
        'requestId' => $context['requestId'],
    ]);
    return new Response(200, ['Content-Type' => 'application/json'], $body);
}
