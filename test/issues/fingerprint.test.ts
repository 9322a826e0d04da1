/**
 * The fingerprinting core on hand-built frames: releases, message fallback, custom
 * fingerprints, recursion, vendor/CDN/zone frames, and a real zone.js stack from Node.
 */
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseStack } from '../../agent/src/stack.js';
import {
  collapseRecursion,
  createInAppMatcher,
  fingerprintError,
  isInApp,
  normalizeFile,
  normalizeFunction,
  normalizeMessage,
  type GroupingFrame,
} from '../../collector/src/issues/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fp = fingerprintError;

describe('normalizeFunction', () => {
  it.each([
    ['Object.foo', 'foo'],
    ['HTMLButtonElement.onclick', 'onclick'],
    ['Foo.prototype.testMethod', 'testMethod'],
    ['new CustomError', 'CustomError'],
    ['async callSomeFunction', 'callSomeFunction'],
    ['Object.d [as add]', 'd'],
    ['test/<', ''],
    ['[2]</Bar.prototype._baz/</<', ''],
    ['.plugin/e.fn[c]/<', ''],
    ['outer/inner', 'inner'],
    ['foo@', 'foo'],
    ['global code', ''],
    ['Global code', ''],
    ['Anonymous function', ''],
    ['<anonymous function>', ''],
    ['Object.<anonymous>', ''],
    ['I.e.fn.(anonymous function)', ''],
    ['?', ''],
    [undefined, ''],
    ['MyClass::bar(int) const', 'MyClass::bar(int) const'],
  ])('%s → %j', (input, expected) => expect(normalizeFunction(input)).toBe(expected));
});

describe('normalizeFile', () => {
  it.each([
    ['https://cdn.example.com/static/js/app.4f1c2.js?v=3#x', 'app.js'],
    ['https://example.com/static/js/main.4a4119c3cdfd10266d84.js', 'main.js'],
    ['https://example.com/main-HXRYZQ4W.js', 'main.js'],
    ['https://example.com/assets/index-BfX3a1_c.js', 'index.js'],
    ['https://example.com/assets/chunk-2XJVAMHT.js', 'chunk.js'],
    ['http://localhost:5000/Test.JS', 'test.js'],
    ['webpack:///./src/components/test/test.jsx?', 'src/components/test/test.jsx'],
    ['webpack:///./src/app/foo.component.ts', 'src/app/foo.component.ts'],
    ['../../src/app/foo.component.ts', 'src/app/foo.component.ts'],
    ['genericDiscoverQuery.tsx?33f8', 'genericdiscoverquery.tsx'],
    ['C:\\Users\\user\\path\\to\\file.js', 'file.js'],
    ['file:///G:/js/file.js', 'file.js'],
    ['blob:http%3A//localhost%3A8080/abfc40e9-4742-44ed-9dcd-af8f99a29379', '<blob>'],
    ['[native code]', ''],
    ['<anonymous>', ''],
    [undefined, ''],
    ['http://localhost:5000/', '/'],
    ['https://example.com/user-settings.js', 'user-settings.js'],
    ['https://example.com/foo.component.js', 'foo.component.js'],
  ])('%s → %j', (input, expected) => expect(normalizeFile(input)).toBe(expected));

  it('keeps the path under a configured root', () => {
    expect(normalizeFile('https://x/static/app/users/list.js', { roots: ['app'] })).toBe('app/users/list.js');
    expect(normalizeFile('https://x/static/app/users/list.js')).toBe('list.js');
  });
});

