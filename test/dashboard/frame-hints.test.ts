/**
 * The plain-language hints the issue page shows under a frame that is not `mapped`: one for every
 * status the symbolicator can give, naming the release and the script, with the command to run.
 */
import { describe, expect, it } from 'vitest';
import { FRAME_STATUSES } from '../../collector/src/symbolicate/status.js';
import { frameHint, shellWord, type StoredFrame, uploadCommand } from '../../dashboard/src/frame-hints.js';

const frame = (status: string, reason = ''): StoredFrame => ({
  status,
  reason,
  function: 'renderUser',
  file: 'src/users.ts',
  line: 12,
  column: 4,
  in_app: true,
  minified: { function: 'a', file: 'https://shop.example.com/static/js/app.4f1c.js', line: 1, column: 40211 },
});
const context = { release: 'shop@1.4.2', collectorUrl: 'https://lookout.example.com', projectId: 3 };

describe('frameHint', () => {
  it('has a hint of its own for every status the collector gives, and none for mapped', () => {
    expect(frameHint(frame('mapped'), context)).toBeNull();
    for (const status of FRAME_STATUSES.filter((s) => s !== 'mapped')) {
      const hint = frameHint(frame(status, 'the collector’s reason'), context);
      // The fallback repeats the collector's reason: a status without a hint of its own would.
      expect(hint?.text, status).not.toBe('the collector’s reason');
      expect(hint?.text.length, status).toBeGreaterThan(40);
    }
  });

  it('names the release, the expected artifact name and the upload command for an unmatched URL', () => {
    const hint = frameHint(frame('url_not_matched'), context)!;
    expect(hint.text).toContain('shop@1.4.2');
    expect(hint.text).toContain('~/static/js/app.4f1c.js');
    expect(hint.command).toBe('npx lookout-sourcemaps upload --url https://lookout.example.com --project 3 --token "$LOOKOUT_TOKEN" --release shop@1.4.2 dist');
  });

  it('says that code generated in the browser (ng:///) cannot be mapped, instead of asking for an upload', () => {
    const generated = { ...frame('url_not_matched'), minified: { function: 'UserPage_Template_button_click_3_listener', file: 'ng:///UserPage.js', line: 12, column: 22 } };
    const hint = frameHint(generated, context)!;
    expect(hint.text).toMatch(/generated in the browser \(ng:\/\/…\)/);
    expect(hint.command).toBeUndefined();
  });

  it('tells the no-release, bundle-without-map and no-map cases of no_artifact apart', () => {
    expect(frameHint(frame('no_artifact', 'the event has no release'), { release: null })!.text).toMatch(/no release/);
    expect(frameHint(frame('no_artifact', 'the release has the bundle but not its map'), context)!.text).toMatch(/Upload the \.map files/);
    expect(frameHint(frame('no_artifact', 'frame names no file'), context)!.text).toMatch(/not from a script file/);
    expect(frameHint(frame('no_artifact', 'no artifacts for release shop@1.4.2'), context)!.text).toBe('No source map uploaded for release shop@1.4.2 — upload the maps of that build.');
  });

  it('quotes releases for the shell', () => {
    expect(shellWord('shop@1.4.2+build.7')).toBe('shop@1.4.2+build.7');
    expect(shellWord("it's $(rm -rf)")).toBe(`'it'\\''s $(rm -rf)'`);
    expect(uploadCommand({ release: 'a b' })).toContain("--release 'a b' dist");
  });
});
