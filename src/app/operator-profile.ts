/**
 * Reads the operator's profile file (`OPERATOR_PROFILE`, JSON): the provider's name, phone, email,
 * panel URL, working hours and text overrides. The flow validates the shape; this module only does
 * the I/O and turns every failure into a message that names the file and the field to fix.
 */
import { readFileSync } from "node:fs";
import { type OperatorProfile, OperatorProfileError, parseOperatorProfile } from "../../flows/profile.js";

/** Reads and validates a profile file; throws `OperatorProfileError` naming the bad field or the I/O problem. */
export function readOperatorProfile(path: string): OperatorProfile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new OperatorProfileError(path, [
      `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new OperatorProfileError(path, [`is not JSON (${(err as Error).message})`]);
  }
  return parseOperatorProfile(raw, path);
}
