import type { Logger } from "pino";
import type { InboundEvent } from "../../flows/model.js";

/** One log method: a message, or fields and a message (pino's two common shapes). */
type LogLine = (fieldsOrMessage: object | string, message?: string) => void;

/** The logging the engine does about one inbound event. */
export interface EventLog {
  debug: LogLine;
  info: LogLine;
  warn: LogLine;
  error: LogLine;
}

type Level = keyof EventLog;

/**
 * The log of one inbound event, bound to its conversation, update, channel and kind. The pino child
 * is built only when a line is written at an enabled level: at `info` almost every update writes
 * nothing, and a child per update (its bindings serialized up front) was a measurable share of what
 * the engine allocated per update.
 */
export class LazyEventLog implements EventLog {
  private child: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly event: InboundEvent,
  ) {}

  // Prototype methods, not arrow fields: four closures per update would undo the saving.
  debug(fieldsOrMessage: object | string, message?: string): void {
    this.write("debug", fieldsOrMessage, message);
  }
  info(fieldsOrMessage: object | string, message?: string): void {
    this.write("info", fieldsOrMessage, message);
  }
  warn(fieldsOrMessage: object | string, message?: string): void {
    this.write("warn", fieldsOrMessage, message);
  }
  error(fieldsOrMessage: object | string, message?: string): void {
    this.write("error", fieldsOrMessage, message);
  }

  private write(level: Level, fieldsOrMessage: object | string, message?: string): void {
    if (!this.parent.isLevelEnabled(level)) return;
    const { event } = this;
    this.child ??= this.parent.child({
      conv: event.conversationKey,
      update: event.updateId,
      channel: event.channel,
      kind: event.kind,
    });
    if (typeof fieldsOrMessage === "string") this.child[level](fieldsOrMessage);
    else this.child[level](fieldsOrMessage, message);
  }
}
