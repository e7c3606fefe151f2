import type { Reporter } from './types.js';

export const reporters: Record<string, () => Promise<Reporter>> = {
  json: async () => (await import('./json.js')).json,
  stylish: async () => (await import('./stylish.js')).stylish,
  sarif: async () => (await import('./sarif.js')).sarif,
  github: async () => (await import('./github.js')).github,
  junit: async () => (await import('./junit.js')).junit,
  gitlab: async () => (await import('./gitlab.js')).gitlab,
  markdown: async () => (await import('./markdown.js')).markdown,
};

export const reporterNames = Object.keys(reporters);
