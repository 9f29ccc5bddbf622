export { type GatewayDeps, parseProxyUrl, registerGateway } from './proxy.js';
