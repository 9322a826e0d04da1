/**
 * Is a frame the application's own code? Grouping reads only in-app frames, so that a
 * library, a CDN script, a browser extension or the framework's plumbing (zone.js, Angular,
 * AngularJS, rxjs) never decides which issue an error belongs to.
 */

/** The frame shape grouping reads: the agent's Frame, symbolicated or not. */
export interface GroupingFrame {
  function?: string;
  file?: string;
  line?: number;
  column?: number;
  /** Set by whoever knows better (a symbolicator, a project rule); wins over the patterns. */
  inApp?: boolean;
}

/** A pattern: a RegExp, or a string that matches when the lower-cased file contains it. */
export type FramePattern = RegExp | string;

export interface InAppOptions {
  /** Extra files that are not in-app (e.g. `'/legacy/'`, `/stacktrace\.js$/`). */
  notInApp?: readonly FramePattern[];
  /** Files that are in-app even if a default pattern says otherwise (your own npm package). */
  inApp?: readonly FramePattern[];
}

/** Files that are never the application's code. Matched against the lower-cased file. */
export const NOT_IN_APP_FILES: readonly RegExp[] = [
  // Engines' own frames.
  /^(?:\[?native(?: code)?\]?|<anonymous>|eval code|<data:.*>|data:.*)$/,
  // Packages: node_modules (also vite's prebundled .vite/deps), old webpack's "~/" alias.
  /(?:^|[/\\])node_modules[/\\]/,
  /^webpack:\/\/\/(?:\.\/)?~\//,
  // Bundler plumbing: webpack runtime/bootstrap, vite client, react-refresh.
  /^webpack(?::\/\/\/)?\/?(?:runtime|bootstrap)\b/,
  /(?:^|\/)@vite\/client\b/,
  /(?:^|\/)@react-refresh\b/,
  // Vendor chunks, when their name says so: vendor.js, vendors~main.js, chunk-vendors.js,
  // vendors-node_modules_x.js, framework-*.js (Next), polyfills(-HASH).js (Angular CLI: zone.js).
  /(?:^|\/)(?:vendors?|chunk-vendors|framework|polyfills(?:-es\d+)?)(?:[.~_-][\w.~-]*)?\.m?js$/,
  // CDNs.
  /^https?:\/\/(?:[\w-]+\.)*(?:unpkg\.com|cdnjs\.cloudflare\.com|jsdelivr\.net|googleapis\.com|gstatic\.com|code\.jquery\.com|bootstrapcdn\.com|skypack\.dev|esm\.sh|jspm\.io|cdn\.sentry-cdn\.com|polyfill\.io|googletagmanager\.com|google-analytics\.com|connect\.facebook\.net|cloudflareinsights\.com)\//,
  // Framework internals, also when served without node_modules in the path.
  /(?:^|[/@])zone(?:\.js|-evergreen|-legacy|-node|-testing)?(?:\.min)?\.m?js$/,
  /(?:^|\/)zone\.js\//,
  /(?:^|\/)@angular\//,
  // Angular's own sources as its packages' source maps name them, chained by the app's bundler:
  // `../../darwin_arm64-fastbuild-ST-…/bin/packages/core/src/render3/…` (a Bazel output tree).
  /(?:^|\/)(?:bazel-out|[\w-]*-(?:fastbuild|opt|dbg)(?:-[\w-]+)?)\/bin\/packages\//,
  /(?:^|\/)angular(?:-(?:route|animate|sanitize|resource|cookies|messages|aria|touch|mocks|loader))?(?:\.min)?\.js$/,
  /(?:^|\/)(?:@uirouter|angular-ui-router)\b/,
  /(?:^|\/)rxjs\//,
  /(?:^|\/)rxjs(?:\.umd)?(?:\.min)?\.js$/,
  /(?:^|\/)tslib(?:\.es6)?(?:\.min)?\.m?js$/,
  /(?:^|\/)tslib\//,
  /(?:^|\/)core-js(?:-pure|-bundle)?\b/,
  /(?:^|\/)@babel\//,
  /(?:^|\/)regenerator-runtime\b/,
  // Browser extensions and browser internals.
  /^(?:chrome|moz|ms-browser|safari|safari-web)-extension:/,
  /^(?:chrome|resource|webkit-masked-url|extensions)::?\/\//,
  // Node's own modules (server-side rendering stacks).
  /^(?:node:)?internal\//,
];

/**
 * Function names that are framework plumbing wherever they come from: zone.js is usually
 * bundled into polyfills-HASH.js, and its ZoneAwareError constructor sits on top of every
 * stack (angular #43290), so the names are checked, not only the files.
 */
export const NOT_IN_APP_FUNCTIONS: readonly RegExp[] = [
  /^(?:new )?ZoneAwareError$/,
  /^(?:Object\.)?_?(?:Zone|ZoneImpl|ZoneDelegate|ZoneTask|ZoneAwarePromise)\.[\w$]+$/,
  /^(?:new )?_?(?:ZoneAwarePromise|ZoneDelegate|ZoneTask)$/,
  /^(?:drainMicroTaskQueue|globalZoneAwareCallback|globalZoneAwareCaptureCallback|globalCallback)$/,
];

function test(pattern: FramePattern, file: string): boolean {
  return typeof pattern == 'string' ? file.includes(pattern.toLowerCase()) : pattern.test(file);
}

/** Builds an in-app test with project-specific patterns; compile once, call per frame. */
export function createInAppMatcher(options: InAppOptions = {}): (frame: GroupingFrame) => boolean {
  const extra = options.notInApp ?? [];
  const forced = options.inApp ?? [];
  return (frame) => {
    if (frame.inApp != null) return frame.inApp;
    const file = (frame.file || '').trim().toLowerCase();
    const fn = (frame.function || '').trim();
    if (fn && NOT_IN_APP_FUNCTIONS.some((re) => re.test(fn))) return false;
    // No file: Safari's frames inside eval'd code carry only a name; they are app code.
    if (!file) return !!fn && !/^(?:eval|eval code|\[native code\])$/i.test(fn);
    if (forced.some((p) => test(p, file))) return true;
    if (NOT_IN_APP_FILES.some((re) => re.test(file))) return false;
    return !extra.some((p) => test(p, file));
  };
}

const defaultMatcher = createInAppMatcher();

/** Whether a frame is in-app under the default patterns alone. */
export function isInApp(frame: GroupingFrame): boolean {
  return defaultMatcher(frame);
}
