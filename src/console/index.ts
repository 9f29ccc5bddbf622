export { type MetricsHistory, metricsAnswer } from './metrics.js';
export {
  CONSOLE_HEADER,
  consoleKeyOf,
  isConsoleRequest,
  rawWithoutConsoleSession,
  SESSION_HEADER,
  sessionIdOf,
  withoutConsoleSession,
  withoutOriginWideHeaders,
} from './request-auth.js';
export { type ConsoleDeps, registerConsoleRoutes } from './routes.js';
export { ConsoleSessions, DEFAULT_SESSION_LIMITS, type SessionLimits } from './sessions.js';
export { CONSOLE_ASSETS_DIR, registerConsoleAssets } from './static.js';
export { DEFAULT_THROTTLE_LIMITS, SignInThrottle, type ThrottleLimits } from './throttle.js';
