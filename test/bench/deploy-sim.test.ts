/**
 * Keeps the deployment-overhead simulation (deploy-sim.ts, run by `npx projen bench`) from rotting,
 * and holds the handler to its budget: three jobs for a quota of two deploy without failures,
 * within a poll per wave of the ideal makespan, and a job waiting for the quota costs at most
 * 1.1 calls per 5 s poll (13.2 per job-minute), all APIs counted.
 */
import { POLL_SECONDS, simulateDeployment } from './deploy-sim';

jest.setTimeout(120_000);

test('three jobs with a quota of two: no failures, within one poll per wave of the ideal, quiet while waiting', async () => {
  const row = await simulateDeployment({ jobs: 3, quota: 2 });

  expect(row.failures).toBe(0);
  expect(row.idealMakespanSeconds).toBe(2 * row.jobDurationSeconds); // two waves
  expect(row.makespanSeconds).toBeGreaterThanOrEqual(row.idealMakespanSeconds);
  expect(row.extraSecondsPerWave).toBeLessThanOrEqual(POLL_SECONDS);
  expect(row.waitingCallsPerJobMinute).toBeLessThanOrEqual(13.2);
  expect(row.detectionLatencyMaxSeconds).toBeLessThanOrEqual(2 * POLL_SECONDS);
  // While a job runs, the waiter describes it once per poll: about 12 calls a minute.
  expect(row.runningCallsPerJobMinute).toBeGreaterThan(11);
  expect(row.runningCallsPerJobMinute).toBeLessThan(14); // the SDK retries the 5 % of throttled calls
});
