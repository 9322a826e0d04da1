import type { Breadcrumb } from '../../protocol/wire.js';

/** Enough to see what led to an error, small enough to send with every error. */
export const MAX_BREADCRUMBS = 20;

const ring: Breadcrumb[] = [];

export function addBreadcrumb({ category, message, level }: Omit<Breadcrumb, 'timestamp'>): void {
  ring.push({ timestamp: Date.now(), category, message: String(message).slice(0, 300), level });
  if (ring.length > MAX_BREADCRUMBS) ring.shift();
}

/** A copy: an error event keeps the breadcrumbs as they were when it happened. */
export const breadcrumbs = (): Breadcrumb[] => ring.slice();
