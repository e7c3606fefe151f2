export * from './types.js';
export * from './queries.js';
export * from './locks.js';
