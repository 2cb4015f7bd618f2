import { Token } from 'aws-cdk-lib';
import { isWildcard, REPORTED_VALUES, valueMatches } from './platform-values';
import type { RecipePlatform } from './platforms';

/*
 * How a core device picks a manifest: "The core device uses the first manifest with platform
 * requirements that the device meets" (recipe reference, Manifests,
 * https://docs.aws.amazon.com/greengrass/v2/developerguide/component-recipe-reference.html#recipe-reference-manifests;
 * aws-greengrass-component-common PlatformHelper.findBestMatch: `filter(testPlatform).findFirst()`).
 * A manifest matches when every key of its Platform matches the device's value (platform-values.ts);
 * a key the manifest leaves out does not constrain the device.
 *
 * The rule this file enforces: no device gets a model compiled for another device. Two manifests a
 * device could both match are refused, with one exception the user states: a manifest marked
 * `fallback` after a narrower one it strictly contains (the narrower one wins on its devices, the
 * fallback serves the rest, knowingly).
 */

/** A platform with a label for error messages, and whether the user made it a catch-all. */
export interface LabelledPlatform {
  readonly label: string;
  readonly platform: RecipePlatform;
  readonly fallback?: boolean;
}

/** The values of `os`/`architecture` that a manifest value accepts ('unknown' is reported too). */
function acceptedReported(key: string, value: string): string[] | undefined {
  const reported = REPORTED_VALUES[key];
  return reported ? [...reported, 'unknown'].filter((v) => valueMatches(key, value, v)) : undefined;
}

/** Whether one device value could satisfy both `a` and `b` (conservative: true when unknown). */
function valuesOverlap(key: string, a: string, b: string): boolean {
  const [x, y] = [acceptedReported(key, a), acceptedReported(key, b)];
  if (x && y) return x.some((v) => y.includes(v));
  if (isWildcard(key, a) || isWildcard(key, b) || a === b) return true;
  const [aExact, bExact] = [!a.startsWith('/'), !b.startsWith('/')];
  if (aExact && bExact) return false;
  if (aExact) return valueMatches(key, b, a);
  if (bExact) return valueMatches(key, a, b);
  return true; // two different regular expressions: assume some value satisfies both
}

/** Whether every device value that satisfies `narrow` satisfies `wide`. */
function valueRefines(key: string, narrow: string, wide: string): boolean {
  const [x, y] = [acceptedReported(key, narrow), acceptedReported(key, wide)];
  if (x && y) return x.length > 0 && x.every((v) => y.includes(v));
  if (isWildcard(key, wide) || narrow === wide) return true;
  return !narrow.startsWith('/') && valueMatches(key, wide, narrow);
}

/** Whether some device could match both platforms. */
export function platformsOverlap(a: RecipePlatform, b: RecipePlatform): boolean {
  return Object.entries(a).every(([k, v]) => b[k] === undefined || valuesOverlap(k, v, b[k]));
}

/** Whether every device that matches `narrow` also matches `wide`. */
export function refines(narrow: RecipePlatform, wide: RecipePlatform): boolean {
  return Object.entries(wide).every(([k, v]) => narrow[k] !== undefined && valueRefines(k, narrow[k], v));
}

/** How many keys a platform constrains beyond "has a value": the more, the earlier its manifest. */
export function specificity(platform: RecipePlatform): number {
  return Object.entries(platform).filter(([k, v]) => !isWildcard(k, v)).length;
}

/** Whether any key or value of the platform is known only at deploy time. */
export function hasTokens(platform: RecipePlatform): boolean {
  return Object.entries(platform).some(([k, v]) => Token.isUnresolved(k) || Token.isUnresolved(v));
}

/**
 * Most specific first (stable): more constrained keys before fewer, and any manifest before a
 * manifest it strictly refines (a fallback must follow every manifest it contains, whatever their
 * key counts: `architecture: '/arm|aarch64/'` has as many keys as `architecture: 'aarch64'`).
 */
export function orderMostSpecificFirst<T extends LabelledPlatform>(items: T[]): T[] {
  const ordered = items.map((item, i) => ({ item, i }))
    .sort((x, y) => specificity(y.item.platform) - specificity(x.item.platform) || x.i - y.i)
    .map(({ item }) => item);
  const strictlyRefines = (a: T, b: T) => !hasTokens(a.platform) && !hasTokens(b.platform)
    && refines(a.platform, b.platform) && !refines(b.platform, a.platform);
  for (let moved = true, rounds = 0; moved && rounds < ordered.length * ordered.length; rounds++) {
    moved = false;
    for (let i = 0; i < ordered.length && !moved; i++) {
      const j = ordered.findIndex((other, k) => k > i && strictlyRefines(other, ordered[i]));
      if (j > i) {
        ordered.splice(j, 0, ...ordered.splice(i, 1));
        moved = true;
      }
    }
  }
  return ordered;
}

/** The conflicts of manifests in their final order, each naming both models and how to tell them apart. */
export function manifestConflicts(ordered: LabelledPlatform[]): string[] {
  const problems: string[] = [];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = i + 1; j < ordered.length; j++) {
      const [a, b] = [ordered[i], ordered[j]];
      if (hasTokens(a.platform) || hasTokens(b.platform)) continue;
      if (!platformsOverlap(a.platform, b.platform)) continue;
      const strict = refines(a.platform, b.platform) && !refines(b.platform, a.platform);
      if (strict && b.fallback) continue;
      problems.push(strict
        ? `${b.label} ${describe(b.platform)} is a catch-all: besides its own devices, every device that matches it but not `
          + `${a.label} ${describe(a.platform)} installs its model (a device of ${a.label}'s kind whose attributes are not set, `
          + 'any other device of that os and architecture). Give it a custom attribute of its own (EdgePlatform.forTargetDevice, '
          + "set on the devices when they are provisioned), or set 'fallback: true' on it if every such device should run its model"
        : `${a.label} ${describe(a.platform)} and ${b.label} ${describe(b.platform)} match the same devices: a device installs `
          + `the first manifest it matches, so devices meant for ${b.label} would run ${a.label}'s model. Tell them apart with a `
          + "custom attribute on each (EdgePlatform.forTargetDevice, set in the nucleus's platformOverride when the devices are provisioned)");
    }
  }
  return problems;
}

function describe(platform: RecipePlatform): string {
  const entries = Object.entries(platform);
  return entries.length === 0 ? '[any platform]' : `[${entries.map(([k, v]) => `${k}=${v}`).join(', ')}]`;
}
