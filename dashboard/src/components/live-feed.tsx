/**
 * The live feed's WebSocket as a hook: connects (the session cookie authenticates it — same
 * origin, no token in the URL), reconnects with backoff, and keeps the newest lines. While
 * paused the socket stays open and new lines wait in a buffer, counted, until resumed.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';

export interface FeedEvent {
  kind: 'error' | 'vital' | 'navigation';
  event_id: string;
  timestamp: number;
  received_at: number;
  route?: string;
  release?: string;
  browser?: { name?: string; version?: string };
  // error
  type?: string;
  message?: string;
  handled?: boolean;
  issue?: { id: string; title: string; status: string; new: boolean; regression: boolean };
  // vital
  name?: string;
  value?: number;
  rating?: 'good' | 'needs-improvement' | 'poor';
  // navigation
  duration?: number;
  status?: string;
  from_route?: string;
}

export type Line = { key: string; at: number } & ({ kind: 'event'; event: FeedEvent } | { kind: 'notice'; text: string });

export type Status =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'reconnecting'; inSeconds: number; attempt: number }
  | { state: 'closed'; reason: string };

/** Lines kept on screen and in the pause buffer: a tail, not an archive (the event API has the rest). */
export const MAX_LINES = 500;
const MAX_BACKOFF_MS = 30_000;

/** 1, 2, 4 … 30 s, with jitter so many dashboards do not all come back in the same second. */
const backoffMs = (attempt: number) => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt) * (0.75 + Math.random() / 2);

let noticeCount = 0;
const notice = (text: string): Line => ({ key: `notice-${++noticeCount}`, at: Date.now(), kind: 'notice', text });

/** A feed message as a line, or null for those that are not shown (hello, filters). */
function lineOf(message: any): Line | null {
  if (message?.type === 'event' && message.event) return { key: String(message.event.event_id), at: Number(message.event.timestamp), kind: 'event', event: message.event };
  if (message?.type === 'missed') return notice(`${message.count} events were not sent: the connection was too slow.`);
  if (message?.type === 'error') return notice(`The collector could not read a message: ${message.message}`);
  return null;
}

export interface LiveFeed {
  status: Status;
  /** True once the socket has been open (the view's `ready`). */
  opened: boolean;
  lines: Line[];
  paused: boolean;
  /** Lines that arrived while paused (the buffer keeps the newest MAX_LINES of them). */
  pending: number;
  pause: () => void;
  resume: () => void;
  clear: () => void;
  reconnectNow: () => void;
}

/** `url` null: stay closed (saying `closedReason`). */
export function useLiveFeed(url: string | null, closedReason: string): LiveFeed {
  const [status, setStatus] = useState<Status>({ state: 'connecting' });
  const [opened, setOpened] = useState(false);
  const [lines, setLines] = useState<Line[]>([]);
  const [paused, setPaused] = useState(false);
  const [pending, setPending] = useState(0);
  const [generation, setGeneration] = useState(0);
  const pausedRef = useRef(false);
  const buffer = useRef<Line[]>([]);

  const incoming = useRef<Line[]>([]);
  const arrived = useRef(0);
  const flushTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // A busy project sends many events a second: they are shown in batches (one render per 100 ms), newest first.
  const flush = useCallback(() => {
    flushTimer.current = undefined;
    const batch = incoming.current.reverse();
    const count = arrived.current;
    incoming.current = [];
    arrived.current = 0;
    if (pausedRef.current) {
      buffer.current = batch.concat(buffer.current).slice(0, MAX_LINES);
      setPending((n) => n + count);
    } else setLines((kept) => batch.concat(kept).slice(0, MAX_LINES));
  }, []);
  const receive = useCallback((line: Line) => {
    incoming.current.push(line);
    arrived.current++;
    if (incoming.current.length > MAX_LINES) incoming.current.shift();
    flushTimer.current ??= setTimeout(flush, 100);
  }, []);
  useEffect(() => () => clearTimeout(flushTimer.current), []);

  useEffect(() => {
    if (url === null) {
      setStatus({ state: 'closed', reason: closedReason });
      return;
    }
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;

    const connect = () => {
      setStatus({ state: 'connecting' });
      socket = new WebSocket(url);
      socket.onopen = () => {
        attempt = 0;
        setOpened(true);
        setStatus({ state: 'live' });
      };
      socket.onmessage = (message) => {
        try {
          const line = lineOf(JSON.parse(String(message.data)));
          if (line) receive(line);
        } catch {
          // Not JSON: not from our collector's feed; nothing to show.
        }
      };
      socket.onclose = () => {
        if (stopped) return;
        const delay = backoffMs(attempt++);
        setStatus({ state: 'reconnecting', inSeconds: Math.round(delay / 1000), attempt });
        // A refused upgrade looks like any dropped connection; an API call tells an ended session apart (and shows the sign-in).
        if (attempt === 2) api('/api/projects').catch(() => {});
        timer = setTimeout(connect, delay);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, [url, generation]);

  const pause = useCallback(() => {
    pausedRef.current = true;
    setPaused(true);
  }, []);
  const resume = useCallback(() => {
    pausedRef.current = false;
    setPaused(false);
    const waiting = buffer.current;
    buffer.current = [];
    setPending(0);
    // The buffer is newest first already.
    setLines((kept) => waiting.concat(kept).slice(0, MAX_LINES));
  }, []);
  const clear = useCallback(() => {
    setLines([]);
    buffer.current = [];
    incoming.current = [];
    setPending(0);
  }, []);
  const reconnectNow = useCallback(() => setGeneration((n) => n + 1), []);

  return { status, opened, lines, paused, pending, pause, resume, clear, reconnectNow };
}
