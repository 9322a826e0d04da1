#!/usr/bin/env node
// Runs the compiled collector (npm run build writes dist/).
import { main } from '../dist/collector/src/cli.js';

await main(process.argv.slice(2));
