import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_ENGINE, ENGINE_CHOICES, type EngineChoice } from '../../local/engines/engine.ts';
import { DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT } from '../../local/ports.ts';
import {
  BASE_IMAGE_HELP,
  BUILD_IMAGE_HELP,
  baseImageChoice,
  collectBaseImage,
  type BaseImageFlag,
} from '../base-image-flags.ts';
import { parsePlatforms, type Platform } from '../../images/platform.ts';
import { endStaleRun } from '../../local/state/leftovers.ts';
import { configOption, loadStageConfig, requireStateFolder, stageOption } from '../context.ts';
import { collectScale, toInterval, toPort } from '../flag-values.ts';
import { printEvent, renderStatus } from '../local-render.ts';

interface UpFlags {
  config: string;
  stage?: string;
  engine: EngineChoice;
  scale?: Record<string, number>;
  buildArg?: Record<string, string>;
  baseImage?: BaseImageFlag;
  buildImage?: BaseImageFlag;
  detach?: boolean;
  httpPort: number;
  httpsPort: number;
  discoveryPorts: 'config' | 'free';
  healthInterval?: number;
  platform?: Platform;
}

export const upCommand = new Command('up')
  .description(
    'run the whole topology on this machine: every service, behind a local edge with the ALB rules',
  )
  .addOption(configOption())
  .addOption(
    stageOption(
      "run this stage's values (environment, secrets, scaling, cpu and memory) (default: the config's defaultStage, else prod)",
      // -s is --scale here.
      '--stage <name>',
    ),
  )
  .addOption(
    new Option('-e, --engine <engine>', 'what runs the tasks; container: podman if installed, else docker')
      .choices(ENGINE_CHOICES)
      .default(DEFAULT_ENGINE),
  )
  .option('-s, --scale <service=count>', 'tasks of a service (repeatable), e.g. backend=3', collectScale)
  .option(
    '-d, --detach',
    'run in the background; return once every service is healthy (stop with berth down)',
  )
  .addOption(new Option('--no-detach', 'the background supervisor itself').hideHelp())
  .option(
    '--build-arg <name=value>',
    'container engines: build argument for every image (repeatable), e.g. REVISION=abc123; bases: --base-image/--build-image',
    collectBuildArg,
  )
  .option('--base-image <[service=]ref>', `container engines: ${BASE_IMAGE_HELP}`, collectBaseImage)
  .option('--build-image <[service=]ref>', `container engines: ${BUILD_IMAGE_HELP}`, collectBaseImage)
  .option(
    '--platform <platform>',
    "container engines: build and run the images for linux/amd64 or linux/arm64 (another machine's platform runs under emulation) (default: this machine's)",
    (value: string) => parsePlatforms(value)[0]!,
  )
  .option('--http-port <port>', 'edge HTTP port (answers 301 to HTTPS)', toPort, DEFAULT_HTTP_PORT)
  .option('--https-port <port>', 'edge HTTPS port', toPort, DEFAULT_HTTPS_PORT)
  .addOption(
    new Option(
      '--discovery-ports <ports>',
      "process engine: Service Connect listeners on each service's own port, or on free ports",
    )
      .choices(['config', 'free'])
      .default('config'),
  )
  .addOption(
    new Option(
      '--health-interval <ms>',
      "health-check interval for every target group instead of the config's (tests)",
    )
      .argParser(toInterval)
      .hideHelp(),
  )
  .action(async (flags: UpFlags) => {
    const config = await loadStageConfig(flags, {
      files: flags.engine === 'process' ? 'process' : 'images',
    });
    // Loaded here, not at start-up: the supervisor, edge, TLS and engines are for this command only.
    const { checkUpOptions, startDetached, statePaths, LocalRun } = await import('../../local/index.ts');
    requireStateFolder(statePaths(config.baseDir));
    const baseImages = baseImageChoice(flags.buildImage, flags.baseImage);
    if (flags.detach) {
      // Here, not only in the supervisor: its usage errors would come back as a failed start (exit 1).
      checkUpOptions(config, {
        scale: flags.scale ?? {},
        baseImages,
        engine: flags.engine,
        httpPort: flags.httpPort,
        httpsPort: flags.httpsPort,
        discoveryPorts: flags.discoveryPorts,
        ...(flags.platform ? { platform: flags.platform } : {}),
      });
      // The same command line in the background, every flag as the user wrote it; the hidden
      // --no-detach, after them, wins over -d/--detach wherever it stood (combined short flags
      // too). Before a `--`, after which it would be an argument.
      const args = process.argv.slice(2);
      const end = args.indexOf('--');
      args.splice(end === -1 ? args.length : end, 0, '--no-detach');
      const argv = [process.argv[1]!, ...args];
      // A run whose supervisor died left tasks behind: end them here, where the notes are seen,
      // rather than in the background supervisor, whose output goes to supervisor.log only.
      await endStaleRun(statePaths(config.baseDir), printEvent);
      process.stderr.write('· starting a background supervisor\n');
      const status = await startDetached({ argv, paths: statePaths(config.baseDir), engine: flags.engine });
      process.stdout.write(
        `${renderStatus(status)}\nrunning in the background (pid ${status.pid}); stop it with berth down\n`,
      );
      return;
    }
    const run = new LocalRun(config, {
      engine: flags.engine,
      scale: flags.scale ?? {},
      buildArgs: flags.buildArg ?? {},
      baseImages,
      ...(flags.platform ? { platform: flags.platform } : {}),
      httpPort: flags.httpPort,
      httpsPort: flags.httpsPort,
      discoveryPorts: flags.discoveryPorts,
      ...(flags.healthInterval ? { healthIntervalMs: flags.healthInterval } : {}),
      notify: printEvent,
    });
    // Handlers first: a signal while images build or tasks start must stop what has started.
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        process.stderr.write(`x ${signal} again: killing every task without waiting for the drain\n`);
        run.killNow();
        process.exit(130);
      }
      process.stderr.write(`· ${signal}: draining and stopping (again to force)\n`);
      void run.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await run.start();
    } catch (err) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (signals === 0) throw err;
      process.exitCode = 130;
      return;
    }
    process.stdout.write(`${renderStatus(run.status())}\nCtrl-C stops everything.\n`);
    await run.stopped;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });

function collectBuildArg(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('write NAME=VALUE');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}
