import { describe, expect, it } from 'vitest';
import { selectorOf } from '../../agent/src/selector.js';

/** Just enough of a DOM element for selectorOf. */
const el = (localName: string, attrs: { id?: string; className?: unknown } = {}, parentNode: unknown = null) =>
  ({ nodeType: 1, localName, id: attrs.id ?? '', className: attrs.className ?? '', parentNode }) as unknown as Element;

describe('selectorOf', () => {
  it('walks up at most four levels, two classes a level', () => {
    const body = el('body');
    const main = el('main', {}, body);
    const list = el('ul', { className: 'items dense extra' }, main);
    const item = el('li', { className: ' item ' }, list);
    const button = el('button', { className: 'btn primary' }, item);
    expect(selectorOf(button)).toBe('main>ul.items.dense>li.item>button.btn.primary');
  });

  it('stops at an id', () => {
    const app = el('div', { id: 'app' }, el('body'));
    expect(selectorOf(el('span', {}, app))).toBe('div#app>span');
  });

  it('describes a text node by its element, and ignores SVG class objects', () => {
    const svg = el('svg', { className: { baseVal: 'icon' } });
    const text = { nodeType: 3, parentNode: el('p', { className: 'lead' }, svg) } as unknown as Node;
    expect(selectorOf(text)).toBe('svg>p.lead');
  });

  it('gives nothing for what is not an element', () => {
    expect(selectorOf(null)).toBeUndefined();
    expect(selectorOf({ nodeType: 9 } as Node)).toBeUndefined();
  });
});
