import type { RecipePlatform } from './platforms';

/*
 * The recipe of a model component (recipe reference:
 * https://docs.aws.amazon.com/greengrass/v2/developerguide/component-recipe-reference.html).
 * Greengrass unpacks only `NONE` or `ZIP` archives and Neo writes `.tar.gz`, so each artifact is
 * downloaded as is and the install step extracts it into the component's work folder.
 */

/*
 * The install step, one per manifest. What it must get right:
 * - Recipe variables are replaced as plain text before the shell sees the script (recipe reference,
 *   Recipe variables), so every path built from one is quoted: a root path with a space must not
 *   split `rm -rf` into two paths.
 * - It extracts this manifest's archive by name: the nucleus saves an artifact under the last
 *   segment of its URI (S3Downloader, getArtifactFilename), and a version's artifacts folder can
 *   hold another manifest's archive too. A missing or unreadable archive fails the step, on Linux
 *   and Windows alike: an empty model folder must never look like success.
 * - Install runs at every start of the component, a nucleus restart included (aws-greengrass-nucleus,
 *   lifecycleManager/Lifecycle.java: a service starts in NEW and runs `install` on its way to
 *   INSTALLED, unless the recipe's Skipif holds), so
 *   the step writes `{work:path}/model.source` (the archive it extracted, whose path names the
 *   version) last and returns at once when that archive is already extracted: once per version and
 *   manifest, not at every start.
 * - Extraction of a large model on a slow SD card outlasts the default Install timeout
 *   (Lifecycle.java, DEFAULT_INSTALL_STAGE_TIMEOUT_IN_SEC = 120).
 */

/** Seconds the install step may take: a 2 GB archive at ~2 MB/s (a slow SD card) with margin. */
export const INSTALL_TIMEOUT_SECONDS = 1800;

/** The archive's file name: the URI's last segment, computed on the device (the URI is a deploy-time value). */
const POSIX_ARCHIVE = (uri: string) => `a="{artifacts:path}/$(basename '${uri}')"`;

/**
 * POSIX shell (Linux, macOS): the nucleus runs lifecycle scripts with `sh -c` (aws-greengrass-nucleus,
 * util/platforms/unix/UnixPlatform.java, ShDecorator: DEFAULT_SHELL "sh", DEFAULT_ARG "-c").
 */
export function posixInstall(artifactUri: string): string {
  return [
    'set -e',
    POSIX_ARCHIVE(artifactUri),
    'm="{work:path}/model"',
    's="{work:path}/model.source"',
    'if [ -d "$m" ] && [ -f "$s" ] && [ "$(cat "$s")" = "$a" ]; then exit 0; fi',
    'if [ ! -r "$a" ]; then echo "model archive $a is missing or unreadable" >&2; exit 1; fi',
    'rm -rf "$m" "$s"',
    'mkdir -p "$m"',
    'tar -xzf "$a" -C "$m"',
    'printf \'%s\' "$a" > "$s"',
  ].join('\n');
}

/**
 * Windows: the nucleus runs lifecycle scripts as `cmd /C <script>` (aws-greengrass-nucleus,
 * src/main/java/com/aws/greengrass/util/platforms/windows/WindowsPlatform.java: getShellDecorator()
 * returns CmdDecorator, "Defaults to cmd"), which has no `rm -rf`, `mkdir -p` or `basename`.
 * PowerShell ships with every Windows the nucleus supports; `tar.exe` (bsdtar) ships with Windows 10
 * since build 17063 (version 1803) and with Windows Server 2019 ("Tar and Curl Come to Windows!",
 * https://learn.microsoft.com/en-us/virtualization/community/team-blog/2017/20171219-tar-and-curl-come-to-windows).
 * The command is one line in double quotes, so cmd.exe passes `|` and `;` on to PowerShell; paths
 * are single-quoted PowerShell strings, and -LiteralPath takes them as they are. It stops at the
 * first error, and fails when the archive is missing or tar fails.
 */
export function windowsInstall(artifactUri: string): string {
  return 'powershell -NoProfile -NonInteractive -Command "'
    + "$ErrorActionPreference = 'Stop'; "
    + `$a = Join-Path '{artifacts:path}' ('${artifactUri}' -split '/')[-1]; `
    + "$m = Join-Path '{work:path}' 'model'; "
    + "$s = Join-Path '{work:path}' 'model.source'; "
    + 'if ((Test-Path -LiteralPath $m) -and (Test-Path -LiteralPath $s) -and ((Get-Content -Raw -LiteralPath $s) -eq $a)) { exit 0 }; '
    + "if (-not (Test-Path -LiteralPath $a -PathType Leaf)) { throw ('model archive ' + $a + ' is missing') }; "
    + 'if (Test-Path -LiteralPath $m) { Remove-Item -LiteralPath $m -Recurse -Force }; '
    + 'if (Test-Path -LiteralPath $s) { Remove-Item -LiteralPath $s -Force }; '
    + 'New-Item -ItemType Directory -Path $m | Out-Null; '
    + 'tar -xzf $a -C $m; if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }; '
    + 'Set-Content -NoNewline -LiteralPath $s -Value $a'
    + '"';
}

/** The install script of a manifest, for its OS. */
export function installScript(platform: RecipePlatform, artifactUri: string): string {
  return platform.os === 'windows' ? windowsInstall(artifactUri) : posixInstall(artifactUri);
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
        // RequiresPrivilege false: the component's default user (ggc_user) owns {work:path}, which
        // only it may read, so the inference component must run as that user too.
        Install: { Script: installScript(m.platform, m.artifactUri), RequiresPrivilege: false, Timeout: INSTALL_TIMEOUT_SECONDS },
      },
      Artifacts: [{ Uri: m.artifactUri, Unarchive: 'NONE' }],
    })),
  };
}
