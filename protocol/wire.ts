/**
 * The agent → collector wire format: one module, used by the agent (types only, so it
 * costs the bundle nothing) and by the collector (the JSON schemas it validates with).
 *
 * Field names are a public contract (docs/ingest.md): add fields, never rename them.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** A string from a fixed list, as a JSON-schema `enum` (validation errors can then name the choices). */
const StringEnum = <T extends string[]>(values: [...T]) => Type.Unsafe<T[number]>({ type: 'string', enum: values });

/** A debug ID: a UUID, any case (bundlers differ), as in `//# debugId=<uuid>`. */
export const DEBUG_ID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** Fields every event carries, whatever its kind. */
const base = {
  event_id: Type.String({ format: 'uuid' }),
  /** Epoch milliseconds, client clock. */
  timestamp: Type.Number({ minimum: 0 }),
  url: Type.String(),
  release: Type.Optional(Type.String()),
  environment: Type.Optional(Type.String()),
  session_id: Type.Optional(Type.String()),
  page_view_id: Type.Optional(Type.String()),
  /** Route template (`/users/:id`) the page was on when the event happened. */
  route: Type.Optional(Type.String()),
  user_id: Type.Optional(Type.String()),
  /** Viewport size as `<width>x<height>` CSS pixels. */
  viewport: Type.Optional(Type.String()),
  /** Network Information API `effectiveType` (`4g`, `3g`, …) where the browser has it. */
  connection: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Record(Type.String(), Type.String())),
};

export const FrameSchema = Type.Object(
  {
    function: Type.Optional(Type.String()),
    file: Type.Optional(Type.String()),
    line: Type.Optional(Type.Integer({ minimum: 0 })),
    column: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const BreadcrumbSchema = Type.Object(
  {
    timestamp: Type.Number(),
    category: Type.String(),
    message: Type.String(),
    level: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ErrorEventSchema = Type.Object(
  {
    kind: Type.Literal('error'),
    ...base,
    type: Type.String(),
    message: Type.String(),
    /** The raw `error.stack` string, when the agent has one. */
    stack: Type.Optional(Type.String()),
    /** Parsed frames, newest first. */
    frames: Type.Optional(Type.Array(FrameSchema)),
    /** How the error was seen: `onerror`, `unhandledrejection`, `manual`, `angular`, … */
    mechanism: Type.Optional(Type.String()),
    handled: Type.Optional(Type.Boolean()),
    /** Severity: `error` for exceptions; `captureMessage` may send another. */
    level: Type.Optional(StringEnum(['fatal', 'error', 'warning', 'info', 'debug'])),
    /** What the user can do about it, e.g. for "Script error." from a cross-origin script. */
    hint: Type.Optional(Type.String()),
    /** Identical errors collapsed by the agent in a burst. */
    count: Type.Optional(Type.Integer({ minimum: 1 })),
    fingerprint: Type.Optional(Type.Array(Type.String(), { maxItems: 16 })),
    /** Oldest first; the collector keeps the newest 100. */
    breadcrumbs: Type.Optional(Type.Array(BreadcrumbSchema)),
    /**
     * Debug IDs (ECMA-426 proposal) of the bundles in `frames`: frame `file` → ID, read from the
     * registration `lookout sourcemaps inject` adds to each bundle. Lets the collector find the
     * right source map whatever URL, CDN or query string served the file.
     */
    debug_ids: Type.Optional(
      Type.Record(Type.String(), Type.String({ pattern: DEBUG_ID_PATTERN }), { maxProperties: 64 }),
    ),
  },
  { additionalProperties: false },
);

export const VitalName = StringEnum(['LCP', 'INP', 'CLS', 'FCP', 'TTFB']);
export const VitalRating = StringEnum(['good', 'needs-improvement', 'poor']);

export const VitalEventSchema = Type.Object(
  {
    kind: Type.Literal('vital'),
    ...base,
    name: VitalName,
    value: Type.Number({ minimum: 0 }),
    rating: VitalRating,
    route: Type.String(),
    /** CSS selector of the element the metric is attributed to (LCP, INP, CLS). */
    target: Type.Optional(Type.String()),
    navigation_type: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const NavigationEventSchema = Type.Object(
  {
    kind: Type.Literal('navigation'),
    ...base,
    type: StringEnum(['load', 'route']),
    route: Type.String(),
    /** Milliseconds from navigation start until the view settled. */
    duration: Type.Number({ minimum: 0 }),
    /** Milliseconds until the router's end event (Angular NavigationEnd, …). */
    router_duration: Type.Optional(Type.Number({ minimum: 0 })),
    /** Requests the view waited for. */
    requests: Type.Optional(Type.Integer({ minimum: 0 })),
    /** `timeout`: the view did not settle within the agent's cap (10 s). */
    status: Type.Optional(StringEnum(['ok', 'cancelled', 'failed', 'timeout'])),
    from_route: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const EVENT_SCHEMAS = {
  error: ErrorEventSchema,
  vital: VitalEventSchema,
  navigation: NavigationEventSchema,
} as const satisfies Record<string, TSchema>;

export type EventKind = keyof typeof EVENT_SCHEMAS;
export const EVENT_KINDS = Object.keys(EVENT_SCHEMAS) as EventKind[];

export const SdkSchema = Type.Object(
  { name: Type.String({ maxLength: 64 }), version: Type.String({ maxLength: 32 }) },
  { additionalProperties: true },
);

/**
 * The envelope. Events are validated one by one (partial acceptance), so here they are
 * only "an array of objects".
 */
export const BatchSchema = Type.Object({
  sdk: SdkSchema,
  events: Type.Array(Type.Unknown()),
});

export type Frame = Static<typeof FrameSchema>;
export type Breadcrumb = Static<typeof BreadcrumbSchema>;
export type ErrorEvent = Static<typeof ErrorEventSchema>;
export type VitalEvent = Static<typeof VitalEventSchema>;
export type NavigationEvent = Static<typeof NavigationEventSchema>;
export type LookoutEvent = ErrorEvent | VitalEvent | NavigationEvent;
export type Sdk = Static<typeof SdkSchema>;
export interface Batch {
  sdk: Sdk;
  events: LookoutEvent[];
}

/** Web.dev thresholds: [good ≤ a, needs-improvement ≤ b, poor above]. */
export const VITAL_THRESHOLDS: Record<Static<typeof VitalName>, readonly [number, number]> = {
  LCP: [2500, 4000],
  INP: [200, 500],
  CLS: [0.1, 0.25],
  FCP: [1800, 3000],
  TTFB: [800, 1800],
};

/** Header the agent puts its public ingest key in (or `?key=` for sendBeacon). */
export const KEY_HEADER = 'x-lookout-key';
