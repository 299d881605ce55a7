/**
 * The operator's profile: the provider's own contacts and hours, which the help article does not
 * give (so the bot never invents them), plus overrides of any customer-facing text. Validated here,
 * purely; `src/` reads the file and hands the result to the flow.
 */
import { z } from "zod";
import { ru, type TextKey } from "./texts/ru.js";

const TEXT_KEYS = Object.keys(ru) as [TextKey, ...TextKey[]];

/** Overrides of texts for one locale: only known keys, non-empty. */
const TextOverridesSchema = z.partialRecord(z.enum(TEXT_KEYS), z.string().trim().min(1)).optional();

/** The profile file's shape (JSON). Every field is optional: what is missing is never made up. */
export const OperatorProfileSchema = z
  .object({
    /** The provider's name as customers know it, e.g. «SpaceWeb». */
    name: z.string().trim().min(1).max(80).optional(),
    /** The support phone, as it should be shown. */
    phone: z
      .string()
      .trim()
      .regex(/^\+?[\d\s()-]{5,24}$/, "a phone number such as +7 (812) 334-03-33")
      .optional(),
    /** The support email. */
    email: z.email().optional(),
    /** The control panel's address. */
    panelUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** When agents work, e.g. `Mon-Fri 09:00-18:00` (overridden by WORK_HOURS when that is set). */
    hours: z.string().trim().min(1).optional(),
    /** The IANA time zone of `hours`, e.g. `Europe/Moscow`. */
    timeZone: z.string().trim().min(1).optional(),
    /** Text overrides per locale, by text key (see `flows/texts/ru.ts`). */
    texts: z.object({ ru: TextOverridesSchema, en: TextOverridesSchema }).strict().optional(),
  })
  .strict();

/** The operator's profile. */
export type OperatorProfile = z.infer<typeof OperatorProfileSchema>;

/** Thrown for a bad profile: names each bad field and what it should look like. */
export class OperatorProfileError extends Error {
  override readonly name = "OperatorProfileError";
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`The operator profile ${source} is invalid: ${issues.join("; ")}.`);
  }
}

/** Validates a parsed profile; throws `OperatorProfileError` naming each bad field. */
export function parseOperatorProfile(raw: unknown, source = "(inline)"): OperatorProfile {
  const parsed = OperatorProfileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new OperatorProfileError(
    source,
    parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
  );
}

/** The profile's placeholders for texts in a locale: contacts read neutrally when unknown. */
export function profileVars(
  profile: OperatorProfile | undefined,
  pick: (key: TextKey) => string,
): Record<string, string> {
  const p = profile ?? {};
  const fill = (template: string, vars: Record<string, string>) =>
    template.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
  const some = { phone: p.phone ?? "", email: p.email ?? "", panelUrl: p.panelUrl ?? "", name: p.name ?? "" };
  return {
    byPhone: p.phone ? fill(pick("byPhoneSome"), some) : pick("byPhoneNone"),
    call: p.phone ? fill(pick("callSome"), some) : pick("callNone"),
    toEmail: p.email ? fill(pick("toEmailSome"), some) : pick("toEmailNone"),
    panel: p.panelUrl ? fill(pick("panelSome"), some) : pick("panelNone"),
    support: p.name ? fill(pick("supportSome"), some) : pick("support"),
  };
}
