import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository (or installed package) root, whether running compiled from dist/ or from source. */
export const packageRoot = here.includes(`${sep}dist${sep}`) ? resolve(here, '../../..') : resolve(here, '../..');

/** Where `npm run build` puts the browser agent. */
export const agentDistDir = resolve(packageRoot, 'dist/agent');

/** Where `npm run build` puts the demo apps served at /demo/. */
export const demoDistDir = resolve(packageRoot, 'dist/demo');

/** The source-map tools package, packed by `npm run build`, served at /tools/lookout-sourcemaps.tgz. */
export const sourcemapsToolTarball = resolve(packageRoot, 'dist/lookout-sourcemaps.tgz');

/** Where `npm run build` puts the dashboard served at /. */
export const dashboardDistDir = resolve(packageRoot, 'dist/dashboard');
