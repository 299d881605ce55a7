import type { ChannelId } from "../flows/model.js";
import type { ChannelSender } from "./channel.js";

/**
 * The outbound sides of the configured channels, built once at wiring time and shared by the engine
 * (customer replies) and the desk (agent replies, queue positions).
 */
export class ChannelRegistry {
  private readonly senders = new Map<ChannelId, ChannelSender>();

  /** Registers (or replaces) a channel's sender. */
  register(sender: ChannelSender): void {
    this.senders.set(sender.channel, sender);
  }

  /** The sender of a channel, or undefined when that channel is not configured. */
  get(channel: ChannelId): ChannelSender | undefined {
    return this.senders.get(channel);
  }
}
