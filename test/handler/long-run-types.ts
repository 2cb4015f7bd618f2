export type { CompilationResultSpec, LongRunInput } from '../../src/private/contract';
/** A result-resource event as isComplete receives it (the job resource's event types do not cover it). */
export type IsCompleteRequestLike = Record<string, unknown>;
