/**
 * The attributes a COMPLETED job returns. CloudFormation rejects a custom-resource response over
 * 4096 bytes ("Response object is too long", see the custom resource response objects page of the
 * CloudFormation user guide), so an attribute that can be long is returned only when it fits.
 */
import { attributesOf, MAX_ATTRIBUTES_JSON_BYTES } from '../../lambda/compilation-job/attributes';
import type { JobDescription } from '../../lambda/compilation-job/sagemaker';

const NAME = 'stack-resnet-0123456789abcdef';
const COMPLETED: JobDescription = {
  $metadata: {},
  CompilationJobName: NAME,
  CompilationJobArn: `arn:aws:sagemaker:us-east-1:123456789012:compilation-job/${NAME}`,
  CompilationJobStatus: 'COMPLETED',
  ModelArtifacts: { S3ModelArtifacts: `s3://bucket/compiled/${NAME}/model-ml_c5.tar.gz` },
  InferenceImage: 'image',
  ModelDigests: { ArtifactDigest: 'sha256:00' },
} as JobDescription;

function withDerived(config: string): JobDescription {
  return { ...COMPLETED, DerivedInformation: { DerivedDataInputConfig: config } } as JobDescription;
}

test('the input shapes Neo derived are an attribute', () => {
  const derived = '{"input0":[1,3,224,224]}';
  expect(attributesOf(withDerived(derived))).toMatchObject({ DerivedDataInputConfig: derived, ModelArtifactsObjectKey: `compiled/${NAME}/model-ml_c5.tar.gz` });
});

test('a job Neo derived nothing for returns an empty string (GetAtt needs the key)', () => {
  expect(attributesOf(COMPLETED).DerivedDataInputConfig).toBe('');
});

test('derived shapes too long for the response are left out, the other attributes kept', () => {
  const long = JSON.stringify(Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`input${i}`, [1, 3, 224, 224]])));
  const attributes = attributesOf(withDerived(long));
  expect(attributes.DerivedDataInputConfig).toBe('');
  expect(attributes.CompilationJobName).toBe(NAME);
  expect(Buffer.byteLength(JSON.stringify(attributes))).toBeLessThanOrEqual(MAX_ATTRIBUTES_JSON_BYTES);
});

test('derived shapes that fit exactly are kept', () => {
  const room = MAX_ATTRIBUTES_JSON_BYTES - Buffer.byteLength(JSON.stringify(attributesOf(COMPLETED)));
  const fits = 'x'.repeat(room);
  expect(attributesOf(withDerived(fits)).DerivedDataInputConfig).toBe(fits);
  expect(attributesOf(withDerived(`${fits} `)).DerivedDataInputConfig).toBe('');
});
