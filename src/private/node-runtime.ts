import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The oldest Node.js major the handler bundle runs on: esbuild's `--target=node22` in the
 * `bundle` task of .projenrc.ts (test/node-runtime.test.ts keeps the two equal). It is also above
 * Node.js 18, the first Lambda runtime that includes the AWS SDK for JavaScript v3, which provides
 * the clients the bundle leaves external (@aws-sdk/client-s3, -cloudformation, -sfn):
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html ("Node.js runtimes include the
 * AWS SDK for JavaScript v3"), https://aws.amazon.com/blogs/developer/why-and-how-you-should-use-aws-sdk-for-javascript-v3-on-node-js-18/
 */
export const MIN_NODE_MAJOR = 22;

/** `NODEJS_24_X` and the like; not `NODEJS_LATEST` (a moving alias) nor the legacy `NODEJS_4_3`. */
const NODE_RUNTIME_STATIC = /^NODEJS_(\d+)_X$/;

/**
 * The newest Node.js Lambda runtime the installed aws-cdk-lib knows, from its `Runtime.NODEJS_<n>_X`
 * statics. cdk-nag's AwsSolutions-L1 asks for the newest runtime of the family that the same
 * aws-cdk-lib knows (cdk-nag src/rules/lambda/LambdaLatestVersion.ts reads `Runtime.ALL`), so the
 * library's functions follow the user's aws-cdk-lib: nodejs24.x on 2.257.0, nodejs26.x on 2.278.0.
 * aws-cdk-lib deprecates only runtimes Lambda no longer supports, never the newest one.
 *
 * @throws if that runtime is older than {@link MIN_NODE_MAJOR} (the bundle would not run on it)
 */
export function newestNodeRuntime(): lambda.Runtime {
  let newest: { major: number; runtime: lambda.Runtime } | undefined;
  for (const key of Object.getOwnPropertyNames(lambda.Runtime)) {
    const major = Number(NODE_RUNTIME_STATIC.exec(key)?.[1]);
    if (!major) continue;
    const runtime = (lambda.Runtime as unknown as Record<string, unknown>)[key];
    if (!(runtime instanceof lambda.Runtime) || runtime.isVariable || runtime.name !== `nodejs${major}.x`) continue;
    if (!newest || major > newest.major) newest = { major, runtime };
  }
  if (!newest || newest.major < MIN_NODE_MAJOR) {
    throw new Error(`cdk-sagemaker-neo needs a Lambda Node.js runtime of ${MIN_NODE_MAJOR} or later; ` +
      `the installed aws-cdk-lib knows ${newest?.runtime.name ?? 'none'}. Upgrade aws-cdk-lib.`);
  }
  return newest.runtime;
}
