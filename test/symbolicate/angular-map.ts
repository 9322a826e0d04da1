/**
 * A real multi-megabyte source map: the installed Angular packages + rxjs bundled and minified
 * by esbuild (what an Angular app's production vendor chunk looks like). Built in memory.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export interface BuiltBundle {
  code: string;
  map: string;
}

const ENTRY = `
import * as core from '@angular/core';
import * as common from '@angular/common';
import * as http from '@angular/common/http';
import * as router from '@angular/router';
import * as platformBrowser from '@angular/platform-browser';
import * as rxjs from 'rxjs';
import * as operators from 'rxjs/operators';
globalThis.__lookoutBench = [core, common, http, router, platformBrowser, rxjs, operators];
`;

export async function buildAngularBundle(): Promise<BuiltBundle> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'bench-entry.js', loader: 'js' },
    bundle: true,
    minify: true,
    sourcemap: 'external',
    sourcesContent: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: 'angular-bundle.js',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  return { code, map };
}

/** `count` random generated positions (0-based line, column) inside the bundle's code. */
export function randomPositions(code: string, count: number, seed = 42): { line: number; column: number }[] {
  const lines = code.split('\n');
  let s = seed >>> 0;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const out: { line: number; column: number }[] = [];
  while (out.length < count) {
    const line = Math.floor(rand() * lines.length);
    if (!lines[line].length) continue;
    out.push({ line, column: Math.floor(rand() * lines[line].length) });
  }
  return out;
}
