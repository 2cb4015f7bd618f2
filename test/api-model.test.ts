/**
 * The library's constants and limits agree with the official SageMaker API model (the one that
 * ships with botocore): every enum value exists in the library and vice versa, and every length
 * and pattern the library enforces is the model's.
 */
import { Framework, TargetAccelerator, TargetArch, TargetDevice, TargetOs } from '../src';
import { loadApiModel } from './fault/api-model';
import { API_LIMITS } from '../src/private/limits';

const model = loadApiModel('sagemaker');
const describeWithModel = model ? describe : describe.skip;

/** The API values of an enum-like class's static constants. */
function constantsOf(cls: object): string[] {
  return Object.values(cls).filter((v) => v?.constructor === cls).map((v) => v.name).sort();
}

describeWithModel('constants and limits equal the official SageMaker API model (botocore)', () => {
  const shape = (name: string) => model!.shape(name);
  const members = (structure: string) => shape(structure).members!;
  const memberShape = (structure: string, member: string) => shape(members(structure)[member].shape);
  const sorted = (values?: readonly string[]) => [...values ?? []].sort();

  test.each<[string, object, string]>([
    ['TargetDevice', TargetDevice, 'TargetDevice'],
    ['Framework', Framework, 'Framework'],
    ['TargetOs', TargetOs, 'TargetPlatformOs'],
    ['TargetArch', TargetArch, 'TargetPlatformArch'],
    ['TargetAccelerator', TargetAccelerator, 'TargetPlatformAccelerator'],
  ])('%s has exactly the values of the model', (_, cls, shapeName) => {
    expect(constantsOf(cls)).toEqual(sorted(shape(shapeName).enum));
  });

  test('TargetDevice has the 37 devices of the current API', () => {
    expect(constantsOf(TargetDevice)).toHaveLength(37);
  });

  test.each<[string, { min?: number; max?: number; pattern?: string }, () => ReturnType<typeof shape>]>([
    ['CompilationJobName', API_LIMITS.jobName, () => memberShape('CreateCompilationJobRequest', 'CompilationJobName')],
    ['RoleArn', API_LIMITS.roleArn, () => memberShape('CreateCompilationJobRequest', 'RoleArn')],
    ['ModelPackageVersionArn', API_LIMITS.modelPackageArn, () => memberShape('CreateCompilationJobRequest', 'ModelPackageVersionArn')],
    ['InputConfig.S3Uri', API_LIMITS.s3Uri, () => memberShape('InputConfig', 'S3Uri')],
    ['OutputConfig.S3OutputLocation', API_LIMITS.s3Uri, () => memberShape('OutputConfig', 'S3OutputLocation')],
    ['InputConfig.DataInputConfig', API_LIMITS.dataInputConfig, () => memberShape('InputConfig', 'DataInputConfig')],
    ['InputConfig.FrameworkVersion', API_LIMITS.frameworkVersion, () => memberShape('InputConfig', 'FrameworkVersion')],
    ['OutputConfig.CompilerOptions', API_LIMITS.compilerOptions, () => memberShape('OutputConfig', 'CompilerOptions')],
    ['OutputConfig.KmsKeyId', API_LIMITS.kmsKeyId, () => memberShape('OutputConfig', 'KmsKeyId')],
    ['VpcConfig.SecurityGroupIds', API_LIMITS.securityGroupIds, () => memberShape('NeoVpcConfig', 'SecurityGroupIds')],
    ['VpcConfig.Subnets', API_LIMITS.subnets, () => memberShape('NeoVpcConfig', 'Subnets')],
    ['VpcConfig subnet ID', API_LIMITS.vpcId, () => shape('NeoVpcSubnetId')],
    ['VpcConfig security group ID', API_LIMITS.vpcId, () => shape('NeoVpcSecurityGroupId')],
    ['StoppingCondition.MaxRuntimeInSeconds', API_LIMITS.maxRuntimeInSeconds, () => memberShape('StoppingCondition', 'MaxRuntimeInSeconds')],
    ['Tags', API_LIMITS.tags, () => memberShape('CreateCompilationJobRequest', 'Tags')],
    ['Tag.Key', API_LIMITS.tagKey, () => memberShape('Tag', 'Key')],
    ['Tag.Value', API_LIMITS.tagValue, () => memberShape('Tag', 'Value')],
  ])('%s: the library enforces the model\'s limits', (_, ours, theirs) => {
    const official = theirs();
    for (const key of ['min', 'max', 'pattern'] as const) {
      if (key in ours) expect({ [key]: ours[key] }).toEqual({ [key]: official[key] });
    }
    // every limit the model states for this member is one the library enforces (a min of 0 is no limit)
    for (const key of ['max', 'pattern'] as const) {
      if (official[key] !== undefined) expect(ours).toHaveProperty(key);
    }
    if (official.min !== undefined && official.min > 0) expect(ours).toHaveProperty('min');
  });
});
