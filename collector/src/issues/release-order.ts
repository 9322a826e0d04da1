/**
 * "Is this release later than that one?" — for issues resolved in a release. Semantic versions
 * (also as `name@1.2.3` or `v1.2.3`) compare as versions; anything else is later when it is
 * simply another release (we cannot order build hashes; docs/issues.md says so).
 */
import semver from 'semver';

function versionOf(release: string): string | null {
  const tail = release.slice(release.lastIndexOf('@') + 1);
  return semver.valid(tail, { loose: true }) ?? semver.valid(semver.coerce(tail, { includePrerelease: true })?.version ?? null);
}

export function isLaterRelease(release: string, than: string): boolean {
  if (!release || release === than) return false;
  if (!than) return true;
  const a = versionOf(release);
  const b = versionOf(than);
  if (a && b && /\d+\.\d+/.test(release) && /\d+\.\d+/.test(than)) return semver.gt(a, b, { loose: true });
  return true;
}
