import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { CodeBlock } from './code-block.js';

/**
 * A secret project token, shown once (the server keeps only its hash): focus lands here so a
 * screen reader announces it, and it stays until dismissed.
 */
export function TokenOnce(props: { token: string; title: string; level?: 2 | 3; children?: ComponentChildren; onDismiss: () => void; dismissLabel?: string }) {
  const box = useRef<HTMLElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <section class="panel token-once" ref={box} tabIndex={-1} aria-labelledby="token-once-heading">
      {props.level === 3 ? <h3 id="token-once-heading">{props.title}</h3> : <h2 id="token-once-heading">{props.title}</h2>}
      <p class="warning">
        <strong>Copy it now: it will not be shown again.</strong> Only its hash is stored; if it is lost, rotate the token.
      </p>
      <CodeBlock code={props.token} label="project token" />
      {props.children}
      <button type="button" onClick={props.onDismiss}>
        {props.dismissLabel ?? 'I have copied it'}
      </button>
    </section>
  );
}
