/**
 * A release's source-map coverage — the share of its error frames that were mapped back to
 * source — and, when it is low, the command that fixes it. The release name is event data: it
 * only ever appears as text (and shell-quoted in the command).
 */
import { count } from '../format.js';
import { CodeBlock } from './code-block.js';

export interface SourceMapCoverage {
  frames: number;
  mapped: number;
  coverage: number | null;
}

/** Below this share, stack traces read as minified code often enough to be worth fixing. */
export const LOW_COVERAGE = 0.8;

export const isLowCoverage = (maps: SourceMapCoverage) => maps.coverage !== null && maps.coverage < LOW_COVERAGE;

export function CoverageCell(props: { maps: SourceMapCoverage }) {
  const { frames, mapped, coverage } = props.maps;
  if (coverage === null) return <span class="muted">no error frames</span>;
  const rating = coverage >= LOW_COVERAGE ? 'good' : coverage >= 0.5 ? 'ni' : 'poor';
  return (
    <span>
      {count(mapped)} of {count(frames)} frames mapped <span class={`badge ${rating}`}>{Math.round(coverage * 100)} %</span>
    </span>
  );
}

/** POSIX shell quoting, so a release such as `web 1.4 (beta)` pastes as one argument. */
const shellQuote = (text: string) => (/^[\w.@/:+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

/** Folded by default: one line per release, the command when asked for. */
export function CoverageHint(props: { release: string | null; projectId: number }) {
  if (props.release === null)
    return (
      <p class="hint release-hint">
        Errors without a release cannot use uploaded source maps: pass <code>release</code> to <code>Lookout.init</code> and upload that release's maps.
      </p>
    );
  const command = `npx lookout-sourcemaps upload --url ${location.origin} --project ${props.projectId} --token "$LOOKOUT_TOKEN" --release ${shellQuote(props.release)} dist`;
  return (
    <details class="release-hint">
      <summary>Stack traces of this release are still minified: upload its source maps</summary>
      <p class="hint">
        After each build, before deploying (in the collector's checkout the command is <code>lookout sourcemaps upload</code>; details in docs/sourcemaps.md):
      </p>
      <CodeBlock code={command} label="upload command" />
    </details>
  );
}
