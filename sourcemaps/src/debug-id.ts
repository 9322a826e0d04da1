/**
 * Debug IDs of bundles: derived from the bundle's bytes, so building the same code twice (or
 * re-running inject) gives the same ID, and a changed bundle a new one.
 */
import { createHash } from 'node:crypto';
import { DEBUG_ID_COMMENT } from '../../protocol/debug-id.js';
import { trailingComment } from './trailing-comment.js';

/** A UUID, any case: what `//# debugId=` and a map's `debugId` may carry. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isDebugId = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/**
 * The debug ID of a bundle: its SHA-256 shaped as a lower-case v4 UUID (version and variant
 * bits set), as tools that validate UUIDs expect.
 */
export function debugIdFromContent(content: string | Uint8Array): string {
  const bytes = createHash('sha256').update(content).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// `//# debugId=<uuid>` on a line of its own (the shared constant has no regex metacharacters).
const DEBUG_ID_LINE = new RegExp(`^${DEBUG_ID_COMMENT}([0-9a-fA-F-]{36})[ \\t]*\\r?$`, 'gm');

/** The ID a bundle's trailing `//# debugId=` comment names, lower-cased, and where the comment starts. */
export function debugIdComment(code: string): { id: string; index: number } | undefined {
  const match = trailingComment(code, DEBUG_ID_LINE);
  return match && isDebugId(match[1]) ? { id: match[1].toLowerCase(), index: match.index } : undefined;
}
