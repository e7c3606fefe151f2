#!/usr/bin/env node
import module from 'node:module';
import { run } from '../dist/cli.js';

// Node 22.1+ keeps V8's compiled code for our modules between runs (in the OS temp directory):
// the commands' chunks, imported lazily after this line, then start without compiling. Node 20
// has no such switch.
module.enableCompileCache?.();
await run(process.argv.slice(2));
