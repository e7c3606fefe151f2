export declare const TOOLS: Record<string, { pkg: string; version: string }>;
export declare function ensureTool(name: string): string;
export declare function toolBin(name: string): string;
