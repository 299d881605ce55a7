/**
 * The classifier behind the `Classifier` seam. Three layers, in order:
 * 1. the speech act and incident rules (`intent.ts`): an incident is urgent or billing, never refused;
 *    a how-to question is answered, never refused;
 * 2. the account-action rules (`rules.ts`) for everything that is not a how-to question: a request
 *    to act on the account or disclose its data is refused whatever the model thinks;
 * 3. a naive Bayes model over stems for the rest. When only the model hears an account action, the
 *    flow asks the customer instead of refusing on a guess.
 * Sync and pure; build it once with `createClassifier()`.
 */
import { defaultKnowledgeBase } from "../knowledge-base.js";
import { createReader, type Reader, type Reading } from "../nlp/reader.js";
import { CATEGORIES, type Category, type Classification, type Classifier } from "../types.js";
import {
  asksForPerson,
  hasVerb,
  incidentOf,
  type Incident,
  isSalesQuestion,
  mentionsTicket,
  speechActOf,
} from "./intent.js";
import { type NaiveBayesModel, trainNaiveBayes } from "./naive-bayes.js";
import { matchAccountRule } from "./rules.js";
import { TRAINING } from "./training.js";

/**
 * Below this confidence the flow asks the customer to pick a category instead of guessing.
 * Measured on the dev set: correct answers sit above it with one exception, wrong ones below
 * or within the margin.
 */
export const CONFIDENCE_THRESHOLD = 0.5;

/** When the best two categories are closer than this, it is a tie and the flow clarifies too. */
export const AMBIGUITY_MARGIN = 0.15;

/** Where each incident goes: a person takes it (DESIGN: «urgent or billing, never refused»). */
const INCIDENT_CATEGORY: Record<Incident, Category> = {
  hacked: "urgent",
  site_down: "urgent",
  domain_expiring: "urgent",
  charge: "billing",
};

/** Rules about changing the account: a bare noun phrase on them may be a how-to or a request. */
const ASK_WHEN_BARE = new Set([
  "change_account_data",
  "change_contact",
  "re_register",
  "transfer",
  "delete_account",
  "add_domain",
  "service_settings",
  "reset_password",
  "restore_access",
]);

/** Options for `createClassifier`. */
export interface ClassifierOptions {
  /** Training utterances per category. @defaultValue the bundled `TRAINING` */
  training?: Record<Category, readonly string[]>;
}

/** A `Classifier` that also says whether its answer is clear enough to act on. */
export interface SupportClassifier extends Classifier {
  /** True when `c` is confident and not a tie (see the threshold and margin constants). */
  isConfident(c: Classification): boolean;
}

const LATIN_ONLY = /^[^а-яё]*$/i;

/** The reader's vocabulary: every training line and knowledge-base question, split by script. */
function readerFor(training: Record<Category, readonly string[]>): Reader {
  const lines = [
    ...Object.values(training).flat(),
    ...defaultKnowledgeBase().entries.flatMap((e) => e.questions),
  ];
  return createReader({
    ru: lines.filter((l) => !LATIN_ONLY.test(l)),
    en: lines.filter((l) => LATIN_ONLY.test(l)),
  });
}

/** Scores with one category taken out, the rest scaled back to sum to 1. */
function without(ranked: { category: Category; score: number }[], category: Category) {
  const rest = ranked.filter((r) => r.category !== category);
  const total = rest.reduce((sum, r) => sum + r.score, 0);
  return total > 0 ? rest.map((r) => ({ category: r.category, score: r.score / total })) : rest;
}

/** Builds the classifier (trains the model and indexes the vocabulary, a few milliseconds). */
export function createClassifier(options: ClassifierOptions = {}): SupportClassifier {
  const training = options.training ?? TRAINING;
  const model: NaiveBayesModel<Category> = trainNaiveBayes(training);
  const reader = readerFor(training);
  return {
    read: (text) => reader.read(text),
    classify(input: string | Reading): Classification {
      const reading = typeof input === "string" ? reader.read(input) : input;
      const padded = ` ${reading.normalized} `;
      const { ranked: scored, knownWords } = model.predict(reading);
      const ranked = scored.map((s) => ({ category: s.label, score: s.score }));
      const decided = (category: Category, rule: string): Classification => ({
        category,
        confidence: 1,
        ranked: [{ category, score: 1 }, ...ranked.filter((r) => r.category !== category)],
        rule,
      });

      const incident = incidentOf(padded);
      if (incident !== undefined)
        return decided(INCIDENT_CATEGORY[incident], `${INCIDENT_CATEGORY[incident]}:${incident}`);

      // The object first where it is not the account: a person, or an existing ticket.
      if (asksForPerson(padded)) return decided("operator", "operator:person");
      if (mentionsTicket(padded)) return decided("ticket_status", "ticket_status:reference");

      const act = speechActOf(padded);
      if (isSalesQuestion(padded)) return { ...decided("general", "general:sales"), act };
      if (act === "howto") {
        // «Как самому…» is answered, never refused: a general question, whatever its topic.
        const rest = without(ranked, "account_action");
        return { category: "general", confidence: 1, ranked: rest, rule: "general:howto", act };
      }

      const reportOnly = act === "report" || act === "why";
      const rule = matchAccountRule(reading, reportOnly);
      // A rule is a decision, not a vote: account actions are refused whatever the model thinks.
      if (rule !== undefined) {
        // «Смена владельца домена»: an account thing, but no verb says who should do it. Ask.
        const bare = act === "other" && ASK_WHEN_BARE.has(rule) && !hasVerb(padded);
        return {
          ...decided("account_action", `account_action:${rule}`),
          act,
          ...(bare ? { askSelfOrUs: true } : {}),
        };
      }

      // A report («я поменял NS…») asks nothing of us: the model's account_action vote is noise there.
      const votes = reportOnly ? without(ranked, "account_action") : ranked;
      const top = votes[0];
      if (top === undefined) return { category: "general", confidence: 0, ranked: [], act };
      // Fewer than two words the model knows: whatever ranks first is a guess (the flow clarifies). The
      // speech act still stands: a bare «почему нельзя?» after a refusal is that request again.
      if (knownWords < 2 && top.category !== "operator")
        return { category: top.category, confidence: 0, ranked: votes, act };
      if (top.category === "account_action") {
        // Only the model hears a request: ask, don't refuse on a guess.
        return { category: top.category, confidence: top.score, ranked: votes, askSelfOrUs: true, act };
      }
      return { category: top.category, confidence: top.score, ranked: votes, act };
    },
    isConfident(c: Classification): boolean {
      return isConfident(c);
    },
  };
}

/** True when a classification is above the threshold and clear of the runner-up by the margin. */
export function isConfident(c: Classification): boolean {
  if (c.rule !== undefined) return true;
  const second = c.ranked[1]?.score ?? 0;
  return c.confidence >= CONFIDENCE_THRESHOLD && c.confidence - second >= AMBIGUITY_MARGIN;
}

/** Every category, for callers that need the full list (re-exported for convenience). */
export { CATEGORIES };
