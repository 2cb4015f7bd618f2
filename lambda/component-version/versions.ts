// Which version a recipe gets: semantic versions, the next patch, and whether two recipes carry the
// same artifacts.
import type { GreengrassRecipe } from '../../src/private/component-contract';
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

/** A recipe's value at `key`, whatever its case (Greengrass reads recipe keys case-insensitively). */
function field(object: unknown, key: string): unknown {
  if (typeof object !== 'object' || object === null) return undefined;
  const entry = Object.entries(object).find(([k]) => k.toLowerCase() === key.toLowerCase());
  return entry?.[1];
}

/** One artifact as the comparison sees it. */
interface ArtifactKey {
  readonly uri: string;
  /** Greengrass adds `Digest` (and `Algorithm`) to each artifact of the recipes it stores. */
  readonly digest?: string;
}

/** The artifacts of each manifest, in order. */
export function artifactsOf(recipe: GreengrassRecipe): ArtifactKey[][] {
  const manifests = field(recipe, 'Manifests');
  return (Array.isArray(manifests) ? manifests : []).map((manifest) => {
    const artifacts = field(manifest, 'Artifacts');
    return (Array.isArray(artifacts) ? artifacts : []).map((artifact) => {
      const digest = field(artifact, 'Digest');
      return { uri: String(field(artifact, 'Uri')), ...(typeof digest === 'string' ? { digest } : {}) };
    });
  });
}

/**
 * Whether two recipes carry the same artifacts: manifest by manifest, the same URIs and, where both
 * recipes hold one, the same digest.
 *
 * The URIs identify the bytes: each is a compilation job's output, written once under a key named
 * after the job (the handler of CompilationJob appends `/<job name>/` to the output location, and a
 * job name is new for every compilation), so a new compilation never writes where an earlier one did.
 * Nothing here uploads or rewrites an artifact: a version is only ever created, never updated.
 */
export function sameArtifacts(a: GreengrassRecipe, b: GreengrassRecipe): boolean {
  const [x, y] = [artifactsOf(a), artifactsOf(b)];
  return x.length === y.length && x.every((manifest, i) => manifest.length === y[i].length && manifest.every((artifact, j) => {
    const other = y[i][j];
    return artifact.uri === other.uri && (artifact.digest === undefined || other.digest === undefined || artifact.digest === other.digest);
  }));
}

/** Every artifact URI of a recipe, for messages. */
export function artifactUris(recipe: GreengrassRecipe): string[] {
  return artifactsOf(recipe).flat().map((artifact) => artifact.uri);
}

/**
 * The recipe as CreateComponentVersion receives it: the construct's recipe with the version this
 * deployment publishes (a recipe needs one: the GDK CLI's recipe schema lists it as required).
 */
export function withVersion(recipe: GreengrassRecipe, version: string): GreengrassRecipe {
  return { ...recipe, ComponentVersion: version };
}
