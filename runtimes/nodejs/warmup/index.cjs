'use strict';
// The handler a pre-warmed agent calls once, before it has a function, so the code of a call (loader, context,
// answer) is compiled and run once ahead of the function's first call (runtimes/nodejs/prewarm.cjs).
exports.handler = (event, _context, callback) => callback(null, event);
