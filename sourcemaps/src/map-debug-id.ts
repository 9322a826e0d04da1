/**
 * Writing `debugId` into a source map's JSON (top level, for index maps too). The map is
 * edited as text when it has no `debugId` yet: the rest stays byte for byte, however large
 * or pretty-printed it is.
 */

export type MapDebugIdEdit =
  | { ok: true; text: string; changed: boolean; replaced?: string }
  | { ok: false; reason: string };

/** `text` with `debugId: id`; what replaced an older, different ID; or why `text` is no source map. */
export function setMapDebugId(text: string, id: string): MapDebugIdEdit {
  // A map may start with a BOM and with `)]}'` (against XSSI) on a line of its own.
  const start = text.indexOf('{');
  if (start < 0 || !/^\uFEFF?(\)\]\}'[^\n]*\n)?\s*$/.test(text.slice(0, start))) return { ok: false, reason: 'not a source map: no JSON object in it' };
  let map: any;
  try {
    map = JSON.parse(text.slice(start));
  } catch (error) {
    return { ok: false, reason: `not a source map: invalid JSON (${(error as Error).message})` };
  }
  const looksLikeMap = map && map.version === 3 && (typeof map.mappings === 'string' || Array.isArray(map.sections));
  if (!looksLikeMap) return { ok: false, reason: 'not a source map: expected "version": 3 with "mappings" or "sections"' };

  if (typeof map.debugId === 'string' && map.debugId.toLowerCase() === id) return { ok: true, text, changed: false };
  if ('debugId' in map) {
    const replaced = String(map.debugId);
    map.debugId = id;
    return { ok: true, text: text.slice(0, start) + JSON.stringify(map), changed: true, replaced };
  }
  // Before the closing brace, right after the last value: `…"mappings":"…","debugId":"…"}`.
  const close = text.lastIndexOf('}');
  const at = text.slice(0, close).trimEnd().length;
  return { ok: true, text: `${text.slice(0, at)},"debugId":"${id}"${text.slice(at)}`, changed: true };
}
