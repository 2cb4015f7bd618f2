/**
 * The model's files in S3 (lambda/compilation-job/model-files.ts): the copy the handler makes
 * before it creates a job (a CDK asset `<hash>.gz`, or a pinned S3 object version, to the
 * `.tar.gz` key SageMaker reads), and the attributes of a COMPLETED job. CloudFormation rejects a
 * custom-resource response over 4096 bytes ("Response object is too long", see the custom
 * resource response objects page of the CloudFormation user guide), so an attribute that can be
 * long is returned only when it fits.
 */
import { CopyObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { attributesOf, copyInput, MAX_ATTRIBUTES_JSON_BYTES } from '../../lambda/compilation-job/model-files';
import type { JobDescription } from '../../lambda/compilation-job/sagemaker';

describe('the model copy', () => {
  const s3 = mockClient(S3Client);
  const notFound = new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 } });
  const TARGET = 's3://out-bucket/model-inputs/0123456789abcdef/v1.tar.gz';

  beforeEach(() => {
    s3.reset();
    s3.on(HeadObjectCommand).rejects(notFound);
    s3.on(CopyObjectCommand).resolves({});
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
  });

  test('a pinned version is copied as that version (CopySource ?versionId=), not the current object', async () => {
    await copyInput({ source: 's3://my-models/resnet/model v2.tar.gz', sourceVersion: 'a+b/c', target: TARGET });
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      CopySource: 'my-models/resnet/model%20v2.tar.gz?versionId=a%2Bb%2Fc',
      Bucket: 'out-bucket',
      Key: 'model-inputs/0123456789abcdef/v1.tar.gz',
    });
  });

  test('without a version the current object is copied', async () => {
    await copyInput({ source: 's3://assets/abc.gz', target: TARGET });
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, { CopySource: 'assets/abc.gz' });
  });

  test('a copy that outlasts its time limit fails the deployment with what to do, before the Lambda timeout could', async () => {
    s3.on(CopyObjectCommand).callsFake(() => new Promise(() => undefined)); // S3 never answers
    await expect(copyInput({ source: 's3://assets/abc.gz', target: TARGET }, 0.05)).rejects.toMatchObject({
      name: 'DeploymentError',
      message: 'Copying the model archive s3://assets/abc.gz to s3://out-bucket/model-inputs/0123456789abcdef/v1.tar.gz did not finish within 0.05 seconds. '
        + 'Upload the .tar.gz archive to S3 yourself and use ModelInput.fromBucket(bucket, key).',
    });
  });

  test('a copy that fails for another reason fails with S3\'s own error', async () => {
    s3.on(CopyObjectCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } }));
    await expect(copyInput({ source: 's3://assets/abc.gz', target: TARGET })).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('a staged copy that exists is not copied again', async () => {
    s3.on(HeadObjectCommand).resolves({});
    await copyInput({ source: 's3://my-models/m.tar.gz', sourceVersion: 'v1', target: TARGET });
    expect(s3).not.toHaveReceivedCommand(CopyObjectCommand);
  });
});

describe('the attributes of a COMPLETED job', () => {
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
});
