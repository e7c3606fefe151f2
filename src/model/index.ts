export * from './types.js';
export * from './queries.js';
