/**
 * Keeps the deployment-overhead simulation (deploy-sim.ts, run by `npx projen bench`) from rotting:
 * a small stack, three jobs for a quota of two, must deploy without failures and close to the ideal.
 */
import { simulateDeployment } from './deploy-sim';
import { POLL_SECONDS } from '../fault/driver';

test('three jobs with a quota of two deploy without failures, within two polls per wave of the ideal makespan', async () => {
  const row = await simulateDeployment({ jobs: 3, quota: 2 });

  expect(row.failures).toBe(0);
  expect(row.idealMakespanSeconds).toBe(2 * row.jobDurationSeconds); // two waves
  expect(row.makespanSeconds).toBeGreaterThanOrEqual(row.idealMakespanSeconds);
  expect(row.makespanSeconds).toBeLessThanOrEqual(row.idealMakespanSeconds + 2 * 2 * POLL_SECONDS);
  // The third job waited for the quota: isComplete asked CloudFormation and tried again at its polls.
  expect(row.createQuotaRejections).toBeGreaterThan(0);
  expect(row.describeStackResourceCalls).toBeGreaterThanOrEqual(row.createQuotaRejections);
  // Each resource completes within a poll (or two, when a Describe was throttled) of its job.
  expect(row.detectionLatencyMaxSeconds).toBeLessThanOrEqual(2 * POLL_SECONDS);
  // While a job runs, the waiter describes it once per poll: 12 a minute.
  expect(row.describeCallsWhileRunningPerJobMinute).toBeGreaterThan(11);
  expect(row.describeCallsWhileRunningPerJobMinute).toBeLessThan(13);
  expect(row.throttledCalls).toBeGreaterThan(0);
});
