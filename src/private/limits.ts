/**
 * The CreateCompilationJob limits of the SageMaker API (2017-07-24), as the official model states
 * them. test/api-model.test.ts checks these against the model that ships with botocore.
 */
export const API_LIMITS = {
  jobName: { min: 1, max: 63, pattern: '[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}' },
  roleArn: { min: 20, max: 2048, pattern: 'arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+' },
  modelPackageArn: { min: 1, max: 2048, pattern: 'arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]{9,16}:[0-9]{12}:model-package/[\\S]{1,2048}' },
  s3Uri: { max: 1024, pattern: '(https|s3)://([^/]+)/?(.*)' },
  dataInputConfig: { min: 1, max: 16384, pattern: '[\\S\\s]+' },
  frameworkVersion: { min: 3, max: 10, pattern: '[0-9]\\.[A-Za-z0-9.]+' },
  compilerOptions: { min: 3, max: 1024, pattern: '.*' }, // '.*': no line breaks
  kmsKeyId: { max: 2048, pattern: '[a-zA-Z0-9:/_-]*' },
  securityGroupIds: { min: 1, max: 5 },
  subnets: { min: 1, max: 16 },
  vpcId: { max: 32, pattern: '[-0-9a-zA-Z]+' },
  maxRuntimeInSeconds: { min: 1 },
  tags: { max: 50 },
  tagKey: { min: 1, max: 128, pattern: '([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)' },
  tagValue: { max: 256, pattern: '([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)' },
} as const;

/** S3's limit on bucket names, for the room an output prefix has when the bucket is a token. */
export const MAX_BUCKET_NAME_LENGTH = 63;

/** A model pattern as a whole-string JavaScript regular expression. */
export function wholeMatch(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}
