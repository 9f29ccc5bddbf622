/** The account and root key every test server and in-process app is started with. */
export const ACCESS_KEY_ID = 'KUMOTESTKEY';
export const ACCESS_KEY_SECRET = 'kumo-test-secret';
export const ACCOUNT_ID = '1234567890123456';
