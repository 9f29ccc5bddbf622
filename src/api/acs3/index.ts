export { NonceWindow } from './nonces.js';
export {
  ACS3_ALGORITHM,
  acs3Signature,
  acsTimestamp,
  canonicalRequest,
  type SignAcs3Input,
  signAcs3Request,
  stringToSign,
} from './sign.js';
export { checkContentSha256, headersFromRaw, verifyAcs3Signature } from './verify.js';
