import type { IIoHost, IoMessage, IoRequest } from '@aws-cdk/toolkit-lib';
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import type { AwsNotify } from './events.ts';

/** A resource event CloudFormation recorded, as berth reports it. */
export interface ResourceEvent {
  readonly stack: string;
  readonly resource: string;
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly time?: string;
}

/** What the toolkit said about one stack's deployment when it ended well. */
export interface StackOutcome {
  readonly stack: string;
  readonly noOp: boolean;
  readonly stackArn?: string;
}

const FAILED = /FAILED$/;

/** The fields of the toolkit's message payloads (StackMonitoringControlEvent, StackActivity, deploy results) berth reads. */
interface ToolkitData {
  readonly stackName?: string;
  readonly isStackUpdate?: boolean;
  readonly resourcesTotal?: number;
  readonly event?: StackEvent;
  readonly metadata?: { readonly constructPath?: string };
  readonly progress?: unknown;
  readonly noOp?: boolean;
  readonly stackArn?: string;
}

/** A stack event as one readable record; the logical id stands for the resource when no path is known. */
export function resourceEvent(event: Partial<StackEvent>, constructPath?: string): ResourceEvent {
  return {
    stack: event.StackName ?? '',
    resource: constructPath ?? event.LogicalResourceId ?? '',
    type: event.ResourceType ?? '',
    status: event.ResourceStatus ?? '',
    ...(event.ResourceStatusReason ? { reason: event.ResourceStatusReason } : {}),
    ...(event.Timestamp ? { time: new Date(event.Timestamp).toISOString() } : {}),
  };
}

/**
 * berth's IoHost for CDK's toolkit-lib: turns the toolkit's messages into berth's AwsNotify
 * progress events (stack activity I5501/I5502/I5503, asset publishing, destroy and bootstrap
 * progress), and keeps what a command's result needs (failed resource events, which stacks the
 * deploy left unchanged). The toolkit never writes to the terminal: everything comes through here.
 * Questions the toolkit asks (approve security changes, roll back first, destroy) are answered
 * `yes`: berth asks its own questions before it calls the toolkit, on the terminal it owns.
 */
export class BerthIoHost implements IIoHost {
  readonly failedEvents: ResourceEvent[] = [];
  readonly outcomes: StackOutcome[] = [];
  /** Stacks whose monitoring started and has not finished: the ones a Ctrl-C would cancel. */
  readonly active = new Set<string>();
  /** Every stack whose deployment started, and whether it already existed. */
  readonly started: { readonly stack: string; readonly update: boolean }[] = [];

  constructor(private readonly emit: AwsNotify) {}

  async notify(msg: IoMessage<unknown>): Promise<void> {
    const code = msg.code?.replace(/^CDK_[A-Z]+_/, '');
    const data = msg.data as ToolkitData | undefined;
    switch (code) {
      case 'I5501': {
        const stack = String(data?.stackName ?? '');
        this.active.add(stack);
        if (msg.action !== 'destroy') this.started.push({ stack, update: Boolean(data?.isStackUpdate) });
        this.emit({
          level: 'info',
          code: 'aws.stack.start',
          message: `${stack}: ${msg.action === 'destroy' ? 'deleting' : data?.isStackUpdate ? 'updating' : 'creating'}${data?.resourcesTotal ? ` (${data.resourcesTotal} resources)` : ''}`,
          data: { stack, update: Boolean(data?.isStackUpdate), resources: data?.resourcesTotal },
        });
        return;
      }
      case 'I5502': {
        const e = resourceEvent(data?.event ?? {}, data?.metadata?.constructPath);
        const failed = FAILED.test(e.status) && e.reason !== undefined && !isCascade(e.reason);
        if (failed) this.failedEvents.push(e);
        this.emit({
          level: failed ? 'error' : 'info',
          code: failed ? 'aws.stack.failed-event' : 'aws.stack.event',
          message: `${e.stack} ${e.resource} ${e.type} ${e.status}${e.reason ? `: ${e.reason}` : ''}`,
          data: { ...e, progress: data?.progress },
        });
        return;
      }
      case 'I5503': {
        const stack = String(data?.stackName ?? '');
        this.active.delete(stack);
        this.emit({
          level: 'debug',
          code: 'aws.stack.done',
          message: `${stack}: monitoring ended`,
          data: { stack },
        });
        return;
      }
      case 'I5900': {
        const stack = stackNameOf(msg.message, data);
        this.outcomes.push({ stack, noOp: Boolean(data?.noOp), stackArn: data?.stackArn });
        if (data?.noOp) {
          this.emit({
            level: 'info',
            code: 'aws.stack.no-change',
            message: `${stack}: no changes`,
            data: { stack },
          });
        }
        return;
      }
      case 'I5220':
      case 'I5221':
        this.emit({ level: 'debug', code: 'aws.asset.publish', message: msg.message });
        return;
      case 'I7100':
      case 'I7101':
      case 'I9100':
        this.emit({ level: 'info', code: 'aws.toolkit.progress', message: plain(msg.message) });
        return;
    }
    if (msg.level === 'error' || msg.level === 'warn') {
      this.emit({
        level: 'warn',
        code: 'aws.toolkit.warn',
        message: plain(msg.message),
        data: { code: msg.code },
      });
      return;
    }
    this.emit({
      level: 'debug',
      code: 'aws.toolkit.debug',
      message: plain(msg.message),
      data: { code: msg.code },
    });
  }

  async requestResponse<T>(msg: IoRequest<unknown, T>): Promise<T> {
    await this.notify(msg);
    if (typeof msg.defaultResponse === 'boolean') return true as T;
    return msg.defaultResponse;
  }
}

/** Resources CloudFormation cancelled because another one failed: the cause is the other event. */
function isCascade(reason: string): boolean {
  return /Resource creation cancelled|Resource update cancelled|cancelled because/i.test(reason);
}

/** I5900 carries the stack artifact in some versions and only the message in others. */
function stackNameOf(message: string, data: ToolkitData | undefined): string {
  const fromArn = typeof data?.stackArn === 'string' ? data.stackArn.split('/')[1] : undefined;
  return fromArn ?? message.split(/\s/)[0] ?? '';
}

/** The toolkit decorates some messages with ANSI styles even with colour off in older paths. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').trim();
}
