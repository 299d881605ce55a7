import type { GlobalCommand } from "../../flows/model.js";

/** VK's limit on a keyboard button's payload: a JSON string of at most 255 characters. */
export const VK_PAYLOAD_LIMIT = 255;

/** What a button payload coming back from VK means. */
export type DecodedPayload =
  | { kind: "button"; payload: string }
  | { kind: "command"; command: GlobalCommand };

const COMMANDS: readonly GlobalCommand[] = ["start", "operator", "cancel"];

/**
 * Encodes a flow's `Button.payload` the way VK wants it (a JSON object serialized to a string):
 * `{"p":"<payload>"}`. The wrapper object keeps our payloads apart from VK's own
 * (`{"command":"start"}` from the «Начать» button).
 */
export function encodeButtonPayload(payload: string): string {
  return JSON.stringify({ p: payload });
}

/**
 * Decodes a payload VK sent back: a JSON string on `message_new`, an already-parsed object on
 * `message_event`. Returns undefined for anything that is neither ours nor a known command, so the
 * message's text is used instead.
 */
export function decodeButtonPayload(raw: unknown): DecodedPayload | undefined {
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: not a payload we produced.
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.p === "string" && record.p !== "") return { kind: "button", payload: record.p };
  const command = record.command;
  if (typeof command === "string" && (COMMANDS as readonly string[]).includes(command)) {
    return { kind: "command", command: command as GlobalCommand };
  }
  return undefined;
}
