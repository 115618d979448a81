#!/usr/bin/env node
// The package's bin: the compiled CLI lives in dist/ (built by `npm install` through `prepare`).
import '../dist/cli.js';
