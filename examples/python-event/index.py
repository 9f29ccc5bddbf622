# An event function on the built-in Python runtime: `event` is bytes, the return value is the result.
import json
import logging

logger = logging.getLogger()


def initializer(context):
    logger.info("initializing once for this instance")


def handler(event, context):
    name = event.decode() or "world"
    logger.info("greeting %s", name)
    return json.dumps({"message": f"Hello, {name}!", "runtime": "python", "requestId": context.request_id})
