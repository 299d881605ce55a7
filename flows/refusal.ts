/**
 * The refusal of an account action (DESIGN invariant 4), built to help: it names what was asked
 * and gives the route the help article gives for that request (a panel ticket; email only without
 * panel access; the phone for checking the balance or the owner), in two or three sentences.
 */
import type { TextKey } from "./texts/index.js";

/** Which text answers which account rule (rule ids from `classifier/rules.ts`). */
const ROUTE_BY_RULE: Record<string, TextKey> = {
  balance: "refuseBalance",
  money_left: "refuseBalance",
  unblock_money: "refuseMoney",
  refund: "refuseMoney",
  change_account_data: "refuseChange",
  en_change: "refuseChange",
  change_contact: "refuseChange",
  re_register: "refuseChange",
  restore_access: "refuseAccess",
  reset_password: "refuseAccess",
  en_access: "refuseAccess",
  confirm_owner: "refuseOwner",
  ownership_claim: "refuseOwner",
  disclose_data: "refuseDisclose",
};

/** What was asked about, read from the words: shown in the refusal so it is about this request. */
const WHAT: readonly [RegExp, TextKey][] = [
  [/владел|собственник|хозя|owner/, "whatOwner"],
  [/реквизит|инн|кпп|requisite|billing details|company details|legal details/, "whatRequisites"],
  [/парол|password/, "whatPassword"],
  [/логин|login/, "whatLogin"],
  // Before the contract: «телефон в договоре» changes a contact, not the contract.
  [/email|почт|телефон|контакт|phone|contact/, "whatContacts"],
  [/договор|contract/, "whatContract"],
  [/тариф|plan|tariff/, "whatTariff"],
  [/домен|domain/, "whatDomain"],
  [/услуг|автопродл|service|auto ?renew|php|ssl|cron|лимит/, "whatServices"],
  [/аккаунт|учетн|account/, "whatAccount"],
];

/**
 * The refusal's text key and the key of what was asked, for a rule id and the normalized text; `what`
 * is undefined when the words name nothing on the list.
 */
export function refusalFor(rule: string | undefined, normalized: string): { key: TextKey; what?: TextKey } {
  const id = rule?.replace(/^account_action:/, "") ?? "";
  const what = WHAT.find(([re]) => re.test(normalized))?.[1];
  return { key: ROUTE_BY_RULE[id] ?? "refuseAction", ...(what ? { what } : {}) };
}
