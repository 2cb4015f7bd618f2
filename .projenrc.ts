import { awscdk, javascript } from 'projen';

// aws-cdk-lib: users see the peer range `^2.257.0`; we develop and test on exactly 2.257.0.
// - Peer range, not an exact version: a library whose peer is one exact aws-cdk-lib cannot be
//   installed next to any other aws-cdk-lib without `--legacy-peer-deps`. 2.257.0 is the floor
//   because cdk-nag 3 (the security checks in every construct test) needs it. cdk-nag 3 the way
//   users enable it, as a `Validations` plugin, needs 2.258.0 (the construct tree on the
//   validation context); README "cdk-nag" says so, and test/nag.test.ts runs it from there on.
// - Dev dependency pinned at the floor (projen pins it to the peer's minimum): we test on the
//   oldest version we claim, and the newest @aws-cdk/integ-runner (2.197.x) reads cloud-assembly
//   schema <= 53, which aws-cdk-lib 2.258+ no longer writes, so a newer pin breaks `integ-runner`:
//   the integ snapshots stay on this pin.
// - The newest aws-cdk-lib: `npx projen test:newest-cdk` runs the construct-level suite (assertions,
//   cdk-nag 3 through `Validations`, cfn-lint, deprecations fatal) on it, and `npx projen
//   test:package` installs the packed library next to it; `.ci/run` runs both.
// After changing it, delete node_modules and package-lock.json and install again
// (npm otherwise keeps a stale entry).
const CDK_VERSION = '2.257.0';
// constructs: peer `^10.5.1`, any constructs 10 from 10.5.1 on. aws-cdk-lib >= 2.257 asks for
// ^10.5.0; projen pins our dev dependency to the peer's floor, and cdk-nag 3 (tests) needs 10.5.1.
const CONSTRUCTS_VERSION = '10.5.1';
// The newest integ-tests-alpha on the registry; it accepts aws-cdk-lib 2.257 as a peer.
const INTEG_TESTS_ALPHA_VERSION = '2.245.0-alpha.0';

// The handler bundle: built by esbuild from lambda/ before jsii compiles, into a gitignored
// folder that is shipped in the npm package (src/private/provider.ts finds it from src/ and lib/).
const HANDLER_ENTRY = 'lambda/compilation-job/index.ts';
const HANDLER_OUTFILE = 'assets/compilation-job/index.js';
// The Greengrass component version handler (src/private/edge/component-version.ts finds it the same way).
const COMPONENT_HANDLER_ENTRY = 'lambda/component-version/index.ts';
const COMPONENT_HANDLER_OUTFILE = 'assets/component-version/index.js';

