/**
 * JUnit XML for Jenkins and other CI: one test suite named after the simulation, one test case
 * per assertion (a `<failure>` with its message when it failed). A simulation without
 * assertions still gets one case, "run completed without failed requests", which fails when any
 * request failed: an empty report makes Jenkins fail the build for the wrong reason, and a case
 * that always passes would say nothing.
 */
import type { RunSummary } from '../contract.js';

export const NO_ASSERTIONS_CASE = 'run completed without failed requests';

// XML 1.0 cannot carry most control characters even escaped: they are dropped.
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };

/** For attribute values and text alike (line breaks kept as character references so attributes keep them). */
export const escapeXml = (value: string) => value.replace(INVALID_XML_CHARS, '').replace(/[&<>"'\n\r\t]/g, (char) => XML_ENTITIES[char]);

const seconds = (ms: number) => (ms / 1000).toFixed(3);

interface Case {
  name: string;
  failure?: string;
  details: string;
}

function casesOf(summary: RunSummary): Case[] {
  if (summary.assertions.length === 0) {
    const { count, ko } = summary.global;
    const details = `${ko} of ${count} requests failed`;
    return [{ name: NO_ASSERTIONS_CASE, details, ...(ko > 0 ? { failure: `${details} (${((ko / count) * 100).toFixed(2)} %); declare assertions to say what is acceptable` } : {}) }];
  }
  return summary.assertions.map((assertion) => ({
    name: assertion.description,
    details: `${assertion.scope} ${assertion.target}: actual ${assertion.actual ?? 'none (no requests)'}`,
    ...(assertion.passed ? {} : { failure: assertion.message ?? `${assertion.description}: failed` }),
  }));
}

export function junitXml(summary: RunSummary): string {
  const cases = casesOf(summary);
  const failures = cases.filter((testCase) => testCase.failure !== undefined).length;
  const suite = escapeXml(summary.simulation);
  const time = seconds(summary.durationMs);
  const { global } = summary;
  const out = [
    `<testsuite name="${suite}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${time}" timestamp="${new Date(summary.startedAt).toISOString().slice(0, 19)}">`,
    '  <properties>',
    `    <property name="label" value="${escapeXml(summary.label ?? '')}"/>`,
    `    <property name="stopReason" value="${escapeXml(summary.stopReason)}"/>`,
    '  </properties>',
    ...cases.flatMap((testCase) => {
      const open = `  <testcase classname="${suite}" name="${escapeXml(testCase.name)}" time="${time}"`;
      if (testCase.failure === undefined) return [`${open}/>`];
      return [`${open}>`, `    <failure message="${escapeXml(testCase.failure)}" type="AssertionFailed">${escapeXml(testCase.details)}</failure>`, '  </testcase>'];
    }),
    `  <system-out>${escapeXml(
      `${global.count} requests, ${global.ko} failed, p95 ${global.p95} ms, ${global.rps.toFixed(1)} req/s over ${time} s; stopped: ${summary.stopReason}`,
    )}</system-out>`,
    '</testsuite>',
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="lookout load" tests="${cases.length}" failures="${failures}" errors="0" time="${time}">\n${out.map((line) => `  ${line}`).join('\n')}\n</testsuites>\n`;
}
