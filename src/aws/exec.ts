import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import {
  DescribeTasksCommand,
  ECSClient,
  ExecuteCommandCommand,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { requireService, type ResolvedConfig, type ResolvedService } from '../config/index.ts';
import { names } from '../infra/naming.ts';
import { BerthError, UsageError } from '../shared/errors.ts';
import { clientConfig } from './clients.ts';
import { silentAws, type AwsNotify } from './events.ts';
import { assertAccount } from './identity.ts';

export const SESSION_MANAGER_PLUGIN = 'session-manager-plugin';
const PLUGIN_INSTALL =
  'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html';

export interface ExecOptions {
  readonly config: ResolvedConfig;
  readonly service: string;
  /** A task id or ARN. @default the service's first running task */
  readonly task?: string;
  /** The program and its arguments (the images have no shell). */
  readonly command: readonly string[];
  readonly notify?: AwsNotify;
  /** Where to look for session-manager-plugin. @default process.env.PATH */
  readonly path?: string;
}

export interface ExecResult {
  readonly task: string;
  readonly container: string;
  /** The plugin's exit code (the session's). */
  readonly exitCode: number;
}

/**
 * ECS Exec into a running task of a service: ExecuteCommand, then the Session Manager plugin takes
 * the terminal, as `aws ecs execute-command` does. Everything that can be checked here is checked
 * before AWS is called: the service, exec in the config, a command (there is no shell to fall back
 * to), the plugin.
 */
export async function execCommand(options: ExecOptions): Promise<ExecResult> {
  const { config } = options;
  const service = requireService(config, options.service);
  if (!config.exec)
    throw new UsageError(
      'ECS Exec is off for this app; set exec: true in the config and run berth deploy, which replaces the tasks',
    );
  if (options.command.length === 0) throw new UsageError(noShellMessage(service));
  const plugin = findOnPath(SESSION_MANAGER_PLUGIN, options.path ?? process.env.PATH ?? '');
  if (!plugin)
    throw new BerthError(
      `the Session Manager plugin (${SESSION_MANAGER_PLUGIN}) is not installed or not on PATH; install it: ${PLUGIN_INSTALL}`,
    );
  const notify = options.notify ?? silentAws;
  await assertAccount(config, notify);
  const aws = clientConfig(config);
  const ecs = new ECSClient(aws);
  try {
    const cluster = names.cluster(config);
    const task = await pickTask(ecs, config, service, options.task);
    const taskId = task.taskArn!.split('/').pop()!;
    const container = task.containers?.find((c) => c.name === service.id);
    if (!container?.runtimeId)
      throw new BerthError(
        `task ${taskId} has no running ${service.id} container yet; wait for it (berth status --stage ${config.stage})`,
      );
    if (task.enableExecuteCommand === false)
      throw new BerthError(
        `task ${taskId} was started without ECS Exec; run berth deploy --stage ${config.stage} to replace it with one that has it`,
      );
    notify({
      level: 'info',
      code: 'aws.exec.task',
      message: `${service.id}: task ${taskId}, running ${options.command.join(' ')}`,
      data: { service: service.id, task: taskId },
    });
    const response = await ecs.send(
      new ExecuteCommandCommand({
        cluster,
        task: task.taskArn,
        container: service.id,
        command: commandLine(options.command),
        interactive: true,
      }),
    );
    if (!response.session) throw new BerthError(`ECS started no session for task ${taskId}`);
    const target = `ecs:${cluster}_${taskId}_${container.runtimeId}`;
    const endpoint = aws.endpoint ?? `https://ecs.${config.env.region}.amazonaws.com`;
    // The argument order session-manager-plugin expects from the AWS CLI's ecs execute-command.
    const args = [
      JSON.stringify(response.session),
      config.env.region,
      'StartSession',
      process.env.AWS_PROFILE ?? '',
      JSON.stringify({ Target: target }),
      endpoint,
    ];
    notify({
      level: 'info',
      code: 'aws.exec.session',
      message: `session ${response.session.sessionId} started`,
      data: { target },
    });
    const exitCode = await runPlugin(plugin, args);
    return { task: taskId, container: service.id, exitCode };
  } finally {
    ecs.destroy();
  }
}

/** The images have no shell by design: say so, and name a program that is in the image. */
export function noShellMessage(service: ResolvedService): string {
  const program = service.healthCheck.command?.[0];
  const example = program
    ? ` berth exec ${service.id} -- ${program}`
    : ` berth exec ${service.id} -- <program>`;
  const why = program ? ` (${program} is in the image: the health check runs it)` : '';
  return `the ${service.id} image has no shell, by design; give the program to run after --, e.g.${example}${why}`;
}

/** The task to exec into: the one asked for, or the service's first running task. */
async function pickTask(
  ecs: ECSClient,
  config: ResolvedConfig,
  service: ResolvedService,
  wanted: string | undefined,
): Promise<Task> {
  const cluster = names.cluster(config);
  const serviceName = names.service(config, service);
  let arns: string[];
  if (wanted) arns = [wanted];
  else {
    const listed = await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: 'RUNNING' }));
    arns = listed.taskArns ?? [];
  }
  const tasks =
    arns.length === 0
      ? []
      : ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? []);
  // A service's tasks carry its name as their group (also guards --task against another service's task).
  const own = tasks.filter((t) => t.group === `service:${serviceName}` && t.lastStatus === 'RUNNING');
  if (wanted && own.length === 0)
    throw new UsageError(
      `--task ${wanted}: no running task of ${service.id} with that id in stage ${config.stage}; berth status --stage ${config.stage} shows the service`,
    );
  if (own.length === 0)
    throw new BerthError(
      `${service.id} has no running task in stage ${config.stage}; berth status --stage ${config.stage} shows why`,
    );
  return own[0]!;
}

/**
 * ECS takes one string, which the SSM agent in the task splits like a shell would (shlex) and runs
 * without a shell: arguments with spaces or quotes are double-quoted so each stays one argument.
 */
export function commandLine(command: readonly string[]): string {
  return command
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\$`])/g, '\\$1')}"`))
    .join(' ');
}

function findOnPath(program: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The plugin owns the terminal until the session ends; Ctrl-C belongs to the remote program, so
 * berth ignores SIGINT meanwhile, as the AWS CLI does.
 */
function runPlugin(plugin: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ignore = () => {};
    process.on('SIGINT', ignore);
    const child = spawn(plugin, args, { stdio: 'inherit' });
    child.once('error', (error) => {
      process.off('SIGINT', ignore);
      reject(new BerthError(`cannot start ${plugin}: ${error.message}`, { cause: error }));
    });
    child.once('close', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve(code ?? (signal ? 128 + 2 : 1));
    });
  });
}
