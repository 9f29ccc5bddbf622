// An event function on the built-in Node.js runtime: `event` is a Buffer, return (or callback) the result.
let invocations = 0;

exports.initializer = (context, callback) => {
  context.logger.info('initializing once for this instance');
  callback(null, '');
};

exports.handler = async (event, context) => {
  invocations++;
  const name = event.toString() || 'world';
  context.logger.info(`greeting ${name}`);
  return { message: `Hello, ${name}!`, runtime: 'nodejs', invocationsOnThisInstance: invocations };
};
