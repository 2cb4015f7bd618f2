import { App, Fn, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { compactString, joinAsSub } from '../src/private/compact';

describe('compactString: an Fn::Join of literals, Refs and GetAtts as one Fn::Sub', () => {
  test('literals, a pseudo parameter, a Ref and a GetAtt', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const bucket = new s3.Bucket(stack, 'B');
    const id = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    expect(stack.resolve(compactString(`arn:${stack.partition}:s3:::${bucket.bucketName}/x`)))
      .toEqual({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::\${${id}}/x` });
    expect(stack.resolve(compactString(bucket.arnForObjects('k/*')))).toEqual({ 'Fn::Sub': `\${${id}.Arn}/k/*` });
  });

  test('a literal `${` is escaped as `${!`, and the delimiter too', () => {
    expect(joinAsSub({ 'Fn::Join': ['${', ['a${b', { Ref: 'R' }]] })).toEqual({ 'Fn::Sub': 'a${!b${!${R}' });
  });

  test('anything else is left as CDK wrote it', () => {
    expect(joinAsSub({ 'Fn::Join': ['', ['a', { 'Fn::ImportValue': 'X' }]] })).toBeUndefined();
    expect(joinAsSub({ 'Fn::Join': ['', ['a', { 'Fn::Select': [0, ['x']] }]] })).toBeUndefined();
    expect(joinAsSub({ Ref: 'R' })).toBeUndefined();
    const stack = new Stack();
    expect(stack.resolve(compactString(Fn.importValue('Other')))).toEqual({ 'Fn::ImportValue': 'Other' });
    expect(compactString('plain')).toBe('plain');
  });

  test('a value of another stack still becomes an export and an import', () => {
    const app = new App();
    const producer = new Stack(app, 'Producer');
    const consumer = new Stack(app, 'Consumer');
    const bucket = new s3.Bucket(producer, 'B');
    new s3.CfnBucket(consumer, 'Uses', { bucketName: compactString(`${bucket.bucketArn}/x`) });
    const assembly = app.synth();
    const uses = Object.values(assembly.getStackByName('Consumer').template.Resources as Record<string, any>)[0];
    expect(JSON.stringify(uses.Properties.BucketName)).toContain('Fn::ImportValue');
    expect(JSON.stringify(uses.Properties.BucketName)).not.toContain('Fn::Sub');
    expect(Object.keys(assembly.getStackByName('Producer').template.Outputs ?? {})).toHaveLength(1);
  });

  test('the same value gives the same token, so equal statements stay equal and merge', () => {
    const stack = new Stack();
    const bucket = new s3.Bucket(stack, 'B');
    const arn = bucket.arnForObjects('k');
    expect(compactString(arn)).toBe(compactString(arn));
  });
});