describe('in-app', () => {
  const notInApp = [
    'https://example.com/node_modules/lodash/lodash.js',
    'webpack:///./~/react-proxy/modules/createPrototypeProxy.js?',
    'https://unpkg.com/react@18/umd/react.production.min.js',
    'https://cdnjs.cloudflare.com/ajax/libs/jquery/3.6.0/jquery.min.js',
    'https://cdn.jsdelivr.net/npm/vue@3',
    'https://ajax.googleapis.com/ajax/libs/angularjs/1.8.2/angular.min.js',
    'https://example.com/js/angular.min.js',
    'https://example.com/js/angular-route.js',
    'https://example.com/polyfills-FFHMD2TL.js',
    'https://example.com/polyfills.4f1c2e9a.js',
    'https://example.com/vendor.d1cae9cfc9917df88de7.js',
    'https://example.com/js/chunk-vendors.1a2b3c4d.js',
    'https://example.com/zone.js',
    'webpack:///node_modules/zone.js/fesm2015/zone.js',
    'webpack:///./node_modules/@angular/core/fesm2022/core.mjs',
    'webpack:///./node_modules/rxjs/dist/esm/internal/Subscriber.js',
    'webpack:///./node_modules/tslib/tslib.es6.mjs',
    'webpack:///./node_modules/core-js/modules/es.promise.js',
    'webpack:///./node_modules/@babel/runtime/helpers/asyncToGenerator.js',
    // Angular's sources as its own source maps name them, once an app's bundler chained them (seen with esbuild).
    '../../../../darwin_arm64-fastbuild-ST-fdfa778d11ba/bin/packages/core/src/render3/view/listeners.ts',
    '../../../../k8-fastbuild/bin/packages/platform-browser/src/dom/dom_renderer.ts',
    'bazel-out/k8-opt/bin/packages/router/src/router.ts',
    'chrome-extension://abcdefghijklmnop/content.js',
    'moz-extension://2c127fa4-62c7-7e4f-90e5-472b45eecfdc/scripts/content.js',
    'safari-web-extension://46434E60-F5BD-48A4-80C8-A422C5D16897/scripts/content-script.js',
    '[native code]',
    'native',
    '<anonymous>',
  ];
  it.each(notInApp)('%s is not in-app', (file) => expect(isInApp({ function: 'f', file })).toBe(false));

  it.each([
    'https://example.com/main.4a4119c3cdfd10266d84.js',
    'webpack:///./src/app/app.component.ts',
    'https://example.com/js/angular-app.js',
    'https://example.com/js/my-zone-helpers.js',
    '../../../src/app/packages/orders.ts',
  ])('%s is in-app', (file) => expect(isInApp({ function: 'f', file })).toBe(true));

  it('zone.js plumbing is recognised by name too (bundled into polyfills or main)', () => {
    for (const fn of ['new ZoneAwareError', 'ZoneAwareError', '_ZoneDelegate.invoke', 'ZoneDelegate.invokeTask', 'Zone.runTask', '_ZoneImpl.run', 'ZoneTask.invokeTask', 'drainMicroTaskQueue', 'globalZoneAwareCallback'])
      expect(isInApp({ function: fn, file: 'https://example.com/main.js' }), fn).toBe(false);
  });

  it('takes extra patterns, overrides and an explicit flag', () => {
    const matcher = createInAppMatcher({ notInApp: ['/legacy/', /analytics\.js$/], inApp: ['node_modules/@acme/'] });
    expect(matcher({ file: 'https://x/legacy/a.js' })).toBe(false);
    expect(matcher({ file: 'https://x/lib/analytics.js' })).toBe(false);
    expect(matcher({ file: 'https://x/node_modules/@acme/ui/button.js' })).toBe(true);
    expect(matcher({ file: 'https://x/node_modules/lodash/x.js' })).toBe(false);
    expect(matcher({ file: 'https://x/app.js' })).toBe(true);
    expect(matcher({ file: 'https://x/app.js', inApp: false })).toBe(false);
  });
});

const appFrames = (hash: string, line = 0): GroupingFrame[] => [
  { function: 'Object.loadUser', file: `https://shop.example.com/static/js/main.${hash}.js`, line: 1, column: 1000 + line },
  { function: 'UserList.render', file: `https://shop.example.com/static/js/main.${hash}.js`, line: 1, column: 2000 + line },
  { function: 'onClick', file: `https://shop.example.com/static/js/user-list.${hash}.chunk.js`, line: 3 + line, column: 44 },
];