// `test:newest-cdk` installs the newest aws-cdk-lib (and the constructs and cdk-nag that go with
// it) here, outside the folders tsc and eslint read, and points jest's module resolution at it.
const NEWEST_CDK_DIR = '.newest-cdk';
/** The construct-level suite: what synthesizes templates, so what depends on the aws-cdk-lib version. */
const CONSTRUCT_TESTS = [
  'cfn-lint', 'compilation-cache', 'compilation-job', 'compilation-request', 'compiler-options', 'data-input-config',
  'deprecations', 'downstream', 'edge-model-component', 'iam', 'long-run', 'model', 'nag', 'newcomer-mistakes',
  'node-runtime', 'validation',
];

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-sagemaker-neo',
  description: 'Compile models with Amazon SageMaker Neo as part of cdk deploy: a CompilationJob construct that waits for the job and hands the compiled artifact to SageMaker hosting and Greengrass v2.',
  keywords: ['cdk', 'awscdk', 'sagemaker', 'neo', 'compilation', 'greengrass', 'machine-learning', 'edge'],
  author: 'cdk-sagemaker-neo maintainers',
  authorAddress: 'maintainers@cdk-sagemaker-neo.dev',
  repositoryUrl: 'https://github.com/cdk-sagemaker-neo/cdk-sagemaker-neo.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  cdkVersion: CDK_VERSION,
  cdkVersionPinning: false, // peer `^2.257.0`, dev dependency pinned at 2.257.0 (see above)
  constructsVersion: CONSTRUCTS_VERSION,
  // Construct Hub shows this; experimental until 1.0, when the API is frozen.
  stability: 'experimental',
  license: 'Apache-2.0',

  // jsii bindings: most people who compile models with Neo write Python. The registries of these
  // languages are not reachable from our machines, so nothing is published from here;
  // `npx projen test:bindings` generates all four offline (jsii-pacmak --code-only) and checks them.
  publishToPypi: { distName: 'cdk-sagemaker-neo', module: 'cdk_sagemaker_neo' },
  publishToMaven: {
    mavenGroupId: 'dev.cdk-sagemaker-neo',
    mavenArtifactId: 'cdk-sagemaker-neo',
    javaPackage: 'dev.cdksagemakerneo',
  },
  publishToNuget: { dotNetNamespace: 'CdkSagemakerNeo', packageId: 'CdkSagemakerNeo' },
  publishToGo: { moduleName: 'github.com/cdk-sagemaker-neo/cdk-sagemaker-neo-go' },
  jsiiVersion: '~6.0.0',
  // The `engines` floor users see: a CDK app with this library runs where aws-cdk-lib runs, and
  // aws-cdk-lib 2.257 to 2.278 ask for Node >= 20 (Node 20 itself reached end of life on
  // 2026-04-30; README "Install" says so). Building the library is another matter: see
  // JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION below.
  minNodeVersion: '20.0.0',
  // CI is `.ci/run` on a clean clone; no hosted workflows.
  github: false,
  sampleCode: false,

  // One dev tsconfig type-checks everything that is not the published library.
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['src/**/*.ts', 'test/**/*.ts', 'lambda/**/*.ts', 'integ/**/*.ts', 'docs/**/*.ts', '.projenrc.ts'],
    exclude: ['node_modules', 'integ/**/*.snapshot/**'],
    compilerOptions: {},
  },
  eslintOptions: {
    dirs: ['src'],
    tsconfigPath: './tsconfig.dev.json',
    devdirs: ['test', 'lambda', 'integ', 'docs'],
    ignorePatterns: ['*.js', '*.d.ts', 'node_modules/', '*.generated.ts', 'coverage', 'integ/**/*.snapshot/**'],
  },

  devDeps: [
    // bundled into the handler by esbuild; never a runtime dependency of the library
    '@aws-sdk/client-sagemaker@^3',
    // loaded from the Lambda runtime at run time (external to the bundle); here for types and tests
    '@aws-sdk/client-s3@^3',
    '@aws-sdk/client-cloudformation@^3',
    '@aws-sdk/client-sfn@^3',
    '@aws-sdk/client-cloudwatch-logs@^3',
    '@aws-sdk/client-greengrassv2@^3',
    // runs the long path's state machine definition in tests (needs Promise.withResolvers: Node 22, or test/driver's polyfill)
    'aws-local-stepfunctions@^3',
    '@sinonjs/fake-timers@^15',
    '@types/sinonjs__fake-timers@^15',
    '@smithy/service-error-classification@^4',
    '@aws-sdk/credential-provider-env@^3',
    'esbuild@^0.25',
    '@types/aws-lambda@^8',
    // tests
    'aws-sdk-client-mock@^4',
    'aws-sdk-client-mock-jest@^4',
    'cdk-nag@^3',
    '@aws-cdk/integ-runner@2.197.10',
    `@aws-cdk/integ-tests-alpha@${INTEG_TESTS_ALPHA_VERSION}`,
    // the README's hosting example with the alpha Model construct is compiled and synthesized by
    // the tests; never a runtime dependency
    '@aws-cdk/aws-sagemaker-alpha@2.159.1-alpha.0',
    // validates every Greengrass recipe the library emits against the GDK CLI's JSON Schema
    // (../shared/reference/greengrass/recipe_schema.json, draft-07)
    'ajv@^8',
    // test/readme.test.ts renders the README (tables, links); 15 is the last release with CommonJS, which jest loads
    'marked@^15',
  ],
  jestOptions: {
    // CI's `test` must fail on a stale snapshot, not approve it: `test:update` rewrites them.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // test/package needs the compiled library; `npx projen test:package` runs it.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/package/'],
      testTimeout: 60_000,
      // moto_server for the wire tests (test/wire): started once per run, stopped at the end;
      // skipped with a notice when it is missing, unless CI_TOOLS_REQUIRED=1 (.ci/run sets it).
      globalSetup: '<rootDir>/test/wire/global-setup.ts',
      globalTeardown: '<rootDir>/test/wire/global-teardown.ts',
    },
  },
  gitignore: ['/assets/', `/${NEWEST_CDK_DIR}/`, 'cdk.out/', 'integ/**/*.snapshot/asset.*', '/docs/example/cdk.out/'],
  npmignoreEnabled: true,
});

