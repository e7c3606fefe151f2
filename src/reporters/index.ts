import type { Reporter } from './types.js';

export const reporters: Record<string, () => Promise<Reporter>> = {
  json: async () => (await import('./json.js')).json,
  stylish: async () => (await import('./stylish.js')).stylish,
};

export const reporterNames = Object.keys(reporters);
