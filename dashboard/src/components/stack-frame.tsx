/** One frame of a stack: where it points (original or as sent), its source context, and why it is not mapped. */
import { frameHint, statusLabel, statusTone, type HintContext, type MinifiedFrame, type StoredFrame } from '../frame-hints.js';

const position = (file: string | null | undefined, line: number | null | undefined, column: number | null | undefined) =>
  `${file || '(unknown file)'}${line ? `:${line}` : ''}${line && column ? `:${column}` : ''}`;

export function OriginalFrame(props: { frame: StoredFrame; hints: HintContext }) {
  const { frame } = props;
  const hint = frameHint(frame, props.hints);
  return (
    <li class={frameClass(frame.in_app)}>
      <div class="frame-head">
        <span class="frame-function">{frame.function || '(anonymous)'}</span>
        <span class="where">{position(frame.file, frame.line, frame.column)}</span>
        <span class={`badge ${statusTone(frame.status)}`}>{statusLabel(frame.status)}</span>
        {frame.in_app ? <span class="badge">in app</span> : <span class="muted frame-kind">{frame.ignored ? 'third-party (ignore list)' : 'library'}</span>}
      </div>
      {frame.context && frame.line ? <SourceContext context={frame.context} line={frame.line} /> : null}
      {hint && (
        <div class="frame-hint">
          <p>{hint.text}</p>
          {hint.command && <code class="frame-command">{hint.command}</code>}
          {frame.reason && <p class="muted frame-reason">Collector: {frame.reason}</p>}
        </div>
      )}
      {frame.status !== 'mapped' || !frame.in_app ? null : <MinifiedLine frame={frame.minified} />}
    </li>
  );
}

/** The frame as the browser reported it (minified). */
export function SentFrame(props: { frame: MinifiedFrame; inApp: boolean }) {
  return (
    <li class={frameClass(props.inApp)}>
      <div class="frame-head">
        <span class="frame-function">{props.frame.function || '(anonymous)'}</span>
        <span class="where">{position(props.frame.file, props.frame.line, props.frame.column)}</span>
      </div>
    </li>
  );
}

const frameClass = (inApp: boolean) => (inApp ? 'frame in-app' : 'frame');

function MinifiedLine(props: { frame: MinifiedFrame }) {
  return <div class="muted frame-sent mono">sent as {position(props.frame.file, props.frame.line, props.frame.column)}</div>;
}

/** The lines around the frame's line, numbered, the frame's own line highlighted. */
function SourceContext(props: { context: NonNullable<StoredFrame['context']>; line: number }) {
  const { pre, line, post } = props.context;
  const first = props.line - pre.length;
  const lines = [...pre, line, ...post];
  return (
    <pre class="context" aria-label={`Source around line ${props.line}`}>
      {lines.map((text, index) => {
        const number = first + index;
        const current = number === props.line;
        return (
          <code class={current ? 'line current' : 'line'}>
            <span class="line-no" aria-hidden="true">
              {number}
            </span>
            {current && <span class="visually-hidden">Error line {number}: </span>}
            {text}
          </code>
        );
      })}
    </pre>
  );
}
