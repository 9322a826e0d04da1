/** The parts of a HAR 1.2 file (https://w3c.github.io/web-performance/specs/HAR/Overview.html) the converter reads. */
export interface HarHeader {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  /** Total time of the request, ms. */
  time: number;
  request: {
    method: string;
    url: string;
    headers: HarHeader[];
    postData?: { mimeType?: string; text?: string; params?: { name: string; value?: string }[] };
  };
  response: { status: number; headers?: HarHeader[]; content?: { mimeType?: string } };
  /** Chromium's own field: document, script, stylesheet, image, font, xhr, fetch, websocket… */
  _resourceType?: string;
}

export class HarError extends Error {}

export function parseHar(harText: string): { entries: HarEntry[]; pageTitle?: string; creator?: string } {
  let har: { log?: { entries?: unknown; pages?: { title?: string }[]; creator?: { name?: string; version?: string } } };
  try {
    har = JSON.parse(harText.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new HarError(`not a HAR file: ${(error as Error).message}`);
  }
  const entries = har?.log?.entries;
  if (!Array.isArray(entries)) throw new HarError('not a HAR file: no log.entries array');
  const valid = entries.filter(
    (entry): entry is HarEntry =>
      typeof entry?.request?.url === 'string' && typeof entry?.request?.method === 'string' && Number.isFinite(Date.parse(entry?.startedDateTime)),
  );
  if (valid.length === 0) throw new HarError('the HAR file records no requests');
  // Browsers write entries in start order, mostly; a stable sort makes sure.
  const ordered = valid
    .map((entry, index) => ({ entry, index, at: Date.parse(entry.startedDateTime) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ entry }) => ({ ...entry, request: { ...entry.request, headers: entry.request.headers ?? [] }, response: entry.response ?? { status: 0 }, time: Number(entry.time) || 0 }));
  const creator = har.log?.creator?.name ? `${har.log.creator.name}${har.log.creator.version ? ` ${har.log.creator.version}` : ''}` : undefined;
  return { entries: ordered, pageTitle: har.log?.pages?.[0]?.title, creator };
}
