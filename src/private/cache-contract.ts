/**
 * Compile once: what the construct tells the handler about a job's compilation cache, and the
 * record the handler writes next to each cached artifact. Shared with the handler by `import type`
 * (and by value for the constants, which carry no construct code).
 */

/** Where the handler looks up and publishes a job's compiled artifact. */
export interface CacheSpec {
  /** Name of the cache bucket. */
  readonly bucket: string;
  /** Key prefix of the entries: empty, or ending in '/'. */
  readonly prefix: string;
  /** What identifies the model's bytes; the handler completes an S3 object's identity at deploy time. */
  readonly model: CacheModelIdentity;
}

/**
 * The identity of the model to compile, one of:
 * - `assetHash`: a local archive (the CDK asset's content hash, the same in every stage);
 * - `object` (+ `version` when pinned): an S3 object; without a version the handler reads the
 *   object's VersionId, else its ETag, with HeadObject when the deployment runs;
 * - `modelPackage`: a model package version ARN (a version never changes).
 */
export interface CacheModelIdentity {
  readonly assetHash?: string;
  readonly object?: string;
  readonly version?: string;
  readonly modelPackage?: string;
}

/** Bumped when the key's inputs or the record change meaning: older entries then simply miss. */
export const CACHE_FORMAT = 1;

/** The object, under `<prefix><key>/`, that makes an entry: written last, and only if absent. */
export const CACHE_RECORD_NAME = 'entry.json';

/** What an entry's record says (JSON). A reader trusts it only whole, and only if the artifact matches. */
export interface CacheRecord {
  readonly format: number;
  /** The key the entry is stored under (hex SHA-256 of `inputs` as canonical JSON). */
  readonly key: string;
  /** Everything the key was computed from. */
  readonly inputs: Record<string, unknown>;
  /** The CreateCompilationJob request that compiled the artifact, as DescribeCompilationJob gives it (tags left out). */
  readonly request: Record<string, unknown>;
  readonly compilationJobName: string;
  readonly compilationJobArn: string;
  readonly inferenceImage: string;
  /** SageMaker's `ModelDigests.ArtifactDigest` of the job (every stage reports this one). */
  readonly artifactDigest: string;
  readonly derivedDataInputConfig: string;
  /** The cached archive: its key in the cache bucket, S3's ETag and size of exactly those bytes. */
  readonly artifact: { readonly key: string; readonly etag: string; readonly size: number };
  readonly account: string;
  readonly region: string;
  /** ISO 8601. */
  readonly publishedAt: string;
}
