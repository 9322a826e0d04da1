/**
 * A short CSS selector for humans ("div#app>ul>li.item"): up to four levels, stopping at an
 * id, two classes a level. Used for click breadcrumbs and for the element a Web Vital is
 * attributed to, which is why we need no attribution build of web-vitals.
 */
export function selectorOf(node: Node | null | undefined): string | undefined {
  const parts: string[] = [];
  // Layout shifts and clicks can land on text nodes: describe their element.
  if (node?.nodeType == 3) node = node.parentNode;
  for (let el = node as Element | null; el?.nodeType == 1 && parts.length < 4; el = el.parentNode as Element) {
    if (el.id) {
      parts.unshift(el.localName + '#' + el.id);
      break;
    }
    // SVG elements have an SVGAnimatedString here, not a string.
    const classes = typeof el.className == 'string' ? el.className.trim().split(/\s+/).slice(0, 2).join('.') : '';
    parts.unshift(el.localName + (classes ? '.' + classes : ''));
  }
  return parts.join('>') || undefined;
}
