import { useState } from 'preact/hooks';

/** Code to paste, with a copy button; the code is text, never markup. */
export function CodeBlock(props: { code: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="code-block">
      {/* Focusable: a snippet wider than the screen scrolls from the keyboard. */}
      <pre aria-label={props.label} tabIndex={0}>
        <code>{props.code}</code>
      </pre>
      <button
        type="button"
        onClick={async () => {
          await navigator.clipboard.writeText(props.code).catch(() => {});
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        }}
      >
        {copied ? 'Copied' : `Copy ${props.label}`}
      </button>
    </div>
  );
}
