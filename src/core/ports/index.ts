export type * from './chat.js';
export type * from './findings-source.js';
export type * from './interactions.js';
export type * from './logger.js';
export type * from './repository-registry.js';
export type * from './state-store.js';
export type * from './ticket-tracker.js';
export type * from './work-queue.js';
