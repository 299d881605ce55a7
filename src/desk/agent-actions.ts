import { deskPayload, parseDeskPayload } from "./card.js";
import { courtesy, type DeskContext, signal } from "./desk-context.js";
import type { DeskAgent, DeskUpdate } from "./desk-update.js";
import type { Topics } from "./topics.js";
import type { WaitingRoom } from "./waiting-room.js";

/** An action's answer for the agent, and what follows once it is out (card, name, customer, queue). */
type Outcome = [answer: string, after: (() => Promise<void>) | undefined];

/**
 * What agents do to a handoff: take it, close it, hand it to a colleague, put it back in the queue.
 * Each changes the record in one atomic step and answers at once; the card, the topic's name, the
 * customer's signal and the queue positions follow after the answer.
 */
export class AgentActions {
  constructor(
    private readonly c: DeskContext,
    private readonly topics: Topics,
    private readonly room: WaitingRoom,
  ) {}

  /**
   * A button press: one atomic change in Redis, then the answer (the first Bot API call), then the
   * rest; `answered` is called as soon as the answer is out.
   */
  async button(
    update: Extract<DeskUpdate, { kind: "callback" }>,
    answered: () => void = () => undefined,
  ): Promise<void> {
    const parsed = parseDeskPayload(update.data);
    if (!parsed) {
      await this.c.api.answerCallback(update.callbackId);
      return answered();
    }
    await this.c.directory.seen(update);
    const { handoffId } = parsed;
    const [answer, after] =
      parsed.action === "transferTo"
        ? await this.transfer(handoffId, update, parsed.agentId, update.messageId)
        : await { take: this.take, close: this.close, release: this.release, transfer: this.offerTransfer }[
            parsed.action
          ].call(this, handoffId, update);
    await this.c.api.answerCallback(update.callbackId, answer);
    answered();
    await after?.();
  }

  /** [Взять] (or a first reply): records the agent; then the card, the name, the customer, the queue. */
  async take(handoffId: string, agent: DeskAgent): Promise<Outcome> {
    const t = this.c.texts;
    const outcome = await this.c.records.claim(handoffId, { id: agent.agentId, name: agent.agentName });
    if (outcome.kind === "ended" || outcome.kind === "missing") return [t.alreadyClosed, undefined];
    if (outcome.kind === "yours") return [t.youHaveIt, undefined];
    if (outcome.kind === "taken") return [t.takenBy(outcome.owner), undefined];
    this.c.metrics?.handoffsTaken.inc();
    this.c.metrics?.timeToClaim.observe(outcome.waitedMs / 1000);
    await this.c.directory.count(agent.agentId, { handled: 1, claimMsTotal: outcome.waitedMs, claims: 1 });
    return [
      t.taken,
      async () => {
        const record = await this.c.records.read(handoffId);
        const name = (await this.c.directory.alias(agent.agentId)) ?? agent.agentName;
        await Promise.all([
          this.topics.refresh(handoffId),
          this.room.changed(),
          record &&
            signal(
              this.c,
              record,
              { type: "agent_claimed", handoffId, agentName: name },
              `claim-${handoffId}`,
            ),
        ]);
      },
    ];
  }

  /** [Закрыть] or /close: ends the handoff; the customer is asked for a rating. */
  async close(handoffId: string, agent: DeskAgent): Promise<Outcome> {
    const t = this.c.texts;
    if (!(await this.c.records.close(handoffId, agent.agentName))) return [t.alreadyClosed, undefined];
    return [
      t.closed,
      async () => {
        const record = await this.c.records.read(handoffId);
        await this.topics.finish(handoffId, t.closedBy(agent.agentName));
        await this.room.changed();
        if (record) await signal(this.c, record, { type: "agent_closed", handoffId }, `close-${handoffId}`);
      },
    ];
  }

