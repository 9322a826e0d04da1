/**
 * The latest event's stack, newest frame first: symbolicated by default, the frames as sent on
 * request. Library frames are folded away until "Show all frames" (unless nothing is in-app).
 */
import { useState } from 'preact/hooks';
import type { HintContext, MinifiedFrame, StoredFrame } from '../frame-hints.js';
import { OriginalFrame, SentFrame } from './stack-frame.js';

export function StackTrace(props: { frames: StoredFrame[] | undefined; sent: MinifiedFrame[]; hints: HintContext }) {
  const [showAll, setShowAll] = useState(false);
  const [minified, setMinified] = useState(false);
  const frames = props.frames ?? [];
  const symbolicated = frames.length > 0;
  const anyInApp = frames.some((frame) => frame.in_app);
  const folding = symbolicated && anyInApp && !showAll;
  if (!symbolicated && props.sent.length === 0) return <p class="muted">The event came without a stack trace.</p>;
  return (
    <div class="stack">
      <div class="toolbar" role="group" aria-label="Stack trace display">
        <button type="button" aria-pressed={showAll} onClick={() => setShowAll(!showAll)} disabled={!anyInApp || frames.every((frame) => frame.in_app)}>
          Show all frames
        </button>
        <button type="button" aria-pressed={minified} onClick={() => setMinified(!minified)} disabled={!symbolicated}>
          Minified frames (as sent)
        </button>
        <span class="muted">
          {frames.length || props.sent.length} frames{anyInApp ? `, ${frames.filter((frame) => frame.in_app).length} in app` : ''}
        </span>
      </div>
      {!symbolicated && <p class="hint">These frames were not symbolicated: they are shown as the browser sent them.</p>}
      <ol class="frames">{symbolicated ? renderFrames(frames, minified, folding, props.hints, () => setShowAll(true)) : props.sent.map((frame) => <SentFrame frame={frame} inApp={false} />)}</ol>
    </div>
  );
}

/** Frames in order; with folding, each run of library frames becomes one "N library frames" button. */
function renderFrames(frames: StoredFrame[], minified: boolean, folding: boolean, hints: HintContext, unfold: () => void) {
  const items = [];
  for (let index = 0; index < frames.length; index++) {
    const frame = frames[index];
    if (folding && !frame.in_app) {
      let end = index;
      while (end + 1 < frames.length && !frames[end + 1].in_app) end++;
      const hidden = end - index + 1;
      items.push(
        <li class="frame folded">
          <button type="button" class="link-button" onClick={unfold}>
            {hidden} library {hidden === 1 ? 'frame' : 'frames'} hidden — show all frames
          </button>
        </li>,
      );
      index = end;
      continue;
    }
    items.push(minified ? <SentFrame frame={frame.minified} inApp={frame.in_app} /> : <OriginalFrame frame={frame} hints={hints} />);
  }
  return items;
}
