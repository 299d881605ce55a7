/**
 * The knowledge base: validated entries and a lookup for general questions.
 * Matching is token overlap on stems, weighted by how rare a stem is across the base (IDF), so
 * «заявка» (everywhere) counts less than «бухгалтер» (one entry).
 *
 * Everything that does not depend on the question is computed at load (IDF weights, each
 * question's total weight, an index from stem to the questions that contain it), so a lookup is
 * one pass over the question's stems plus one over the questions it shares a stem with.
 */
import { z } from "zod";
import type { Locale } from "./model.js";
import type { OperatorProfile } from "./profile.js";
import { contactVars, format } from "./texts/index.js";
import { KNOWLEDGE_BASE_DATA } from "./knowledge-base.data.js";
import { analysisOf, stems, type TextInput } from "./nlp/tokenize.js";

/** The shape of one entry; ids are short snake_case so they can go into logs and metrics. */
export const KnowledgeEntrySchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{1,47}$/, "id must be snake_case ASCII, 2-48 characters"),
  questions: z.array(z.string().trim().min(3)).min(1),
  answer: z.object({ ru: z.string().trim().min(10), en: z.string().trim().min(10) }),
});

/** The whole base: at least one entry, ids unique. */
export const KnowledgeBaseSchema = z
  .array(KnowledgeEntrySchema)
  .min(1)
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      if (seen.has(entry.id)) {
        ctx.addIssue({ code: "custom", message: `duplicate id "${entry.id}"`, path: [index, "id"] });
      }
      seen.add(entry.id);
    });
  });

/** One knowledge-base entry. */
export type KnowledgeEntry = z.infer<typeof KnowledgeEntrySchema>;

/** Thrown when the knowledge-base data is malformed; the message names each bad field. */
export class KnowledgeBaseError extends Error {
  override readonly name = "KnowledgeBaseError";
  constructor(
    readonly issues: string[],
    options?: { cause?: unknown },
  ) {
    super(
      `The knowledge base is invalid: ${issues.join("; ")}. Fix flows/knowledge-base.data.ts ` +
        "(each entry needs a snake_case id, at least one question, and an answer in ru and en).",
      options,
    );
  }
}

/** A loaded, indexed knowledge base. */
export interface KnowledgeBase {
  entries: readonly KnowledgeEntry[];
  /**
   * Finds the entry that best answers `text` (or its `analyze()` result, as the classifier got it),
   * or undefined when nothing overlaps enough.
   */
  find(text: TextInput): KnowledgeMatch | undefined;
  /** The entry with this id, if any. */
  get(id: string): KnowledgeEntry | undefined;
}

/** A lookup result: the entry and how well it matched (0..1). */
export interface KnowledgeMatch {
  entry: KnowledgeEntry;
  score: number;
}

/**
 * Below this weighted overlap a match is not strong enough to answer with: the flow then says
 * honestly that it does not know and offers a person, instead of answering another question.
 */
export const MIN_KB_SCORE = 0.45;

/** How much a KB question wholly contained in a message counts (below 1: Dice still wins ties). */
const COVERAGE_WEIGHT = 0.8;

/**
 * Validates raw data and indexes it. Throws `KnowledgeBaseError` on bad data, so a broken edit
 * fails at start-up rather than when a customer asks.
 */
export function loadKnowledgeBase(raw: unknown): KnowledgeBase {
  const parsed = KnowledgeBaseSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new KnowledgeBaseError(issues, { cause: parsed.error });
  }
  const entries = parsed.data;
  const indexed = entries.map((entry) => ({
    entry,
    questions: entry.questions.map((q) => new Set(stems(q))),
  }));

  // Document frequency counted per entry, not per question, so paraphrases don't dilute a stem.
  const df = new Map<string, number>();
  for (const item of indexed) {
    const all = new Set(item.questions.flatMap((q) => [...q]));
    for (const s of all) df.set(s, (df.get(s) ?? 0) + 1);
  }
  const n = entries.length;
  const idf = (s: string): number => Math.log(1 + n / (df.get(s) ?? 0.5));
  /** The weight of a stem no question has (what `idf` gives it). */
  const unseenWeight = Math.log(1 + n / 0.5);

  // Every question in lookup order (entries, then their questions): ties go to the first.
  const questionEntry: KnowledgeEntry[] = [];
  const questionWeights: number[] = [];
  /** Per stem: its IDF and the questions (indices above) that contain it. */
  const postings = new Map<string, { weight: number; questions: number[] }>();
  for (const item of indexed) {
    for (const q of item.questions) {
      const index = questionEntry.length;
      questionEntry.push(item.entry);
      let weight = 0;
      for (const s of q) {
        const w = idf(s);
        weight += w;
        let posting = postings.get(s);
        if (posting === undefined) {
          posting = { weight: w, questions: [] };
          postings.set(s, posting);
        }
        posting.questions.push(index);
      }
      questionWeights.push(weight);
    }
  }
  const dWeights = Float64Array.from(questionWeights);
  // Scratch for one lookup (find is synchronous): shared weight per question, and which were touched.
  const shared = new Float64Array(questionEntry.length);
  const touched: number[] = [];

  const byId = new Map(entries.map((e) => [e.id, e]));
  return {
    entries,
    get: (id) => byId.get(id),
    find(text) {
      const query = new Set(analysisOf(text).stems);
      if (query.size === 0) return undefined;
      // Weighted Dice coefficient: shared weight over the mean weight of both sides.
      let qWeight = 0;
      for (const s of query) {
        const posting = postings.get(s);
        if (posting === undefined) {
          qWeight += unseenWeight;
          continue;
        }
        qWeight += posting.weight;
        for (const i of posting.questions) {
          if (shared[i] === 0) touched.push(i);
          shared[i] = (shared[i] ?? 0) + posting.weight;
        }
      }
      // Questions sharing no stem score 0, below MIN_KB_SCORE: only the touched ones can win.
      touched.sort((a, b) => a - b);
      let bestIndex = -1;
      let bestScore = 0;
      for (const i of touched) {
        // Weighted Dice, or most of a short KB question found inside a longer message («куда придёт
        // ответ на заявку, если я её из панели отправил»): a long message must not dilute a clear match.
        const dice = (2 * (shared[i] ?? 0)) / (qWeight + (dWeights[i] ?? 0));
        const coverage = (shared[i] ?? 0) / (dWeights[i] || 1);
        const score = Math.max(dice, COVERAGE_WEIGHT * coverage);
        if (bestIndex < 0 || score > bestScore) {
          bestIndex = i;
          bestScore = score;
        }
        shared[i] = 0;
      }
      touched.length = 0;
      const entry = questionEntry[bestIndex];
      return entry !== undefined && bestScore >= MIN_KB_SCORE ? { entry, score: bestScore } : undefined;
    },
  };
}

/**
 * The answer of an entry in a locale, with the operator's contacts filled in where the help article
 * says «по телефону» or «на email» (`{byPhone}`, `{call}`, `{toEmail}`, `{panel}`, `{support}`).
 */
export function answerOf(entry: KnowledgeEntry, locale: Locale, profile?: OperatorProfile): string {
  return format(entry.answer[locale], contactVars(locale, profile));
}

let defaultBase: KnowledgeBase | undefined;

/** The bundled knowledge base, validated on first use (the engine calls it at start-up). */
export function defaultKnowledgeBase(): KnowledgeBase {
  defaultBase ??= loadKnowledgeBase(KNOWLEDGE_BASE_DATA);
  return defaultBase;
}