  /** [Вернуть в очередь]: the owner puts the handoff back where it was in the queue. */
  private async release(handoffId: string, agent: DeskAgent): Promise<Outcome> {
    const t = this.c.texts;
    const result = await this.c.records.release(handoffId, agent.agentId);
    if (result === "ended") return [t.alreadyClosed, undefined];
    if (result === "not_owner") return [t.onlyOwner, undefined];
    const notice = t.released(agent.agentName);
    return [
      notice,
      async () => {
        await this.topics.tell(handoffId, notice);
        await Promise.all([this.topics.refresh(handoffId), this.room.changed()]);
      },
    ];
  }

  /** [Передать]: the owner picks a colleague from those who acted in the desk. */
  private async offerTransfer(handoffId: string, agent: DeskAgent): Promise<Outcome> {
    const t = this.c.texts;
    const record = await this.c.records.read(handoffId);
    if (!record || record.closedAt !== undefined || record.cancelledAt !== undefined)
      return [t.alreadyClosed, undefined];
    if (record.agentId !== agent.agentId) return [t.onlyOwner, undefined];
    const others = Object.entries(await this.c.directory.agents()).filter(([id]) => id !== agent.agentId);
    if (others.length === 0 || record.topic === undefined) return [t.transferNobody, undefined];
    const topic = record.topic;
    const buttons = others
      .slice(0, 20)
      .map(([id, name]) => [{ label: name, payload: deskPayload.transferTo(handoffId, id) }]);
    return [t.transferPick, async () => void (await this.c.api.post(topic, t.transferPick, buttons))];
  }

  /** A colleague's name pressed under [Передать]: the handoff is theirs now. */
  private async transfer(
    handoffId: string,
    agent: DeskAgent,
    toId: string,
    pickMessageId: number | undefined,
  ): Promise<Outcome> {
    const t = this.c.texts;
    const toName = (await this.c.directory.agents())[toId] ?? toId;
    const result = await this.c.records.transfer(handoffId, agent.agentId, { id: toId, name: toName });
    if (result === "ended") return [t.alreadyClosed, undefined];
    if (result === "not_owner") return [t.onlyOwner, undefined];
    return [
      t.transferred(agent.agentName, toName),
      () => this.handedOver(handoffId, toId, toName, t.transferred(agent.agentName, toName), pickMessageId),
    ];
  }

  /** `/take` in a claimed topic: another agent takes the handoff over from its owner. */
  async takeOver(handoffId: string, agent: DeskAgent): Promise<Outcome> {
    const t = this.c.texts;
    const record = await this.c.records.read(handoffId);
    if (!record?.agentId || record.agentId === agent.agentId) return this.take(handoffId, agent);
    const from = record.agentName ?? "?";
    const result = await this.c.records.transfer(handoffId, record.agentId, {
      id: agent.agentId,
      name: agent.agentName,
    });
    if (result === "ended") return [t.alreadyClosed, undefined];
    if (result === "not_owner") return this.takeOver(handoffId, agent); // it changed hands meanwhile: look again
    const notice = t.takenOver(from, agent.agentName);
    return [notice, () => this.handedOver(handoffId, agent.agentId, agent.agentName, notice)];
  }

  /** After a transfer or takeover: the notice, the card and name, the queue, and the customer told. */
  private async handedOver(
    handoffId: string,
    toId: string,
    toName: string,
    notice: string,
    pickMessageId?: number,
  ): Promise<void> {
    // A choice from the [Передать] list: the list becomes the notice, without its buttons.
    if (pickMessageId !== undefined)
      await courtesy(this.c, "transfer list edit", handoffId, this.c.api.edit(pickMessageId, notice));
    else await this.topics.tell(handoffId, notice);
    // The customer hears who is with them now, as when the handoff was first taken.
    const record = await this.c.records.read(handoffId);
    const name = (await this.c.directory.alias(toId)) ?? toName;
    const sig = { type: "agent_claimed" as const, handoffId, agentName: name };
    await Promise.all([
      this.topics.refresh(handoffId),
      this.room.changed(),
      record && signal(this.c, record, sig, `handover-${handoffId}-${toId}-${this.c.now()}`),
    ]);
  }
}