// The registry this project installs from serves every platform's binding of unrs-resolver
// (eslint-import-resolver-typescript) at 1.12.2 but only some at later versions; npm then leaves
// the others out of package-lock.json and `npm ci` refuses the lock. Pin it until that changes.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// jsii 6 (jsii, jsii-pacmak, jsii-rosetta, through @jsii/check-node) supports Node 22 and 24 and
// prints "Node 20 is end-of-life ... since 2026-10-30" on every run on Node 20, which our CI
// machines still have. Silenced for Node 20 only, and only in this project's own tasks (the
// toolchain); nothing a user of the package runs reads it. README "Development" asks for Node 22.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// typescript-eslint's project service picks the nearest tsconfig.json, which covers src/ only;
// lint lambda/, test/, integ/ and docs/ with the dev tsconfig instead.
const eslintrc = project.tryFindObjectFile('.eslintrc.json');
eslintrc?.addDeletionOverride('parserOptions.projectService');
eslintrc?.addOverride('parserOptions.project', './tsconfig.dev.json');

// Ship the handler bundle; keep sources of the handler, integ apps and docs out of the package.
project.npmignore?.addPatterns('/lambda/', '/integ/', '/docs/', '/.ci/', '/coverage/', '/test-reports/', 'tsconfig.dev.json', `/${NEWEST_CDK_DIR}/`);
project.npmignore?.include('/assets/');

const bundle = project.addTask('bundle', {
  description: 'Bundle the custom resource handler with esbuild (before jsii compiles)',
  exec: [
    'esbuild', HANDLER_ENTRY,
    '--bundle', '--minify', '--platform=node', '--target=node22',
    '--legal-comments=none', // keeps the bundle small; licenses are in node_modules/@aws-sdk
    '--main-fields=module,main', // the SDK's ES modules tree-shake: 310 KB instead of 830 KB
    '--external:@aws-sdk/client-s3', // only for local model copies: the runtime's own client
    '--external:@aws-sdk/client-cloudformation', // only before a late create: the runtime's own client
    '--external:@aws-sdk/client-sfn', // only on the long path: the runtime's own client
    '--external:@aws-sdk/client-cloudwatch-logs', // only after a job failed (its log tail): the runtime's own client
    '--alias:@aws-sdk/credential-provider-node=./lambda/shims/credentials-from-env.ts', // Lambda's env credentials only
    `--outfile=${HANDLER_OUTFILE}`,
  ].join(' '),
});
bundle.exec([
  'esbuild', COMPONENT_HANDLER_ENTRY,
  '--bundle', '--minify', '--platform=node', '--target=node22', '--legal-comments=none',
  // The Lambda Node.js runtime ships the whole AWS SDK v3: the handler uses its Greengrass client.
  '--external:@aws-sdk/client-greengrassv2',
  `--outfile=${COMPONENT_HANDLER_OUTFILE}`,
].join(' '));
project.preCompileTask.spawn(bundle);

const typecheck = project.addTask('typecheck', {
  description: 'Type-check src, lambda, test, integ and docs (jsii only sees src)',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});

const integ = project.addTask('integ', {
  description: 'Verify the committed integ snapshots offline (no AWS account needed)',
  exec: 'integ-runner --directory integ --parallel-regions us-east-1',
});

project.addTask('integ:snapshot', {
  description: 'Re-synthesize the integ snapshots without deploying (after an intended template change)',
  exec: 'integ-runner --directory integ --parallel-regions us-east-1 --update-on-failed --dry-run',
});

