import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import snowball from "snowball-stemmers";
import { describe, expect, it } from "vitest";
import { stemEn } from "../../../flows/nlp/stem-en.js";
import { stemRu } from "../../../flows/nlp/stem-ru.js";
import { words } from "../../../flows/nlp/tokenize.js";

/**
 * Golden tests of the hand-written stemmers against the Snowball reference (the snowball-stemmers
 * package, a devDependency): every word the flow's own texts, training data and knowledge base use,
 * and the same words with common endings put on, must stem exactly as Snowball stems them.
 */

const ROOT = join(import.meta.dirname, "../../..");

/** The words of every source file under `flows/` and of the test fixtures: the vocabulary the bot meets. */
function vocabulary(): string[] {
  const files = [
    ...readdirSync(join(ROOT, "flows"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(ROOT, "flows", f)),
    ...readdirSync(join(ROOT, "tests/unit/fixtures")).map((f) => join(ROOT, "tests/unit/fixtures", f)),
  ];
  const all = new Set<string>();
  for (const file of files) for (const w of words(readFileSync(file, "utf8"))) all.add(w);
  return [...all];
}

/**
 * Each base word with each ending, and (`truncated`) with its last letter replaced by each ending.
 * The reference takes ~20 µs a word, so the lists stay in the tens of thousands.
 */
function inflect(base: readonly string[], endings: readonly string[], truncated: boolean): string[] {
  const out = new Set<string>();
  for (const b of base) {
    for (const e of endings) {
      out.add(b + e);
      if (truncated) out.add(b.slice(0, -1) + e);
    }
  }
  return [...out];
}

/** Words on which `ours` and the reference disagree, as `word: ours ≠ reference`. */
function disagreements(
  list: readonly string[],
  ours: (w: string) => string,
  reference: (w: string) => string,
) {
  return list.filter((w) => ours(w) !== reference(w)).map((w) => `${w}: ${ours(w)} ≠ ${reference(w)}`);
}

const vocab = vocabulary();

describe("Russian stemmer against Snowball", () => {
  const reference = snowball.newStemmer("russian");
  // The tokenizer folds «ё» before stemming, so the words compared are folded too.
  const base = vocab.filter((w) => /^[а-я]{2,}$/.test(w));
  const endings = ["", "а", "у", "ой", "ий", "ая", "ые", "ого", "ами", "ость", "ение", "ия", "ться", "лся"];
  const all = inflect(base, [...endings, "вшись", "ующий", "енный", "ейший", "ете", "йте", "ила", "ь"], true);

  it("has a vocabulary to compare", () => {
    expect(base.length).toBeGreaterThan(500);
  });

  it("stems every word as Snowball does", () => {
    expect(disagreements(all, stemRu, (w) => reference.stem(w))).toEqual([]);
  });
});

describe("English stemmer (Porter2) against Snowball", () => {
  const reference = snowball.newStemmer("english");
  // The rules' corners: exceptions, consonant y, R1 prefixes, the short-word e, each step's suffixes.
  const corners = [
    "sites site services service invoices invoice hosting hosted domains renewed renewal",
    "skis skies dying lying tying idly gently ugly early only singly sky news howe atlas cosmos bias andes",
    "inning outing canning herring earring proceed exceed succeed yes youth boy boyish say sayings",
    "generate generous communism communication arsenal hoped hoping hopped hop cried cries ties gaps gas",
    "caresses ponies cats feed agreed plastered bled motoring sing conflated troubled sized hopping tanned",
    "falling hissing fizzed failing filing happy sky relational conditional rational valenci hesitanci",
    "digitizer conformabli radicalli differentli vileli analogousli vietnamization predication operator",
    "feudalism decisiveness hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative",
    "formalize electriciti electrical hopeful goodness revival allowance inference airliner gyroscopic",
    "adjustable defensible irritant replacement adjustment dependent adoption homologou communism activate",
    "angulariti homologous effective bowdlerize probate rate cease controll roll it's dog's dogs'",
  ].flatMap((line) => line.split(" "));
  const base = [...new Set([...corners, ...vocab.filter((w) => /^[a-z]{2,}$/.test(w))])];
  const endings = [
    "",
    "s",
    "ed",
    "ing",
    "ly",
    "edly",
    "ness",
    "fully",
    "ational",
    "ization",
    "iveness",
    "ically",
  ];
  const all = inflect(
    base,
    [...endings, "ement", "ently", "ancy", "ously", "ality", "ies", "eed", "logies"],
    false,
  );

  it("joins the plural and the singular of the words the issue named", () => {
    for (const [plural, singular] of [
      ["sites", "site"],
      ["services", "service"],
      ["invoices", "invoice"],
    ] as const) {
      expect(stemEn(plural)).toBe(stemEn(singular));
    }
  });

  it("stems every word as Snowball does", () => {
    expect(disagreements(all, stemEn, (w) => reference.stem(w))).toEqual([]);
  });
});
