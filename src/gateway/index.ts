export { DomainTable } from './domains.js';
export { type GatewayDeps, parseProxyUrl, registerGateway } from './proxy.js';
