// How the handlers read an AWS SDK v3 error, whatever the service.
import { isServerError, isThrottlingError, isTransientError } from '@smithy/service-error-classification';

/** The error's code as the SDK names it (its `name`). */
export function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

/** Throttling, 5xx and network faults, as the SDK itself classifies them: they go away by waiting. */
export function isTransientSdkError(error: unknown): boolean {
  const sdkError = error as Parameters<typeof isTransientError>[0];
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}
