/**
 * What an uploaded file is: a bundle (its debug ID and sourceMappingURL comments) or a source
 * map (validated by parsing it for real, off the main thread).
 */
import { createHash } from 'node:crypto';
import { DEBUG_ID_COMMENT } from '../../../protocol/debug-id.js';
import { SourceMapError, type OffThreadParser } from '../symbolicate/index.js';

export type ArtifactKind = 'source' | 'sourcemap';

export interface InspectedArtifact {
  kind: ArtifactKind;
  /** Lower-case; '' when the file names none. */
  debugId: string;
  /** A map's `file`. */
  file: string;
  /** A bundle's `//# sourceMappingURL=`. */
  sourceMapUrl: string;
  sources: number;
  sourcesContent: boolean;
  size: number;
  sha256: string;
  /** '' when usable; else why not (frames that match it get this status). */
  invalidStatus: '' | 'map_invalid' | 'map_too_large';
  invalidReason: string;
}

const TAIL_CHARS = 4096;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

export function looksLikeMap(name: string, content: Buffer): boolean {
  if (/\.map$/i.test(name.replace(/[?#].*$/, ''))) return true;
  if (/\.(m|c)?js$/i.test(name)) return false;
  const head = content.subarray(0, 64).toString('utf8').trimStart();
  return head.startsWith('{') && /"(version|mappings|sections)"/.test(content.subarray(0, 4096).toString('utf8'));
}

/** The last `//# name=value` comment in the file's tail. */
function trailingComment(tail: string, prefix: string): string {
  const at = tail.lastIndexOf(prefix);
  if (at < 0) return '';
  return tail.slice(at + prefix.length).split(/\s/)[0] ?? '';
}

export async function inspectArtifact(name: string, content: Buffer, parser: OffThreadParser): Promise<InspectedArtifact> {
  const base = {
    debugId: '',
    file: '',
    sourceMapUrl: '',
    sources: 0,
    sourcesContent: false,
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    invalidStatus: '' as const,
    invalidReason: '',
  };
  if (!looksLikeMap(name, content)) {
    const tail = content.subarray(Math.max(0, content.length - TAIL_CHARS)).toString('utf8');
    const debugId = UUID.exec(trailingComment(tail, DEBUG_ID_COMMENT))?.[0].toLowerCase() ?? '';
    return { ...base, kind: 'source', debugId, sourceMapUrl: trailingComment(tail, '//# sourceMappingURL=') };
  }
  try {
    const map = await parser.parse(content);
    const data = map.data;
    const withContent = data.packedContent ? data.packedContent.nulls.some((isNull) => !isNull) : data.sourcesContent.some((text) => text != null);
    return { ...base, kind: 'sourcemap', debugId: data.debugId?.toLowerCase() ?? '', file: data.file ?? '', sources: data.sources.length, sourcesContent: withContent };
  } catch (error) {
    if (!(error instanceof SourceMapError)) throw error;
    // A refused map is still recorded, so that frames that would have used it say why they are not mapped.
    const debugId = /"debug_?[iI]d"\s*:\s*"([0-9a-fA-F-]{36})"/.exec(content.subarray(0, 1 << 20).toString('utf8'))?.[1] ?? '';
    return { ...base, kind: 'sourcemap', debugId: UUID.test(debugId) ? debugId.toLowerCase() : '', invalidStatus: error.status, invalidReason: error.message };
  }
}
