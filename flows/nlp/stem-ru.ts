/**
 * A Russian stemmer after the Snowball algorithm (Porter's «Russian stemming algorithm»).
 * Hand-written so `flows/` stays dependency-free and synchronous; a golden test holds it to the
 * snowball-stemmers package on the bot's whole vocabulary (tests/unit/flows/stemmers-golden.test.ts).
 * Words reach it with «ё» already folded to «е» by the tokenizer.
 */

const PERFECTIVE_GERUND_1 = ["вшись", "вши", "в"];
const PERFECTIVE_GERUND_2 = ["ившись", "ывшись", "ивши", "ывши", "ив", "ыв"];
const ADJECTIVE = [
  "ими",
  "ыми",
  "его",
  "ого",
  "ему",
  "ому",
  "ее",
  "ие",
  "ые",
  "ое",
  "ей",
  "ий",
  "ый",
  "ой",
  "ем",
  "им",
  "ым",
  "ом",
  "их",
  "ых",
  "ую",
  "юю",
  "ая",
  "яя",
  "ою",
  "ею",
];
const PARTICIPLE_1 = ["ем", "нн", "вш", "ющ", "щ"];
const PARTICIPLE_2 = ["ивш", "ывш", "ующ"];
const REFLEXIVE = ["ся", "сь"];
const VERB_1 = [
  "ла",
  "на",
  "ете",
  "йте",
  "ли",
  "й",
  "л",
  "ем",
  "н",
  "ло",
  "но",
  "ет",
  "ют",
  "ны",
  "ть",
  "ешь",
  "нно",
];
const VERB_2 = [
  "ила",
  "ыла",
  "ена",
  "ейте",
  "уйте",
  "ите",
  "или",
  "ыли",
  "ей",
  "уй",
  "ил",
  "ыл",
  "им",
  "ым",
  "ен",
  "ило",
  "ыло",
  "ено",
  "ят",
  "ует",
  "уют",
  "ит",
  "ыт",
  "ены",
  "ить",
  "ыть",
  "ишь",
  "ую",
  "ю",
];
const NOUN = [
  "иями",
  "ями",
  "ами",
  "ией",
  "иям",
  "ием",
  "иях",
  "ев",
  "ов",
  "ие",
  "ье",
  "еи",
  "ии",
  "ей",
  "ой",
  "ий",
  "ям",
  "ем",
  "ам",
  "ом",
  "ах",
  "ях",
  "ию",
  "ью",
  "ия",
  "ья",
  "а",
  "е",
  "и",
  "й",
  "о",
  "у",
  "ы",
  "ь",
  "ю",
  "я",
];

/** Longest first, so the first hit is the longest match (as Snowball's `among` does). */
function byLength(list: string[]): string[] {
  return [...list].sort((a, b) => b.length - a.length);
}

const SORTED = {
  gerund1: byLength(PERFECTIVE_GERUND_1),
  gerund2: byLength(PERFECTIVE_GERUND_2),
  adjective: byLength(ADJECTIVE),
  participle1: byLength(PARTICIPLE_1),
  participle2: byLength(PARTICIPLE_2),
  reflexive: byLength(REFLEXIVE),
  verb1: byLength(VERB_1),
  verb2: byLength(VERB_2),
  noun: byLength(NOUN),
};

/**
 * Removes the longest ending found in `rv`. Group-1 endings only count after «а» or «я»
 * (which stays). Returns the shortened rv, or undefined when nothing matched.
 */
function strip(rv: string, group1: readonly string[], group2: readonly string[] = NONE): string | undefined {
  let cut = 0;
  for (const e of group1) {
    if (rv.endsWith(e)) {
      const before = rv[rv.length - e.length - 1];
      if (before === "а" || before === "я") {
        cut = e.length;
        break;
      }
    }
  }
  for (const e of group2) {
    if (e.length > cut && rv.endsWith(e)) {
      cut = e.length;
      break;
    }
  }
  return cut > 0 ? rv.slice(0, rv.length - cut) : undefined;
}

const NONE: readonly string[] = [];
const DERIVATIONAL = ["ость", "ост"];
const SUPERLATIVE = ["ейше", "ейш"];

/** True for a Russian vowel (а е и о у ы э ю я), by char code: the stemmer asks for every letter. */
function isVowel(code: number): boolean {
  // а е и о у ы э ю я
  return (
    code === 0x430 ||
    code === 0x435 ||
    code === 0x438 ||
    code === 0x43e ||
    code === 0x443 ||
    code === 0x44b ||
    code === 0x44d ||
    code === 0x44e ||
    code === 0x44f
  );
}

/** Start of RV: the part of the word after its first vowel, where endings are looked for. */
function rvStart(word: string): number {
  for (let i = 0; i < word.length; i++) {
    if (isVowel(word.charCodeAt(i))) return i + 1;
  }
  return word.length;
}

/** Start of R1 of `s` from `from`, relative to `from`: after the first non-vowel that follows a vowel. */
function r1Start(s: string, from = 0): number {
  for (let i = from + 1; i < s.length; i++) {
    if (!isVowel(s.charCodeAt(i)) && isVowel(s.charCodeAt(i - 1))) return i + 1 - from;
  }
  return s.length - from;
}

/** Stems one lower-case Russian word (ё already folded to е or not: it is folded here). */
export function stemRu(input: string): string {
  const word = input.includes("ё") ? input.replace(/ё/g, "е") : input;
  const start = rvStart(word);
  const prefix = word.slice(0, start);
  let rv = word.slice(start);
  if (rv.length === 0) return word;

  // Step 1: a perfective gerund, or else reflexive + (adjectival | verb | noun).
  const gerund = strip(rv, SORTED.gerund1, SORTED.gerund2);
  if (gerund !== undefined) {
    rv = gerund;
  } else {
    rv = strip(rv, NONE, SORTED.reflexive) ?? rv;
    const adjective = strip(rv, NONE, SORTED.adjective);
    if (adjective !== undefined) {
      // An adjectival ending may carry a participle before it.
      rv = strip(adjective, SORTED.participle1, SORTED.participle2) ?? adjective;
    } else {
      const verb = strip(rv, SORTED.verb1, SORTED.verb2);
      if (verb !== undefined) rv = verb;
      else rv = strip(rv, NONE, SORTED.noun) ?? rv;
    }
  }

  // Step 2: a final «и».
  if (rv.endsWith("и")) rv = rv.slice(0, -1);

  // Step 3: a derivational ending in R2.
  const full = prefix + rv;
  const r1 = r1Start(full);
  const r2 = r1 + r1Start(full, r1);
  for (const e of DERIVATIONAL) {
    if (full.endsWith(e) && full.length - e.length >= r2) {
      rv = rv.slice(0, rv.length - e.length);
      break;
    }
  }

  // Step 4: undouble «нн», drop a superlative, or drop a soft sign.
  if (rv.endsWith("нн")) {
    rv = rv.slice(0, -1);
  } else {
    const superlative = strip(rv, NONE, SUPERLATIVE);
    if (superlative !== undefined) {
      rv = superlative.endsWith("нн") ? superlative.slice(0, -1) : superlative;
    } else if (rv.endsWith("ь")) {
      rv = rv.slice(0, -1);
    }
  }
  return prefix + rv;
}
