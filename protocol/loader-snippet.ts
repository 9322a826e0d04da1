/**
 * The async loader snippet: paste it in the page's <head> instead of a blocking script tag.
 * It defines a stub `Lookout` whose methods queue their calls (`Lookout.q`, `init` first), catches errors
 * and rejections that happen before the agent arrives, and loads the agent asynchronously;
 * the agent replays the queue (iife.ts). `Lookout.flush()` returns nothing until then.
 *
 *   <script>{loaderSnippet('https://cdn.example.com/lookout.min.js')}</script>
 *   <script>Lookout.init({ dsn: '…' })</script>
 */
/** Not `markPending`: its caller needs the function it returns, which a stub cannot give. */
export const LOADER_METHODS = [
  'init', 'captureException', 'captureMessage', 'setUser', 'setTag', 'addBreadcrumb', 'flush',
  'setRoute', 'startRouteChange', 'endRouteChange',
];

/** The snippet's source for an agent served at `src`. */
export const loaderSnippet = (src: string): string =>
  `!function(w,d,L,s){L=w.Lookout=w.Lookout||{q:[]};"${LOADER_METHODS.join(' ')}".split(" ").forEach(function(m){L[m]=L[m]||function(){L.q[m=="init"?"unshift":"push"]([m,arguments])}});` +
  `function e(v){w.Lookout.q&&w.Lookout.q.push(["_e",v])}w.addEventListener("error",e);w.addEventListener("unhandledrejection",e);` +
  `s=d.createElement("script");s.async=1;s.src=${JSON.stringify(src)};d.head.appendChild(s)}(window,document)`;
