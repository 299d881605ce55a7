/**
 * Typo repair for customer messages («пороль», «акаунт», «саит», «взламали»): a word the bot has
 * never seen, whose stem it does not know either, is replaced by a known word one edit away
 * (a letter added, dropped, changed, or two swapped). Words with a known stem are left alone, so
 * an inflected form (сменил, сменят) is never "corrected" into another word.
 *
 * Lookup is symmetric-delete: every known word and each of its one-letter deletions are indexed
 * once, so a lookup is a handful of map reads, not a scan of the vocabulary.
 */

import { cachedIn } from "./bounded-cache.js";

/** Words shorter than this are not repaired: too many short words are one edit from each other. */
export const MIN_REPAIR_LENGTH = 4;

/** A typo repairer built from a vocabulary. */
export interface Speller {
  /** The known word `word` was most likely meant to be, or `word` itself. */
  repair(word: string): string;
}

/** Options of `createSpeller`. */
export interface SpellerOptions {
  /** Known words (any form), with how often each was seen: the most frequent candidate wins. */
  words: ReadonlyMap<string, number>;
  /** Whether a word's stem is known: such a word is not a typo, just another form. */
  knownStem(word: string): boolean;
}

function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** One adjacent swap away (a transposition): «пралоь» is not, «парлоь» → «пароль» is. */
function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let first = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (first >= 0)
      return i === first + 1 && a[first] === b[i] && a[i] === b[first] && a.slice(i + 1) === b.slice(i + 1);
    first = i;
  }
  return false;
}

/**
 * Whether `word` is a believable typo of `known`. People rarely mistype the first letter, and an edit
 * at the very end is usually another form of the word (менял/меня, пополнить/дополнить), not a typo.
 */
function plausibleTypo(word: string, known: string): boolean {
  if (word[0] !== known[0]) return false;
  const a = word.slice(0, -1);
  const b = known.slice(0, -1);
  return !(a === b || a === known || word === b);
}

/** Builds a speller; the index is made once, here. */
export function createSpeller(options: SpellerOptions): Speller {
  const { words, knownStem } = options;
  /** Deletion variant → the known words it came from. */
  const index = new Map<string, string[]>();
  for (const w of words.keys()) {
    if (w.length < MIN_REPAIR_LENGTH - 1) continue;
    for (const d of deletions(w)) {
      const list = index.get(d);
      if (list === undefined) index.set(d, [w]);
      else if (!list.includes(w)) list.push(w);
    }
  }
  const cache = new Map<string, string>();
  const CACHE_LIMIT = 20_000;

  function best(candidates: Iterable<string>): string | undefined {
    let pick: string | undefined;
    let pickCount = -1;
    for (const c of candidates) {
      const n = words.get(c) ?? 0;
      if (n > pickCount || (n === pickCount && pick !== undefined && c < pick)) {
        pick = c;
        pickCount = n;
      }
    }
    return pick;
  }

  function compute(word: string): string {
    if (word.length < MIN_REPAIR_LENGTH || words.has(word) || knownStem(word) || /\d/.test(word)) return word;
    const candidates = new Set<string>();
    // The customer typed a letter too many: one of its deletions is a known word.
    for (const d of deletions(word)) if (words.has(d)) candidates.add(d);
    // A letter too few: the word is a deletion of a known word.
    for (const w of index.get(word) ?? []) candidates.add(w);
    // A wrong or swapped letter: a deletion of each meets at the same position.
    if (candidates.size === 0) {
      for (let i = 0; i < word.length; i++) {
        const d = word.slice(0, i) + word.slice(i + 1);
        for (const w of index.get(d) ?? []) {
          if (w.length !== word.length) continue;
          // Same length, one deletion in common at position i: a substitution at i, or a swap.
          if (w.slice(0, i) + w.slice(i + 1) === d || isTransposition(w, word)) candidates.add(w);
        }
      }
    }
    return best([...candidates].filter((c) => plausibleTypo(word, c))) ?? word;
  }

  return {
    repair: (word) => cachedIn(cache, CACHE_LIMIT, word, compute),
  };
}
