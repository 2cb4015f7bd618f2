/** What a setting's validity depends on: the rest of the job (values may be unresolved tokens). */
export interface JobContext {
  readonly framework?: string;
  readonly frameworkVersion?: string;
  readonly device?: string;
  readonly os?: string;
  readonly accelerator?: string;
}

/** A check of one setting against the job; returns the problems, each naming the rule. */
export type ContextCheck = (context: JobContext) => string[];

/** Whether the target is a SageMaker cloud instance family (ml_*). */
export function isCloudDevice(context: JobContext): boolean {
  return context.device?.startsWith('ml_') ?? false;
}
