#!/usr/bin/env node
// CommonJS (bin/package.json): a CommonJS entry point spares Node's ES module loader, ~5 ms a run.
// The command line is one bundle, dist/cli.cjs, compiled from a V8 code cache that an earlier run
// left (src/code-cache.ts). Node 22.1+ also keeps the compiled code of the packages it loads.
'use strict';
const { enableCompileCache } = require('node:module');
const path = require('node:path');

if (typeof enableCompileCache === 'function' && !process.env.NODE_DISABLE_COMPILE_CACHE) enableCompileCache();
require('../dist/code-cache.cjs').runCli(path.join(__dirname, '..', 'dist'), process.argv.slice(2));
