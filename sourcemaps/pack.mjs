// Packs dist/sourcemaps-tool (written by rollup.config.mjs) into dist/lookout-sourcemaps.tgz,
// the file collectors serve at /tools/lookout-sourcemaps.tgz. npm's own packer, offline.
import { execFileSync } from 'node:child_process';
import { renameSync } from 'node:fs';

const out = execFileSync('npm', ['pack', './dist/sourcemaps-tool', '--pack-destination', 'dist', '--json', '--silent'], { encoding: 'utf8' });
const [{ filename }] = JSON.parse(out);
renameSync(`dist/${filename}`, 'dist/lookout-sourcemaps.tgz');
