import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Every warning the library can emit, by id. The ids are part of the public API (users
 * acknowledge them with `Annotations.of(job).acknowledgeWarning(id, reason)`): never rename one.
 * docs/warnings.md lists them, and test/warnings.test.ts keeps that table equal to this list.
 */
export const WARNINGS = {
  'cdk-sagemaker-neo:framework-version': 'frameworkVersion is one Neo may refuse for the target (the sources disagree), or newer than the newest Neo lists for it',
  'cdk-sagemaker-neo:single-region-target': 'the target device is documented for one Region only, and the stack is in another',
  'cdk-sagemaker-neo:imported-role': 'role is imported: the construct cannot see its trust policy, and adds no permissions to an immutable role',
  'cdk-sagemaker-neo:end-of-life': 'the target or compiler options belong to an AWS service that has ended (Elastic Inference, DeepLens)',
} as const;

/** The id of one of the library's warnings. */
export type WarningId = keyof typeof WARNINGS;

/** Adds one of the library's warnings to `scope` (the only place the library adds a warning). */
export function warn(scope: IConstruct, id: WarningId, message: string): void {
  Annotations.of(scope).addWarningV2(id, message);
}
