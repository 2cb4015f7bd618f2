/**
 * The largest fleets per stack docs/how-it-works.md states fit CloudFormation's limits as `cdk synth`
 * writes the template, and one job more breaks the limit it names: 500 resources or 1 MB
 * of template (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html),
 * counted here as 1,000,000 bytes. Four fleets: the one-hour and the long path, each with a
 * default role per job and with one role shared by all jobs.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fleetApp, FLEET_STACK_NAME } from './bench/fleet-stack';

const MAX_TEMPLATE_BYTES = 1_000_000;
const MAX_RESOURCES = 500;

const README = fs.readFileSync(path.join(__dirname, '..', 'docs', 'how-it-works.md'), 'utf8');
/** `<N> <path> jobs with <default roles|one shared role> (<KB> KB, <limit>)` in the Fleets section of docs/how-it-works.md. */
const FLEET = /(\d+)\s+(one-hour|long-path)\s+jobs\s+with\s+(default\s+roles|one\s+shared\s+role)\s+\((\d+)\s+KB;\s+one\s+more\s+breaks\s+(500\s+resources|1\s+MB)\)/g;
const stated = [...README.matchAll(FLEET)].map((m) => ({
  jobs: Number(m[1]), long: m[2] === 'long-path', shared: m[3].startsWith('one'), kb: Number(m[4]), binds: m[5].replace(/\s+/g, ' '),
}));

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-limits-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** Template bytes and resources of one stack of `jobs` jobs, synthesized as the CDK CLI does by default. */
function synth(jobs: number, long: boolean, shared: boolean): { bytes: number; resources: number } {
  const artifact = fleetApp(fs.mkdtempSync(path.join(outdir, 'app-')), jobs, { long, shared }).synth().getStackByName(FLEET_STACK_NAME);
  return { bytes: fs.statSync(artifact.templateFullPath).size, resources: Object.keys(artifact.template.Resources).length };
}

test('docs/how-it-works.md states the largest fleet per stack for both paths and both kinds of role', () => {
  expect(stated.map((s) => `${s.long ? 'long' : 'one-hour'}/${s.shared ? 'shared' : 'default'}`).sort())
    .toEqual(['long/default', 'long/shared', 'one-hour/default', 'one-hour/shared']);
});

test.each(stated.map((s) => [`${s.jobs} ${s.long ? 'long-path' : 'one-hour'} jobs, ${s.shared ? 'one shared role' : 'default roles'}`, s] as const))(
  '%s: fit 500 resources and 1,000,000 bytes; one job more does not',
  (_, s) => {
    const fits = synth(s.jobs, s.long, s.shared);
    expect(fits.bytes).toBeLessThanOrEqual(MAX_TEMPLATE_BYTES);
    expect(fits.resources).toBeLessThanOrEqual(MAX_RESOURCES);
    expect(Math.round(fits.bytes / 1000)).toBe(s.kb);
    if (s.binds === '1 MB') {
      expect(synth(s.jobs + 1, s.long, s.shared).bytes).toBeGreaterThan(MAX_TEMPLATE_BYTES);
    } else {
      // aws-cdk-lib refuses a stack of more than 500 resources at synth.
      expect(() => synth(s.jobs + 1, s.long, s.shared)).toThrow(/greater than allowed maximum of 500/);
    }
  },
);
