/**
 * The dashboard's page for the root rollup build: the stylesheet (ours, then uPlot's) as a
 * hashed asset, and index.html naming the hashed script and stylesheet — no inline script or
 * style, so the collector's Content-Security-Policy can forbid both.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const dashboardPage = ({ outDir }) => ({
  name: 'dashboard-page',
  writeBundle(_options, bundle) {
    // Old hashed files would otherwise pile up, and the collector serves what is in the folder.
    const assets = join(outDir, 'assets');
    if (!existsSync(assets)) return;
    for (const name of readdirSync(assets)) if (!bundle[`assets/${name}`]) rmSync(join(assets, name));
  },
  generateBundle(_options, bundle) {
    // base.css first, then each view's own file, then uPlot's.
    const styles = new URL('./src/styles/', import.meta.url);
    const names = readdirSync(styles).filter((name) => name.endsWith('.css')).sort((a, b) => (a === 'base.css' ? -1 : b === 'base.css' ? 1 : a.localeCompare(b)));
    const css = [...names.map((name) => readFileSync(new URL(name, styles), 'utf8')), readFileSync(new URL('../node_modules/uplot/dist/uPlot.min.css', import.meta.url), 'utf8')].join('\n');
    const cssRef = this.emitFile({ type: 'asset', name: 'app.css', source: css });
    const entry = Object.values(bundle).find((file) => file.type === 'chunk' && file.isEntry);
    const html = readFileSync(new URL('./index.html', import.meta.url), 'utf8')
      .replace('%CSS%', `/${this.getFileName(cssRef)}`)
      .replace('%JS%', `/${entry.fileName}`);
    this.emitFile({ type: 'asset', fileName: 'index.html', source: html });
  },
});
