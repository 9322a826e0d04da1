/**
 * What a frame's symbolication status means for the person reading the stack, and what to do
 * about it (docs/sourcemaps.md#frame-statuses). Pure functions: no DOM, no fetching, so they
 * can be tested on their own. Everything they return is rendered as text.
 */

/** The symbolicator's statuses, one list for both sides (a type only: nothing of the collector is bundled). */
import type { FrameStatus } from '../../collector/src/symbolicate/status.js';
export type { FrameStatus };

export interface MinifiedFrame {
  function?: string;
  file?: string;
  line?: number;
  column?: number;
}

/** A frame as the API serves it in `symbolicated_frames` (collector/src/symbolicate/stored-frame.ts). */
export interface StoredFrame {
  status: FrameStatus | string;
  reason?: string;
  function: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
  in_app: boolean;
  function_source?: string | null;
  ignored?: boolean;
  context?: { pre: string[]; line: string; post: string[] };
  minified: MinifiedFrame;
}

/** Where the hint may point: the event's release, and the collector and project to upload to. */
export interface HintContext {
  release: string | null | undefined;
  collectorUrl?: string;
  projectId?: number;
}

export interface FrameHint {
  /** One or two sentences in plain language. */
  text: string;
  /** A command to run, when one fixes it. */
  command?: string;
}

/** Quoted for a POSIX shell when it holds anything but plain release characters. */
export function shellWord(value: string): string {
  return /^[\w.@+\-/:=]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The upload command for this release (placeholders where the release is unknown). */
export function uploadCommand(context: HintContext): string {
  const url = context.collectorUrl ? ` --url ${shellWord(context.collectorUrl)}` : '';
  const project = context.projectId ? ` --project ${context.projectId}` : '';
  const release = shellWord(context.release || '<release>');
  return `npx lookout-sourcemaps upload${url}${project} --token "$LOOKOUT_TOKEN" --release ${release} dist`;
}

/** The artifact name a browser URL should be uploaded under: `~/static/js/app.js`. */
export function artifactName(file: string | null | undefined): string | null {
  if (!file) return null;
  try {
    return `~${new URL(file).pathname}`;
  } catch {
    return null;
  }
}

/** The file the browser ran, for sentences: its path without host when it is a URL. */
export function scriptName(frame: StoredFrame): string {
  const file = frame.minified.file ?? frame.file;
  return artifactName(file)?.slice(1) ?? file ?? 'this script';
}

const releaseText = (release: string | null | undefined) => (release ? `release ${release}` : 'the event’s release');

const HINTS: Record<FrameStatus, (frame: StoredFrame, context: HintContext) => FrameHint | null> = {
  mapped: () => null,
  source_missing: (frame, context) => ({
    text: `Mapped to ${frame.file ?? 'its original file'}, but the source map has no sourcesContent, so no code can be shown. Build the maps with sources content (sourcesContent: true, the default of most bundlers) and upload them again for ${releaseText(context.release)}.`,
    command: uploadCommand(context),
  }),
  no_artifact: noArtifactHint,
  url_not_matched: (frame, context) => {
    const file = frame.minified.file ?? frame.file ?? '';
    // ng:///, webpack-internal:///…: code made at run time (Angular's JIT templates), not a file a map could name.
    if (file && !/^https?:/i.test(file) && /^[a-z][\w+.-]*:/i.test(file))
      return { text: `This frame is code generated in the browser (${file.split('/')[0]}//…), not a script file: no source map can apply to it.` };
    const expected = artifactName(file);
    return {
      text: `${releaseText(context.release)[0].toUpperCase()}${releaseText(context.release).slice(1)} has source maps, but none is named after ${scriptName(frame)}${expected ? ` (expected ${expected})` : ''}. Check --url-prefix when uploading so the names match the URLs browsers load.`,
      command: uploadCommand(context),
    };
  },
  no_debug_id_match: (frame) => ({
    text: `The bundle ${scriptName(frame)} carries a debug ID, and no source map with that ID was uploaded. Upload the maps of this very build: run inject and upload in the same build step, then deploy the injected bundles.`,
    command: 'npx lookout-sourcemaps inject dist',
  }),
  no_mapping_at_position: (frame, context) =>
    frame.reason?.includes('no line number')
      ? { text: 'The browser reported no line number for this frame, so no source map can place it.' }
      : {
          text: `The source map for ${scriptName(frame)} has nothing at line ${frame.minified.line ?? '?'}, column ${frame.minified.column ?? '?'}: it is probably from another build than the code that ran. Upload the maps of the deployed build for ${releaseText(context.release)}.`,
          command: uploadCommand(context),
        },
  map_invalid: (frame, context) => ({
    text: `The source map for ${scriptName(frame)} was refused at upload or cannot be read. Rebuild it with your bundler and upload it again for ${releaseText(context.release)}.`,
    command: uploadCommand(context),
  }),
  map_too_large: (frame) => ({
    text: `The source map for ${scriptName(frame)} is over the collector’s limits. Split the bundle into smaller chunks, or raise the collector’s --artifact-max-mb.`,
  }),
};

/** no_artifact has several causes; the collector's reason tells which. */
function noArtifactHint(frame: StoredFrame, context: HintContext): FrameHint {
  const reason = frame.reason ?? '';
  if (reason.includes('not a script URL') || reason.includes('names no file'))
    return { text: 'This frame is not from a script file (an inline script, eval or the browser itself), so no source map can apply.' };
  if (!context.release || reason.includes('has no release'))
    return {
      text: 'The event has no release and the bundle no debug ID, so no source map can be chosen. Set release in Lookout.init({ dsn, release }), or run inject before uploading.',
      command: 'npx lookout-sourcemaps inject dist',
    };
  if (reason.includes('but not its map'))
    return { text: `The bundle ${scriptName(frame)} was uploaded for release ${context.release}, but not its source map. Upload the .map files too.`, command: uploadCommand(context) };
  return { text: `No source map uploaded for release ${context.release} — upload the maps of that build.`, command: uploadCommand(context) };
}

/** The hint for a frame that is not `mapped` (null when mapped); an unknown status falls back to the collector's reason. */
export function frameHint(frame: StoredFrame, context: HintContext): FrameHint | null {
  const hint = HINTS[frame.status as FrameStatus];
  if (hint) return hint(frame, context);
  return { text: frame.reason ?? `This frame could not be mapped (${frame.status}).` };
}

/** A short label for the status badge. */
export function statusLabel(status: string): string {
  if (status === 'mapped') return 'mapped';
  if (status === 'source_missing') return 'mapped, no source';
  return `not mapped: ${status.replace(/_/g, ' ')}`;
}

/** Badge colour: mapped is good, mapped-without-context so-so, the rest poor. */
export const statusTone = (status: string) => (status === 'mapped' ? 'good' : status === 'source_missing' ? 'ni' : 'poor');