describe('same bug across releases', () => {
  it('different content hashes, lines and columns → one fingerprint', () => {
    const a = fp({ type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')", frames: appFrames('4f1c2e9a') });
    const b = fp({ type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')", frames: appFrames('9be01d77', 17) });
    expect(a.kind).toBe('stack');
    expect(b.hash).toBe(a.hash);
    expect(a.parts).toEqual(['type:TypeError', 'frame:loadUser@main.js', 'frame:render@main.js', 'frame:onClick@user-list.chunk.js']);
  });

  it('vite and esbuild hashes too', () => {
    const frames = (name: string): GroupingFrame[] => [{ function: 'save', file: `https://x/assets/${name}.js`, line: 1, column: 5 }];
    expect(fp({ type: 'Error', frames: frames('index-BfX3a1_c') }).hash).toBe(fp({ type: 'Error', frames: frames('index-Dk9mQ-1a') }).hash);
    expect(fp({ type: 'Error', frames: frames('main-HXRYZQ4W') }).hash).toBe(fp({ type: 'Error', frames: frames('main-7TQ2LMVB') }).hash);
  });

  it('symbolicated frames: the same source path and function in two releases', () => {
    const sym = (line: number): GroupingFrame[] => [
      { function: 'UserService.load', file: 'webpack:///./src/app/user.service.ts', line, column: 9 },
      { function: 'UserComponent.ngOnInit', file: 'webpack:///./src/app/user.component.ts', line: line + 3, column: 5 },
    ];
    expect(fp({ type: 'TypeError', frames: sym(10) }).hash).toBe(fp({ type: 'TypeError', frames: sym(42) }).hash);
  });

  it('a different function, file or type is a different bug', () => {
    const base = fp({ type: 'TypeError', frames: appFrames('4f1c2e9a') });
    const otherFn = appFrames('4f1c2e9a').map((f, i) => (i == 0 ? { ...f, function: 'Object.loadOrder' } : f));
    const otherFile = appFrames('4f1c2e9a').map((f, i) => (i == 2 ? { ...f, file: 'https://shop.example.com/static/js/cart.4f1c2e9a.chunk.js' } : f));
    const hashes = [
      base.hash,
      fp({ type: 'TypeError', frames: otherFn }).hash,
      fp({ type: 'TypeError', frames: otherFile }).hash,
      fp({ type: 'RangeError', frames: appFrames('4f1c2e9a') }).hash,
    ];
    expect(new Set(hashes).size).toBe(4);
  });
});

describe('message fallback', () => {
  const byMessage = (message: string, type = 'TypeError') => fp({ type, message, frames: [{ function: 'x', file: 'https://unpkg.com/lib@1/lib.js', line: 1 }] });

  it('is used when no frame is in-app', () => {
    const r = byMessage("Cannot read properties of undefined (reading 'id')");
    expect(r.kind).toBe('message');
    expect(r.parts).toEqual(['type:TypeError', "message:Cannot read properties of undefined (reading 'id')"]);
  });

  it('keeps variants of one message together', () => {
    const variants = [
      "Cannot read properties of undefined (reading 'id')",
      "Uncaught TypeError: Cannot read properties of undefined (reading 'id')",
      "Uncaught (in promise): Cannot read properties of undefined (reading 'id')",
      "Cannot read properties of undefined  (reading 'id')\n",
    ];
    expect(new Set(variants.map((m) => byMessage(m).hash)).size).toBe(1);
    const ids = [
      'Order 12345 failed: https://api.example.com/orders/12345?x=1 returned 500 for bob@example.com',
      'Order 987 failed: https://api.example.com/orders/987 returned 503 for alice@example.org',
    ];
    expect(byMessage(ids[0]).hash).toBe(byMessage(ids[1]).hash);
    const uuids = ['Session 3f2b1c9e-8d4a-4b6f-9e2a-1c3d5e7f9a0b expired at 0x7ffe12ab', 'Session 00000000-1111-4222-8333-444444444444 expired at 0xdeadbeef'];
    expect(byMessage(uuids[0]).hash).toBe(byMessage(uuids[1]).hash);
    const quoted = ['Invalid date "2024-01-02 10:00"', 'Invalid date "yesterday at noon"'];
    expect(byMessage(quoted[0]).hash).toBe(byMessage(quoted[1]).hash);
  });

  it('separates different messages', () => {
    const messages = [
      "Cannot read properties of undefined (reading 'id')",
      "Cannot read properties of undefined (reading 'name')",
      "Cannot read properties of null (reading 'id')",
      'x.map is not a function',
      'Network request failed',
    ];
    expect(new Set(messages.map((m) => byMessage(m).hash)).size).toBe(messages.length);
    expect(byMessage('boom', 'TypeError').hash).not.toBe(byMessage('boom', 'RangeError').hash);
  });

  it('normalises the pieces', () => {
    expect(normalizeMessage('GET https://api.x.com/v1/users/42?q=1 failed with 503 after 1.5s (id 9f8e7d6c5b4a)')).toBe(
      'GET <url> failed with <n> after <n>s (id <hex>)',
    );
    expect(normalizeMessage("Can't find variable: getExceptionProps")).toBe("Can't find variable: getExceptionProps");
    expect(normalizeMessage("null is not an object (evaluating 'x.undef')")).toBe("null is not an object (evaluating 'x.undef')");
    expect(normalizeMessage("reading '0'")).toBe("reading '<quoted>'");
    expect(normalizeMessage('mail to a.b+c@example.co.uk from 10.0.0.1:8080')).toBe('mail to <email> from <ip>');
  });

  it('when in-app frames exist, the message does not count', () => {
    const frames = appFrames('4f1c2e9a');
    expect(fp({ type: 'Error', message: 'a', frames }).hash).toBe(fp({ type: 'Error', message: 'completely different', frames }).hash);
  });

  it('anonymous-only in-app frames group by their files, not by the message', () => {
    const frames: GroupingFrame[] = [{ file: 'https://x/app.1a2b3c4d.js', line: 1, column: 5 }, { file: 'https://x/boot.1a2b3c4d.js', line: 2 }];
    const r = fp({ type: 'Error', message: 'user 1', frames });
    expect(r.kind).toBe('stack');
    expect(r.parts).toEqual(['type:Error', 'frame:@app.js', 'frame:@boot.js']);
    expect(fp({ type: 'Error', message: 'user 2', frames }).hash).toBe(r.hash);
  });
});

describe('custom fingerprint', () => {
  const frames = appFrames('4f1c2e9a');
  const base = fp({ type: 'TypeError', message: 'm', frames });

  it('["{{ default }}"] is the default', () => {
    const r = fp({ type: 'TypeError', message: 'm', frames, fingerprint: ['{{ default }}'] });
    expect(r).toEqual(base);
    expect(fp({ type: 'TypeError', message: 'm', frames, fingerprint: [] })).toEqual(base);
  });

  it('{{ default }} plus values extends the default: splits one stack by the values', () => {
    const a = fp({ type: 'TypeError', message: 'm', frames, fingerprint: ['{{ default }}', 'tenant-a'] });
    const b = fp({ type: 'TypeError', message: 'm', frames, fingerprint: ['{{default}}', 'tenant-b'] });
    expect(a.kind).toBe('custom');
    expect(a.parts).toEqual([...base.parts, 'custom:tenant-a']);
    expect(new Set([base.hash, a.hash, b.hash]).size).toBe(3);
  });

  it('values alone replace the default: different stacks join one group', () => {
    const a = fp({ type: 'TypeError', message: 'm', frames, fingerprint: ['payment-gateway-timeout'] });
    const b = fp({ type: 'RangeError', message: 'other', frames: [{ function: 'x', file: 'https://x/y.js' }], fingerprint: ['payment-gateway-timeout'] });
    expect(a.kind).toBe('custom');
    expect(a.parts).toEqual(['custom:payment-gateway-timeout']);
    expect(b.hash).toBe(a.hash);
    expect(a.hash).not.toBe(base.hash);
  });

  it('{{ type }} and {{ message }} expand', () => {
    const r = fp({ type: 'TypeError', message: 'order 42 failed', frames, fingerprint: ['{{ type }}', '{{ message }}'] });
    expect(r.parts).toEqual(['type:TypeError', 'message:order <n> failed']);
  });
});

describe('recursion, vendor, CDN and zone frames', () => {
  it('collapses direct and mutual recursion', () => {
    expect(collapseRecursion(['a', 'a', 'a', 'b'])).toEqual(['a', 'b']);
    expect(collapseRecursion(['x', 'a', 'b', 'a', 'b', 'a', 'b', 'c'])).toEqual(['x', 'a', 'b', 'c']);
    expect(collapseRecursion(['a', 'b', 'c', 'a', 'b', 'c', 'd'])).toEqual(['a', 'b', 'c', 'd']);
    expect(collapseRecursion(['a', 'b', 'a', 'c'])).toEqual(['a', 'b', 'a', 'c']);
  });

  it('a recursion depth does not change the group', () => {
    const walk = (depth: number): GroupingFrame[] => [
      { function: 'visit', file: 'https://x/tree.js', line: 3 },
      ...Array.from({ length: depth }, (_, i) => ({ function: 'Tree.walk', file: 'https://x/tree.js', line: 10 + (i % 2) })),
      { function: 'main', file: 'https://x/app.js', line: 1 },
    ];
    const [a, b, c] = [walk(1), walk(7), walk(90)].map((frames) => fp({ type: 'RangeError', frames }));
    expect(a.parts).toEqual(['type:RangeError', 'frame:visit@tree.js', 'frame:walk@tree.js', 'frame:main@app.js']);
    expect(b.hash).toBe(a.hash);
    expect(c.hash).toBe(a.hash);
  });

  const core: GroupingFrame[] = [
    { function: 'CartComponent.addItem', file: 'https://shop.example.com/main-HXRYZQ4W.js', line: 1, column: 5000 },
    { function: 'CartComponent_Template_button_click_3_listener', file: 'https://shop.example.com/main-HXRYZQ4W.js', line: 1, column: 7000 },
  ];
  const noisy = (release: string): GroupingFrame[] => [
    // zone-error's constructor on top (angular #43290), bundled into polyfills.
    { function: 'new ZoneAwareError', file: `https://shop.example.com/polyfills-${release}.js`, line: 1, column: 100 },
    { function: 'CartComponent.addItem', file: `https://shop.example.com/main-${release}.js`, line: 1, column: 5000 },
    { function: 'Array.forEach', file: 'native' },
    { function: 'CartComponent_Template_button_click_3_listener', file: `https://shop.example.com/main-${release}.js`, line: 1, column: 7000 },
    { function: 'executeListenerWithErrorHandling', file: 'webpack:///./node_modules/@angular/core/fesm2022/core.mjs', line: 10 },
    { function: 'SafeSubscriber._next', file: 'webpack:///./node_modules/rxjs/dist/esm/internal/Subscriber.js', line: 1 },
    { function: '__awaiter', file: 'webpack:///./node_modules/tslib/tslib.es6.mjs', line: 1 },
    { function: 'Object.onInvokeTask', file: `https://shop.example.com/vendor.${release}.js`, line: 1 },
    { function: '_ZoneDelegate.invokeTask', file: `https://shop.example.com/polyfills-${release}.js`, line: 1 },
    { function: 'ZoneTask.invokeTask', file: `https://shop.example.com/main-${release}.js`, line: 1 },
    { function: 'globalZoneAwareCallback', file: `https://shop.example.com/main-${release}.js`, line: 1 },
    { function: 'jQuery.each', file: 'https://code.jquery.com/jquery-3.7.1.min.js', line: 2 },
    { function: 'sendBeacon', file: 'https://www.googletagmanager.com/gtag/js?id=G-XYZ', line: 2 },
    { function: 'inject', file: 'chrome-extension://aapbdbdomjkkjkaonfhkkikfgjllcleb/content.js', line: 2 },
  ];

  it('vendor, CDN, extension and zone.js frames are ignored, whatever the release', () => {
    const clean = fp({ type: 'TypeError', frames: core });
    const a = fp({ type: 'TypeError', frames: noisy('HXRYZQ4W') });
    const b = fp({ type: 'TypeError', frames: noisy('7TQ2LMVB') });
    expect(a.parts).toEqual(['type:TypeError', 'frame:addItem@main.js', 'frame:CartComponent_Template_button_click_3_listener@main.js']);
    expect(a.hash).toBe(clean.hash);
    expect(b.hash).toBe(clean.hash);
    expect(a.culprit).toBe('main.js in addItem');
  });

  it('a real zone.js stack (Node, zone.js from node_modules) groups with the same error thrown outside a zone', () => {
    const script = `
      require('zone.js');
      function userHandler() { throw new TypeError('boom'); }
      function callIt(run) { run(); }
      const out = {};
      try { callIt(() => Zone.current.fork({ name: 'angular' }).run(() => userHandler())); } catch (e) { out.zoned = e.stack; }
      try { callIt(() => userHandler()); } catch (e) { out.plain = e.stack; }
      process.stdout.write(JSON.stringify(out));`;
    const { zoned, plain } = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8' }));
    expect(zoned).toMatch(/zone\.js/);
    const zonedFrames = parseStack(zoned);
    expect(zonedFrames.some((f) => /ZoneDelegate|ZoneImpl/.test(f.function ?? ''))).toBe(true);
    // The node:internal/... frames below differ between the two (module loading); they are not in-app.
    const a = fp({ type: 'TypeError', message: 'boom', frames: zonedFrames });
    const b = fp({ type: 'TypeError', message: 'boom', frames: parseStack(plain) });
    expect(a.kind).toBe('stack');
    expect(a.parts.slice(0, 2)).toEqual(['type:TypeError', 'frame:userHandler@[eval]']);
    expect(a.parts).toEqual(b.parts);
    expect(a.hash).toBe(b.hash);
  });
});

describe('title and culprit', () => {
  it('reads like Sentry', () => {
    const r = fp({ type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')\n    at foo", frames: appFrames('4f1c2e9a') });
    expect(r.title).toBe("TypeError: Cannot read properties of undefined (reading 'id')");
    expect(r.culprit).toBe('main.js in loadUser');
    expect(fp({ type: '', message: '' }).title).toBe('Error');
    expect(fp({ type: 'Error', message: 'x'.repeat(500) }).title.length).toBe(200);
    expect(fp({ type: 'Error', frames: [{ file: 'https://x/a.1a2b3c4d.js', line: 1 }] }).culprit).toBe('a.js in ?');
  });

  it('the culprit falls back to the top frame when none is in-app', () => {
    const r = fp({ type: 'Error', message: 'x', frames: [{ function: 'each', file: 'https://code.jquery.com/jquery-3.7.1.min.js' }] });
    expect(r.kind).toBe('message');
    expect(r.culprit).toBe('jquery-3.7.1.min.js in each');
    expect(fp({ type: 'Error', message: 'x' }).culprit).toBe('');
  });
});
