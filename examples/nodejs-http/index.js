// An HTTP function on the built-in Node.js runtime: FC's (request, response, context) signature.
exports.handler = (request, response, context) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    response.setStatusCode(200);
    response.setHeader('content-type', 'application/json');
    response.send(
      JSON.stringify({
        message: 'Hello from an HTTP function',
        method: request.method,
        path: request.path,
        queries: request.queries,
        body: Buffer.concat(chunks).toString(),
        requestId: context.requestId,
      }),
    );
  });
};
