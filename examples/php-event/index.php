<?php
// An event function on the built-in PHP runtime (php7.2): FC's handler($event, $context) signature.
// Top-level variables become globals and live as long as the instance, as on FC.
$greeting = 'Hello';

function initializer($context)
{
    global $greeting;
    $greeting = 'Howdy';
    $GLOBALS['fcLogger']->info('php-event initialized');
}

function handler($event, $context)
{
    global $greeting;
    $name = $event === '' ? 'world' : $event;
    $GLOBALS['fcLogger']->info("php-event handled $name");
    return ['message' => "$greeting, $name!", 'runtime' => 'php', 'requestId' => $context['requestId']];
}
