import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { DEFAULT_ENGINE, ENGINE_CHOICES, type EngineChoice } from '../../local/engines/engine.ts';
import { DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT } from '../../local/ports.ts';
import { DIAGRAM_FORMATS, type DiagramFormat } from '../../diagram/formats.ts';
import { UsageError } from '../../shared/errors.ts';
import { configOption, loadStageConfig, pathFlagError, stageOption } from '../context.ts';
import { collectScale, toPort } from '../flag-values.ts';

interface DiagramFlags {
  config: string;
  stage?: string;
  format: DiagramFormat;
  out?: string;
  local?: boolean;
  engine: EngineChoice;
  scale?: Record<string, number>;
  httpPort: number;
  httpsPort: number;
  discoveryPorts: 'config' | 'free';
}

/** The flags of `berth up` that change the local picture; they mean nothing without --local. */
const LOCAL_FLAGS = ['engine', 'scale', 'httpPort', 'httpsPort', 'discoveryPorts'] as const;

export const diagramCommand = new Command('diagram')
  .description(
    'draw the deployment from the synthesized templates, or the local run of berth up with --local (SVG, PNG, Mermaid or Graphviz DOT)',
  )
  .addOption(configOption())
  // No -s here: it is --scale, as in berth up.
  .addOption(stageOption(undefined, '--stage <name>'))
  .addOption(new Option('-f, --format <format>', 'output format').choices(DIAGRAM_FORMATS).default('svg'))
  .option('-o, --out <file>', 'write to this file instead of stdout')
  .option(
    '--local',
    "draw what berth up runs on this machine (with up's flags below) instead of the deployment",
  )
  .addOption(
    new Option('-e, --engine <engine>', '--local: the engine berth up would use')
      .choices(ENGINE_CHOICES)
      .default(DEFAULT_ENGINE),
  )
  .option('-s, --scale <service=count>', '--local: tasks of a service (repeatable)', collectScale)
  .option('--http-port <port>', '--local: edge HTTP port', toPort, DEFAULT_HTTP_PORT)
  .option('--https-port <port>', '--local: edge HTTPS port', toPort, DEFAULT_HTTPS_PORT)
  .addOption(
    new Option('--discovery-ports <ports>', '--local, process engine: Service Connect listener ports')
      .choices(['config', 'free'])
      .default('config'),
  )
  .addHelpText(
    'after',
    `
Examples:
  berth diagram --out docs/diagrams/app.svg        the deployment, as SVG
  berth diagram --format png --out app.png         the same as PNG
  berth diagram --local --engine podman --format mermaid`,
  )
  .action(async (flags: DiagramFlags, command: Command) => {
    if (!flags.local) {
      const given = LOCAL_FLAGS.find((f) => command.getOptionValueSource(f) === 'cli');
      if (given)
        throw new UsageError(
          `--${given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} describes the local run: add --local, or leave it out`,
        );
    }
    if (flags.format === 'png' && !flags.out && process.stdout.isTTY)
      throw new UsageError('--format png is binary: write it to a file with --out FILE, or pipe it');
    const config = await loadStageConfig(flags);
    // Loaded on use: drawing synthesizes the stacks, and aws-cdk-lib takes seconds to import.
    const { diagram, localDiagram } = await import('../../diagram/index.ts');
    let drawing: { text: string; png?: Buffer };
    if (flags.local) {
      const { checkUpOptions } = await import('../../local/index.ts');
      const options = {
        engine: flags.engine,
        ...(flags.scale ? { scale: flags.scale } : {}),
        httpPort: flags.httpPort,
        httpsPort: flags.httpsPort,
        discoveryPorts: flags.discoveryPorts,
      };
      // The usage errors berth up would give for these flags (an unknown service, two listeners on one port).
      checkUpOptions(config, options);
      drawing = await localDiagram(config, flags.format, options);
    } else drawing = await diagram(config, flags.format);
    const output = drawing.png ?? drawing.text;
    if (!flags.out) return void process.stdout.write(output);
    try {
      writeFileSync(flags.out, output);
    } catch (err) {
      throw pathFlagError(err, '--out', flags.out);
    }
  });
