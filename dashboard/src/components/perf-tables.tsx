/**
 * The Performance view's tables: a vital's percentiles and rating shares per route or browser,
 * and navigation durations per route. Routes and browser names are event data: text only.
 */
import { count, ms, percent, vitalValue } from '../format.js';
import { RatingBadge, type Thresholds, type Vital } from './perf-vitals.js';

export interface VitalGroup {
  route?: string;
  browser?: string;
  count: number;
  p50: number;
  p75: number;
  p95: number;
  good: number;
  needs_improvement: number;
  poor: number;
}

const groupName = (group: VitalGroup, by: 'route' | 'browser') => group[by] || (by === 'route' ? '(no route)' : '(unknown browser)');

export function VitalTable(props: { metric: Vital; by: 'route' | 'browser'; thresholds: Thresholds; groups: VitalGroup[] }) {
  const { metric, by, thresholds, groups } = props;
  if (groups.length === 0) return <p class="muted">No {metric} values in this range.</p>;
  return (
    <div class="perf-table-wrap">
      <table class="perf-table">
        <caption class="visually-hidden">
          {metric} by {by}
        </caption>
        <thead>
          <tr>
            <th scope="col">{by === 'route' ? 'Route' : 'Browser'}</th>
            <th scope="col" class="num">Count</th>
            <th scope="col" class="num">p50</th>
            <th scope="col" class="num">p75</th>
            <th scope="col" class="num">p95</th>
            <th scope="col" class="num">Good</th>
            <th scope="col" class="num">Needs impr.</th>
            <th scope="col" class="num">Poor</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr>
              <th scope="row" class="mono perf-group">
                {groupName(group, by)}
              </th>
              <td class="num">{count(group.count)}</td>
              <td class="num">{vitalValue(metric, group.p50)}</td>
              <td class="num">
                {vitalValue(metric, group.p75)} <RatingBadge value={group.p75} thresholds={thresholds} />
              </td>
              <td class="num">{vitalValue(metric, group.p95)}</td>
              <td class="num perf-share-good">{percent(group.good)}</td>
              <td class="num perf-share-ni">{percent(group.needs_improvement)}</td>
              <td class="num perf-share-poor">{percent(group.poor)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Percentiles = { count: number; p50: number; p75: number; p95: number };

export interface NavigationGroup {
  route?: string;
  page_load: Percentiles | null;
  route_change: Percentiles | null;
}

const percentileCells = (value: Percentiles | null) =>
  value
    ? [count(value.count), ms(value.p50), ms(value.p75), ms(value.p95)].map((text) => <td class="num">{text}</td>)
    : [<td class="num muted">0</td>, <td class="num muted" colSpan={3}>–</td>];

export function NavigationTable(props: { groups: NavigationGroup[] }) {
  if (props.groups.length === 0) return <p class="muted">No page loads or route changes in this range.</p>;
  // Busiest routes first: that is where a slow route change hurts most.
  const groups = [...props.groups].sort((a, b) => total(b) - total(a));
  return (
    <div class="perf-table-wrap">
      <table class="perf-table">
        <caption class="visually-hidden">Page load and route change durations by route</caption>
        <thead>
          <tr>
            <th scope="col" rowSpan={2}>
              Route
            </th>
            <th scope="colgroup" colSpan={4} class="perf-colgroup">
              Route changes
            </th>
            <th scope="colgroup" colSpan={4} class="perf-colgroup">
              Page loads
            </th>
          </tr>
          <tr>
            {['Count', 'p50', 'p75', 'p95', 'Count', 'p50', 'p75', 'p95'].map((label) => (
              <th scope="col" class="num">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr>
              <th scope="row" class="mono perf-group">
                {group.route || '(no route)'}
              </th>
              {percentileCells(group.route_change)}
              {percentileCells(group.page_load)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const total = (group: NavigationGroup) => (group.page_load?.count ?? 0) + (group.route_change?.count ?? 0);
