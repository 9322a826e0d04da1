import { LinesField } from './rule-fields.js';

/** `*`, an exact origin, or a subdomain pattern — what collector/src/ingest/origins.ts accepts. */
const ORIGIN = /^(\*|https?:\/\/(\*\.)?[^/\s*]+)\/?$/i;

export const originLines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** What is wrong with the origins, or undefined. */
export function checkOrigins(text: string): string | undefined {
  const origins = originLines(text);
  if (origins.length === 0) return 'Give at least one origin, or * for any.';
  if (origins.length > 100) return 'At most 100 origins.';
  const bad = origins.find((origin) => origin.length > 300 || !ORIGIN.test(origin));
  return bad ? `“${bad}” is not an origin: use https://app.example.com, https://*.example.com or *.` : undefined;
}

/** The allowed-origins textarea with what `*` and patterns mean. */
export function OriginsField(props: { id: string; value: string; error?: string; onInput: (value: string) => void }) {
  return (
    <LinesField
      id={props.id}
      label="Allowed origins"
      rows={4}
      value={props.value}
      error={props.error}
      onInput={props.onInput}
      hint={
        <>
          One a line: the sites whose pages may send events with this project's ingest key. An exact origin (<code>https://shop.example.com</code>, no path), a
          subdomain pattern (<code>https://*.example.com</code>), or <code>*</code> for any site — fine while trying things out, but anyone who copies the
          public key could then send events.
        </>
      }
    />
  );
}
