export { createCron } from './cron.js';
export { TimerTriggers } from './timer.js';
