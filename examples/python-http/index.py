# An HTTP function on the built-in Python runtime: a plain WSGI application, no framework needed.
import json


def handler(environ, start_response):
    context = environ["fc.context"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode() if length else ""
    payload = json.dumps({
        "message": "Hello from a WSGI function",
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "query": environ.get("QUERY_STRING", ""),
        "body": body,
        "requestId": context.request_id,
    }).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]
