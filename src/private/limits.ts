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

/**
 * The limits of the other API members the library fills with names it generates, as botocore's
 * models state them (test/names.test.ts checks each against the model, and every generated name
 * against these at the longest names a user can write).
 */
export const NAME_LIMITS = {
  /** Step Functions StartExecution `name`: `stepfunctions/2016-11-23`, shape `Name`. */
  executionName: { min: 1, max: 80 },
  /** CloudFormation SignalResource `UniqueId`: `cloudformation/2010-05-15`, shape `ResourceSignalUniqueId`. */
  signalUniqueId: { min: 1, max: 64 },
  /** SageMaker ListCompilationJobs `NameContains`: `sagemaker/2017-07-24`, shape `NameContains`. */
  nameContains: { min: 0, max: 63, pattern: '[a-zA-Z0-9\\-]+' },
  /** Greengrass v2 `ComponentName`: `greengrassv2/2020-11-30`, shape `ComponentNameString`. */
  componentName: { min: 1, max: 128 },
  /** Greengrass v2 `ComponentVersion`: `greengrassv2/2020-11-30`, shape `ComponentVersionString`. */
  componentVersion: { min: 1, max: 64 },
} as const;

/** S3's limit on bucket names, for the room an output prefix has when the bucket is a token. */
export const MAX_BUCKET_NAME_LENGTH = 63;

/** A model pattern as a whole-string JavaScript regular expression. */
export function wholeMatch(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}