// `npx projen test`: bundle, type-check, jest, integ snapshots, then eslint (projen adds it).
project.testTask.prependSpawn(typecheck);
project.testTask.prependSpawn(bundle);
project.testTask.spawn(integ);

// jsii's only warning: `CoreMlInput.type` is a reserved word in Go. jsii-pacmak writes Go fields
// capitalized (`Type`), which is no keyword, and the name is Core ML's own key, so it stays; the
// Go binding is generated and checked by `test:package`.
project.compileTask.reset('jsii --silence-warnings=reserved-word');

// `npx projen build` packages the npm tarball only: the toolchains that package the Python, Java,
// .NET and Go bindings are not on our machines (and their registries are out of reach);
// `package-all` still builds them all where they are.
const packageTask = project.tasks.tryFind('package');
packageTask?.reset();
packageTask?.spawn(project.tasks.tryFind('package:js')!);

project.addTask('test:package', {
  description: 'The package as users get it: npm pack installed into fresh apps on two aws-cdk-lib versions; Python, Java, .NET and Go bindings generated offline and checked',
  steps: [
    { spawn: bundle.name },
    { spawn: project.compileTask.name },
    { exec: 'jest --coverage=false --testPathIgnorePatterns /node_modules/ --testMatch "<rootDir>/test/package/**/*.test.ts"' },
  ],
});

// The construct-level suite on the newest aws-cdk-lib: the dev pin is the oldest version we claim,
// users mostly have the newest. jest maps aws-cdk-lib, constructs and cdk-nag (for every module,
// including the alpha modules' own imports) to the copies installed in NEWEST_CDK_DIR; ts-jest still
// type-checks against the pin. Deprecated aws-cdk-lib calls throw (JSII_DEPRECATED=fail).
const newestCdkModules = `<rootDir>/${NEWEST_CDK_DIR}/node_modules`;
const newestCdkJestConfig = {
  ...project.jest!.config,
  rootDir: '.',
  testMatch: CONSTRUCT_TESTS.map((name) => `<rootDir>/test/${name}.test.ts`),
  globalSetup: undefined, // moto_server serves only test/wire
  globalTeardown: undefined,
  reporters: ['default'],
  collectCoverage: false,
  moduleNameMapper: {
    '^aws-cdk-lib$': `${newestCdkModules}/aws-cdk-lib`,
    '^aws-cdk-lib/(.*)$': `${newestCdkModules}/aws-cdk-lib/$1`,
    '^constructs$': `${newestCdkModules}/constructs`,
    '^cdk-nag$': `${newestCdkModules}/cdk-nag`,
  },
};
project.addTask('test:newest-cdk', {
  description: 'The construct-level tests (assertions, cdk-nag through Validations, cfn-lint, deprecations fatal) on the newest aws-cdk-lib from the registry',
  env: { JSII_DEPRECATED: 'fail' },
  steps: [
    { spawn: bundle.name },
    {
      exec: `rm -rf ${NEWEST_CDK_DIR} && mkdir ${NEWEST_CDK_DIR} && echo '{"private":true}' > ${NEWEST_CDK_DIR}/package.json && ` +
        `npm install --prefix ${NEWEST_CDK_DIR} --no-package-lock --no-audit --no-fund aws-cdk-lib@latest constructs@^10 cdk-nag@^3`,
    },
    { exec: `jest --maxWorkers=1 --config '${JSON.stringify(newestCdkJestConfig)}'` },
  ],
});

project.addTask('bench', {
  description: 'Benchmarks: synth scaling, handler start, deployment overhead, the long path\'s fleets; writes docs/benchmarks.md',
  steps: [
    { spawn: bundle.name },
    { exec: 'ts-node --transpile-only --project tsconfig.dev.json test/bench/bench.ts' },
  ],
});

project.addTask('example', {
  description: 'Synthesize the README example app and print the CreateCompilationJob request it will send',
  steps: [
    { spawn: bundle.name },
    { exec: 'ts-node --project tsconfig.dev.json docs/example/app.ts' },
  ],
});

project.synth();
