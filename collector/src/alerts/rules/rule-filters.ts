/** Whether an event passes a rule's filters: every filter given must match (absent: any). */
import type { RuleFilters } from './rule-schema.js';

export interface FilteredEvent {
  environment: string;
  release: string;
  route: string;
  /** The browser's name (`Chrome`), or name and version (`Chrome 131`). */
  browser: string;
  tags: Record<string, string> | undefined;
}

export function matchesRuleFilters(filters: RuleFilters | undefined, event: FilteredEvent): boolean {
  if (!filters) return true;
  if (filters.environment && !filters.environment.includes(event.environment)) return false;
  if (filters.release && !filters.release.includes(event.release)) return false;
  if (filters.route && !filters.route.includes(event.route)) return false;
  if (filters.browser && !filters.browser.some((name) => event.browser === name || event.browser.startsWith(name + ' '))) return false;
  if (filters.tags && !Object.entries(filters.tags).every(([key, value]) => event.tags?.[key] === value)) return false;
  return true;
}
