<?php
// The functions of ringcentral/psr7 (the PSR-7 library FC's PHP runtime bundles) that FC code calls, mapped to
// guzzlehttp/psr7 2.x, whose static methods replaced the same functions. Skipped when the code brings its own.
declare(strict_types=1);

namespace RingCentral\Psr7;

use GuzzleHttp\Psr7\Header;
use GuzzleHttp\Psr7\Message;
use GuzzleHttp\Psr7\MimeType;
use GuzzleHttp\Psr7\Query;
use GuzzleHttp\Psr7\Utils;

if (!function_exists(__NAMESPACE__ . '\str')) {
    function str($message)
    {
        return Message::toString($message);
    }

    function uri_for($uri)
    {
        return Utils::uriFor($uri);
    }

    function stream_for($resource = '', array $options = [])
    {
        return Utils::streamFor($resource, $options);
    }

    function parse_header($header)
    {
        return Header::parse($header);
    }

    function normalize_header($header)
    {
        return Header::normalize($header);
    }

    function parse_query($str, $urlEncoding = true)
    {
        return Query::parse($str, $urlEncoding);
    }

    function build_query(array $params, $encoding = PHP_QUERY_RFC3986)
    {
        return Query::build($params, $encoding);
    }

    function copy_to_string($stream, $maxLen = -1)
    {
        return Utils::copyToString($stream, $maxLen);
    }

    function copy_to_stream($source, $dest, $maxLen = -1)
    {
        Utils::copyToStream($source, $dest, $maxLen);
    }

    function parse_request($message)
    {
        return Message::parseRequest($message);
    }

    function parse_response($message)
    {
        return Message::parseResponse($message);
    }

    function mimetype_from_filename($filename)
    {
        return MimeType::fromFilename($filename);
    }

    function mimetype_from_extension($extension)
    {
        return MimeType::fromExtension($extension);
    }
}
