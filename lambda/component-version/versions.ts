// Which version a recipe gets: semantic versions, the next patch, and whether an existing version's
// recipe is this one.
import type { GreengrassRecipe } from '../../src/private/edge/component-contract';
import { NAME_LIMITS } from '../../src/private/limits';

/** Numbers as BigInt: semver sets no bound on them, and a patch past 2^53 must still count up. */
interface SemVer {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly prerelease: string[];
}

/** Greengrass component versions are semantic versions (https://semver.org); build metadata is ignored in order. */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parse(version: string): SemVer | undefined {
  const m = SEMVER.exec(version);
  return m ? { major: BigInt(m[1]), minor: BigInt(m[2]), patch: BigInt(m[3]), prerelease: m[4]?.split('.') ?? [] } : undefined;
}

function sign(difference: bigint): number {
  return difference > 0n ? 1 : difference < 0n ? -1 : 0;
}

/** Semantic version precedence (semver.org, item 11): negative when `a` is lower. */
export function compareVersions(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return x ? 1 : y ? -1 : a.localeCompare(b);
  const core = sign(x.major - y.major) || sign(x.minor - y.minor) || sign(x.patch - y.patch);
  if (core !== 0) return core;
  // A version without a pre-release is higher than one with it.
  if (x.prerelease.length === 0 || y.prerelease.length === 0) return y.prerelease.length - x.prerelease.length;
  for (let i = 0; i < Math.min(x.prerelease.length, y.prerelease.length); i++) {
    const [p, q] = [x.prerelease[i], y.prerelease[i]];
    const numeric = /^\d+$/.test(p) && /^\d+$/.test(q);
    const order = numeric ? sign(BigInt(p) - BigInt(q)) : /^\d+$/.test(p) ? -1 : /^\d+$/.test(q) ? 1 : p.localeCompare(q);
    if (order !== 0) return order;
  }
  return x.prerelease.length - y.prerelease.length;
}

/** The highest of `versions` (ListComponentVersions lists greater versions first; this does not rely on it). */
export function newestOf(versions: readonly string[]): string | undefined {
  return [...versions].sort(compareVersions).pop();
}

/**
 * The next patch after `version`, as the GDK CLI's NEXT_PATCH takes it: major.minor.(patch + 1),
 * pre-release and build dropped; undefined when it would be longer than Greengrass takes (64
 * characters: NAME_LIMITS.componentVersion, botocore greengrassv2/2020-11-30 ComponentVersionString).
 */
export function nextPatch(version: string): string | undefined {
  const v = parse(version);
  if (!v) throw new Error(`'${version}' is not a semantic version`);
  const next = `${v.major}.${v.minor}.${v.patch + 1n}`;
  return next.length <= NAME_LIMITS.componentVersion.max ? next : undefined;
}

/*
 * Whether an existing version can serve a recipe: everything in it that reaches a device must be
 * the same (the platforms and their order decide which manifest a device takes, the lifecycle what
 * it runs, the artifacts what it downloads, the configuration what it reads). Compared as Greengrass
 * reads a recipe: keys of any case (recipe reference: "Recipe key names are case-insensitive"), the
 * defaults a stored recipe may spell out (ComponentType aws.greengrass.generic, empty sections, an
 * artifact's Unarchive NONE and Permission Read OWNER / Execute NONE) taken as given, and the
 * `Digest` and `Algorithm` Greengrass adds to each artifact of a stored recipe left aside, except
 * that two digests, where both recipes hold one, must agree. Only `ComponentVersion` may differ.
 * https://docs.aws.amazon.com/greengrass/v2/developerguide/component-recipe-reference.html
 */

/** Maps whose keys are data (platform attributes, configuration), compared as they are. */
const DATA_MAPS = ['platform', 'defaultconfiguration'];
/** What Greengrass computes into a stored artifact. */
const COMPUTED_ARTIFACT_KEYS = ['digest', 'algorithm'];
const ARTIFACT_DEFAULTS = { unarchive: 'NONE', permission: { read: 'OWNER', execute: 'NONE' } };

/** The recipe as the comparison sees it (see above); digests are collected apart. */
function canonical(value: unknown, key = '', digests?: Map<string, string>, at = ''): unknown {
  if (Array.isArray(value)) return value.map((v, i) => canonical(v, key, digests, `${at}[${i}]`));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([k, v]) => [DATA_MAPS.includes(key) ? k : k.toLowerCase(), v] as [string, unknown]);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) out[k] = DATA_MAPS.includes(key) ? v : canonical(v, k, digests, at ? `${at}.${k}` : k);
  if (key === '' || key === 'manifests') {
    // An empty section says what its absence says (a stored recipe may spell them out).
    for (const [k, v] of Object.entries(out)) if (isEmpty(v)) delete out[k];
  }
  if (key === '') {
    delete out.componentversion;
    out.componenttype ??= 'aws.greengrass.generic'; // the recipe reference's default
  }
  if (key === 'manifests') out.platform ??= {};
  if (key === 'artifacts') {
    if (typeof out.digest === 'string') digests?.set(at, out.digest);
    for (const computed of COMPUTED_ARTIFACT_KEYS) delete out[computed];
    out.unarchive ??= ARTIFACT_DEFAULTS.unarchive;
    out.permission = { ...ARTIFACT_DEFAULTS.permission, ...(out.permission as object | undefined) };
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  return (Array.isArray(value) && value.length === 0)
    || (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);
}

/** The first place where two values differ, as a path, or undefined when they are the same. */
function firstDifference(a: unknown, b: unknown, at: string): string | undefined {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return JSON.stringify(a) === JSON.stringify(b) ? undefined : at;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${at} (${a.length} against ${b.length})`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
    if (d) return d;
  }
  return undefined;
}

/**
 * Where an existing version's recipe differs from the one this deployment ships, in anything that
 * reaches a device (a path such as `manifests[0].platform.architecture`), or undefined: reusable.
 */
export function recipeDifference(stored: GreengrassRecipe, wanted: GreengrassRecipe): string | undefined {
  const [x, y] = [new Map<string, string>(), new Map<string, string>()];
  const d = firstDifference(canonical(stored, '', x), canonical(wanted, '', y), '');
  if (d) return d;
  return [...x].find(([at, digest]) => y.has(at) && y.get(at) !== digest)?.[0]?.concat('.digest');
}

/** Whether an existing version's recipe is this one in everything that reaches a device. */
export function sameRecipe(stored: GreengrassRecipe, wanted: GreengrassRecipe): boolean {
  return recipeDifference(stored, wanted) === undefined;
}

/** Every artifact URI of a recipe, for messages. */
export function artifactUris(recipe: GreengrassRecipe): string[] {
  const manifests = (canonical(recipe) as { manifests?: Array<{ artifacts?: Array<{ uri?: unknown }> }> }).manifests ?? [];
  return manifests.flatMap((m) => m.artifacts ?? []).map((a) => String(a.uri));
}

/**
 * The recipe as CreateComponentVersion receives it: the construct's recipe with the version this
 * deployment publishes (a recipe needs one: the GDK CLI's recipe schema lists it as required).
 */
export function withVersion(recipe: GreengrassRecipe, version: string): GreengrassRecipe {
  return { ...recipe, ComponentVersion: version };
}
