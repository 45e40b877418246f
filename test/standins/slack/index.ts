export * from './slack-standin.js';
export * from './slack-signing.js';
export * from './slack-payloads.js';
export { TRIGGER_LIFETIME_MS } from './slack-web-methods.js';
export * from './slack-transports.js';
