/**
 * The self-contained HTML report: one file that opens offline from file:// — uPlot's script and
 * stylesheet inlined, the run summary as a JSON block, and the page's own script building the
 * tables and charts from it. A Content-Security-Policy allows only those two scripts (by hash),
 * so even a request name that slipped past the escaping could not run as script.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { RunSummary } from '../contract.js';
import { REPORT_SCRIPT } from './report-script.js';

export interface ReportAssets {
  uplotJs: string;
  uplotCss: string;
}

/** uPlot's browser build, read from the installed package. */
export async function loadReportAssets(): Promise<ReportAssets> {
  const require = createRequire(import.meta.url);
  const resolve = (file: string) => {
    try {
      return require.resolve(`uplot/dist/${file}`);
    } catch (error) {
      throw new Error(`the HTML report needs the uplot package (uplot/dist/${file}): install it next to lookout`, { cause: error });
    }
  };
  const [uplotJs, uplotCss] = await Promise.all([readFile(resolve('uPlot.iife.min.js'), 'utf8'), readFile(resolve('uPlot.min.css'), 'utf8')]);
  return { uplotJs, uplotCss };
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char]);

/**
 * JSON that is safe inside `<script type="application/json">`: every `<` becomes `\u003c`, so
 * no `</script` or `<!--` can end or derail the block (JSON.parse reads it back unchanged).
 */
export const jsonForScript = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** Inline script content must not contain its own end tag. */
function inlineScript(code: string): string {
  if (/<\/script|<!--/i.test(code)) throw new Error('a script inlined into the report contains "</script" or "<!--"');
  return code;
}

const scriptHash = (code: string) => `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;

const STYLE = `
  :root { color-scheme: light; --ok: #2e7d32; --ko: #c62828; --muted: #6b7280; --line: #e5e7eb; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; background: #f5f6f8; }
  header { background: #1f2937; color: #f9fafb; padding: 20px 32px; }
  header h1 { margin: 0 0 4px; font-size: 22px; overflow-wrap: anywhere; }
  header .kind { color: #9ca3af; font-size: 12px; text-transform: uppercase; letter-spacing: .06em; }
  #facts { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 12px 0 0; }
  #facts dt { color: #9ca3af; font-size: 12px; }
  #facts dd { margin: 0; overflow-wrap: anywhere; }
  main { max-width: 1240px; margin: 0 auto; padding: 20px 32px 48px; }
  #tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin-bottom: 16px; }
  .tile { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
  .tile-label { display: block; color: var(--muted); font-size: 12px; }
  .tile strong { font-size: 18px; }
  .tile.ok strong { color: var(--ok); } .tile.ko strong { color: var(--ko); }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin-bottom: 16px; }
  .card h2 { margin: 0 0 12px; font-size: 16px; }
  .scroll { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; }
  th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
  th { font-size: 12px; color: var(--muted); font-weight: 600; white-space: nowrap; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  table.stats td:not(:first-child), table.stats th:not(:first-child) { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  table.stats .name { display: inline-block; overflow-wrap: anywhere; }
  tr.global td { font-weight: 600; background: #f9fafb; }
  tr.group td { font-weight: 600; color: #374151; }
  td { overflow-wrap: anywhere; }
  .badge { display: inline-block; white-space: nowrap; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
  .badge.ok { background: var(--ok); } .badge.ko { background: var(--ko); }
  .muted { color: var(--muted); margin: 0; }
  .chart { width: 100%; }
`;

export function reportHtml(summary: RunSummary, assets: ReportAssets): string {
  const uplotJs = inlineScript(assets.uplotJs);
  const script = inlineScript(REPORT_SCRIPT);
  const csp = `default-src 'none'; script-src ${scriptHash(uplotJs)} ${scriptHash(script)}; style-src 'unsafe-inline'; img-src data:`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${escapeHtml(summary.simulation)} — load test report</title>
<link rel="icon" href="data:,">
<style>${assets.uplotCss.replace(/<\/style/gi, '<\\/style')}</style>
<style>${STYLE}</style>
</head>
<body>
<header>
  <div class="kind">Lookout load test</div>
  <h1 id="title"></h1>
  <dl id="facts"></dl>
</header>
<main id="report">
  <noscript><p>This report draws its tables and charts with JavaScript; the raw figures are in summary.json next to it.</p></noscript>
  <div id="tiles"></div>
</main>
<script type="application/json" id="run-summary">${jsonForScript(summary)}</script>
<script>${uplotJs}</script>
<script>${script}</script>
</body>
</html>
`;
}
