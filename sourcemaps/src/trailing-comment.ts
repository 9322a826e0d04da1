/**
 * The comments a bundle ends with (`//# sourceMappingURL=`, `//# debugId=`): only those count,
 * as in browsers. The same comment mid-bundle (a bundled library's leftover, or a string that
 * looks like one) says nothing about this file.
 */

/** How far from the end trailing comments are looked for: they are short, a bundle's last line may be long. */
const TAIL_CHARS = 8192;

/**
 * The last match of `pattern` (flags `gm`) in the bundle's tail that only blank lines and other
 * `//` comments follow; undefined when there is none.
 */
export function trailingComment(code: string, pattern: RegExp): RegExpExecArray | undefined {
  if (!pattern.global) throw new Error('trailingComment needs a /g pattern');
  pattern.lastIndex = Math.max(0, code.length - TAIL_CHARS);
  let last: RegExpExecArray | undefined;
  for (let match = pattern.exec(code); match; match = pattern.exec(code)) last = match;
  if (!last) return undefined;
  const after = code.slice(last.index + last[0].length).split('\n');
  return after.every((line) => line.trim() === '' || line.trimStart().startsWith('//')) ? last : undefined;
}
