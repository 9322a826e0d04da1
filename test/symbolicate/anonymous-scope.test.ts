/**
 * Functions that are anonymous in the bundle — terser inlines a function called once as an
 * anonymous function expression — are named from the original source where their start maps;
 * and a frame inside an anonymous callback is never named after the function it calls.
 */
import { minify } from 'terser';
import { describe, expect, it } from 'vitest';
import { nameInSource } from '../../collector/src/symbolicate/parsed-map.js';
import { parseSourceMap, symbolicateFrame } from '../../collector/src/symbolicate/index.js';

describe('nameInSource', () => {
  it.each([
    ['export function cartTotal(lines: Line[]): number {', 6, 'cartTotal'],
    ['export default async function loadOrders() {', 0, 'loadOrders'],
    ['function* walk(node) {', 0, 'walk'],
    ['  const load = (id: number) => fetch(id);', 15, 'load'],
    ['  const load: Loader = async (id) => fetch(id);', 23, 'load'],
    ['  handlers.onSubmit = function (event) {', 22, 'onSubmit'],
    ['  total: (lines) => sum(lines),', 9, 'total'],
    ['  async fetch<T>(url: string): Promise<T> {', 2, 'fetch'],
    ['  private static get size() {', 2, 'size'],
  ])('%s @%i → %s', (text, column, name) => {
    expect(nameInSource(text, column)).toBe(name);
  });

  it.each([
    ['items.forEach((item) => total(item));', 14],
    ['  if (ready) {', 2],
    ['  return function () {', 9],
  ])('says nothing for a callback or a statement: %s', (text, column) => {
    expect(nameInSource(text, column)).toBeNull();
  });
});

describe('a function terser inlined', () => {
  const source = [
    'function cartTotal(lines) {',
    '  let total = 0;',
    '  for (const line of lines) {',
    '    if (line.qty < 0) {',
    "      throw new RangeError('negative quantity for ' + line.sku);",
    '    }',
    '    total += line.price * line.qty;',
    '  }',
    '  return total;',
    '}',
    "document.getElementById('checkout').addEventListener('click', () => {",
    "  const total = cartTotal([{ sku: 'B-7', price: 5, qty: -1 }]);",
    "  document.getElementById('out').textContent = String(total);",
    '});',
    '',
  ].join('\n');

  it('is named from the original source, and its caller is not named after it', async () => {
    const out = await minify({ 'cart.js': source }, { module: true, compress: { passes: 2 }, mangle: true, sourceMap: { includeSources: true } });
    const code = out.code!;
    // The premise: the bundle has no name for the function any more.
    expect(code).not.toContain('cartTotal');
    const map = parseSourceMap(out.map as string, {}, code);
    const lines = code.split('\n');
    const at = (needle: string) => {
      const line = lines.findIndex((text) => text.includes(needle));
      return { file: 'https://shop.example.com/app.js', line: line + 1, column: lines[line].indexOf(needle) + 1 };
    };

    const thrown = symbolicateFrame(map, at('throw new RangeError')) as { line: number; function: string | null; scope: string | null };
    expect(thrown).toMatchObject({ line: 5, function: 'cartTotal', scope: 'enclosing' });

    // The click handler calls the inlined function; Chromium names the frame after the element.
    const caller = symbolicateFrame(map, { ...at('document.getElementById("out")'), function: 'HTMLButtonElement.<anonymous>' });
    expect(caller).toMatchObject({ function: 'HTMLButtonElement.<anonymous>', scope: 'minified' });
  });
});
