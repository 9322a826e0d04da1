/**
 * Builds the demo served by the collector at /demo/ into dist/demo: static pages, AngularJS from
 * node_modules, and the Angular app bundled with esbuild. Run by `npm run build`.
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const out = join(root, 'dist/demo');

await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'vendor'), { recursive: true });
for (const file of ['index.html', 'demo.css', 'origin.js', 'lookout-init.js', 'angularjs/index.html', 'angularjs/app.js', 'angular/index.html']) {
  await cp(join(here, file), join(out, file), { recursive: true });
}
await cp(join(root, 'node_modules/angular/angular.min.js'), join(out, 'vendor/angular.min.js'));
await cp(join(root, 'node_modules/angular-route/angular-route.min.js'), join(out, 'vendor/angular-route.min.js'));
await build({
  entryPoints: [join(here, 'angular/main.ts')],
  outfile: join(out, 'angular/main.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2022',
  tsconfigRaw: { compilerOptions: { experimentalDecorators: false } },
  // With its source map, which the collector registers for the default project at start
  // (collector/src/demo/demo-artifacts.ts), so the demo's errors show their TypeScript source.
  sourcemap: true,
  sourcesContent: true,
  logLevel: 'warning',
});
