/**
 * The model copy the handler makes before it creates a job: a CDK asset (`<hash>.gz`) or a pinned
 * S3 object version, to the `.tar.gz` key SageMaker reads.
 */
import { CopyObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { copyInput } from '../../lambda/compilation-job/copy-input';

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

test('a staged copy that exists is not copied again', async () => {
  s3.on(HeadObjectCommand).resolves({});
  await copyInput({ source: 's3://my-models/m.tar.gz', sourceVersion: 'v1', target: TARGET });
  expect(s3).not.toHaveReceivedCommand(CopyObjectCommand);
});
