import type { RecipePlatform } from './platforms';

/*
 * The recipe of a model component (recipe reference:
 * https://docs.aws.amazon.com/greengrass/v2/developerguide/component-recipe-reference.html).
 * Greengrass unpacks only `NONE` or `ZIP` archives and Neo writes `.tar.gz`, so each artifact is
 * downloaded as is and the install step extracts it into the component's work folder. A device
 * downloads only the artifacts of the manifest it matches, so `{artifacts:path}` holds one archive.
 */

/**
 * POSIX shell (Linux, macOS): the nucleus runs lifecycle scripts with `sh -c` (aws-greengrass-nucleus,
 * util/platforms/unix/UnixPlatform.java, ShDecorator: DEFAULT_SHELL "sh", DEFAULT_ARG "-c").
 * The glob finds the archive whatever SageMaker named it.
 */
export const POSIX_INSTALL = 'rm -rf {work:path}/model && mkdir -p {work:path}/model && tar -xzf {artifacts:path}/*.tar.gz -C {work:path}/model';

/**
 * Windows: the nucleus runs lifecycle scripts as `cmd /C <script>` (aws-greengrass-nucleus,
 * src/main/java/com/aws/greengrass/util/platforms/windows/WindowsPlatform.java: getShellDecorator()
 * returns CmdDecorator, "Defaults to cmd"), which has no glob, `rm -rf` or `mkdir -p`. PowerShell
 * ships with every Windows the nucleus supports; `tar.exe` (bsdtar) ships with Windows 10 since
 * build 17063 (version 1803) and with Windows Server 2019 ("Tar and Curl Come to Windows!",
 * https://learn.microsoft.com/en-us/virtualization/community/team-blog/2017/20171219-tar-and-curl-come-to-windows).
 * The script is in
 * double quotes, so cmd.exe passes `|` and `;` on to PowerShell; it stops at the first error and
 * fails the step when tar fails.
 */
export const WINDOWS_INSTALL = 'powershell -NoProfile -NonInteractive -Command "'
  + "$ErrorActionPreference = 'Stop'; "
  + "$m = Join-Path '{work:path}' 'model'; "
  + 'if (Test-Path $m) { Remove-Item -Recurse -Force $m }; '
  + 'New-Item -ItemType Directory -Path $m | Out-Null; '
  + "Get-ChildItem -Path '{artifacts:path}' -Filter *.tar.gz | ForEach-Object { tar -xzf $_.FullName -C $m; if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE } }"
  + '"';

/** The install script for a platform's OS. */
export function installScript(platform: RecipePlatform): string {
  return platform.os === 'windows' ? WINDOWS_INSTALL : POSIX_INSTALL;
}

/** One manifest: where it applies and the compiled model it installs. */
export interface ManifestInput {
  readonly platform: RecipePlatform;
  /** The compiled model's S3 URI (a token until the job completes). */
  readonly artifactUri: string;
}

/** The recipe's fields. */
export interface RecipeInput {
  readonly componentName: string;
  readonly description: string;
  readonly publisher: string;
  /** In the order Greengrass must try them (most specific first). */
  readonly manifests: ManifestInput[];
}

/**
 * The recipe without its `ComponentVersion`: the component version handler fills that in with the
 * version it publishes (lambda/component-version/versions.ts, withVersion), which the deployment
 * may choose.
 */
export function buildRecipe(input: RecipeInput): Record<string, unknown> {
  return {
    RecipeFormatVersion: '2020-01-25',
    ComponentName: input.componentName,
    ComponentDescription: input.description,
    ComponentPublisher: input.publisher,
    Manifests: input.manifests.map((m) => ({
      ...(Object.keys(m.platform).length > 0 ? { Platform: m.platform } : {}),
      Lifecycle: {
        Install: { Script: installScript(m.platform), RequiresPrivilege: false },
      },
      Artifacts: [{ Uri: m.artifactUri, Unarchive: 'NONE' }],
    })),
  };
}
