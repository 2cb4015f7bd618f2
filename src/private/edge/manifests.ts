import { Token } from 'aws-cdk-lib';
import type { RecipePlatform } from './platforms';

/*
 * How a core device picks a manifest (recipe reference, Manifests and Platform,
 * https://docs.aws.amazon.com/greengrass/v2/developerguide/component-recipe-reference.html#recipe-reference-manifests):
 * "If a core device matches multiple manifests' platform requirements, AWS IoT Greengrass uses the
 * first manifest that the core device matches ... define the manifests with stricter platform
 * requirements first." Each Platform value is an exact value, `*` (matches any value, also an
 * absent one), or a Java-style regular expression between slashes.
 */

/** Values Greengrass documents for os and architecture (recipe reference), to compare two regexes. */
const KNOWN_VALUES: Record<string, string[]> = {
  os: ['linux', 'windows', 'darwin'],
  architecture: ['amd64', 'arm', 'aarch64', 'x86'],
};

/** Whether a Platform value is a regular expression (between slashes). */
export function isRegex(value: string): boolean {
  return value.length >= 2 && value.startsWith('/') && value.endsWith('/');
}

/**
 * The JavaScript form of a Platform regular expression. The nucleus matches Java patterns against
 * the whole value; Java's inline `(?i)` flag, which JavaScript lacks, becomes the `i` flag. Throws
 * when the pattern does not compile.
 */
export function regexOf(value: string): RegExp {
  const body = value.slice(1, -1);
  const caseless = body.startsWith('(?i)');
  return new RegExp(`^(?:${caseless ? body.slice(4) : body})$`, caseless ? 'i' : '');
}

/** The keys of a platform that constrain a device (`*` matches everything). */
function constraints(platform: RecipePlatform): [string, string][] {
  return Object.entries(platform).filter(([, v]) => v !== '*');
}

/** How many attributes a platform constrains: the more, the earlier its manifest. */
export function specificity(platform: RecipePlatform): number {
  return constraints(platform).length;
}

/** Whether one device value could satisfy both `a` and `b` (conservative: true when unknown). */
function valuesOverlap(key: string, a: string, b: string): boolean {
  if (!isRegex(a) && !isRegex(b)) return a === b;
  if (!isRegex(a)) return regexOf(b).test(a);
  if (!isRegex(b)) return regexOf(a).test(b);
  if (a === b) return true;
  const known = KNOWN_VALUES[key];
  return known ? known.some((v) => regexOf(a).test(v) && regexOf(b).test(v)) : true;
}

/** Whether some device could match both platforms. */
export function platformsOverlap(a: RecipePlatform, b: RecipePlatform): boolean {
  return constraints(a).every(([k, v]) => b[k] === undefined || b[k] === '*' || valuesOverlap(k, v, b[k]));
}

/** Whether every device that matches `narrow` also matches `wide` (so `narrow` refines `wide`). */
export function refines(narrow: RecipePlatform, wide: RecipePlatform): boolean {
  return constraints(wide).every(([k, v]) => {
    const n = narrow[k];
    if (n === undefined || n === '*') return false;
    if (n === v) return true;
    return isRegex(v) && !isRegex(n) && regexOf(v).test(n);
  });
}

/** Whether any value of the platform is known only at deploy time. */
export function hasTokens(platform: RecipePlatform): boolean {
  return Object.entries(platform).some(([k, v]) => Token.isUnresolved(k) || Token.isUnresolved(v));
}

/** A platform with a label for error messages. */
export interface LabelledPlatform {
  readonly label: string;
  readonly platform: RecipePlatform;
}

/**
 * Most specific first (stable). Greengrass uses the first manifest a device matches, so a manifest
 * with more constraints must come before a wider one it refines.
 */
export function orderMostSpecificFirst<T extends LabelledPlatform>(items: T[]): T[] {
  return items.map((item, i) => ({ item, i }))
    .sort((x, y) => specificity(y.item.platform) - specificity(x.item.platform) || x.i - y.i)
    .map(({ item }) => item);
}

/**
 * The conflicts of manifests in their final order: two manifests that a device could both match,
 * where the first does not strictly refine the second. (A strict refinement is the one overlap
 * Greengrass resolves as intended: the narrower manifest comes first and wins, the wider one
 * serves every other device.)
 */
export function manifestConflicts(ordered: LabelledPlatform[]): string[] {
  const problems: string[] = [];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = i + 1; j < ordered.length; j++) {
      const [a, b] = [ordered[i], ordered[j]];
      if (hasTokens(a.platform) || hasTokens(b.platform)) continue;
      if (!platformsOverlap(a.platform, b.platform)) continue;
      if (refines(a.platform, b.platform) && !refines(b.platform, a.platform)) continue;
      problems.push(`the manifests of ${a.label} ${describe(a.platform)} and ${b.label} ${describe(b.platform)} would match the same device, `
        + 'and Greengrass installs only the first: give one a platform that tells them apart (e.g. a custom attribute the devices set '
        + "through the nucleus's platformOverride)");
    }
  }
  return problems;
}

function describe(platform: RecipePlatform): string {
  const entries = Object.entries(platform);
  return entries.length === 0 ? '(any platform)' : `(${entries.map(([k, v]) => `${k}=${v}`).join(', ')})`;
}
