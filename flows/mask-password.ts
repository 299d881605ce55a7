/**
 * Passwords in a customer's text, for `mask` (flows/mask.ts). Pure. Four rules, each leaving alone a
 * token another rule already masked:
 * 1. next to credential words («данные для входа», «логин и пароль», «доступы:»), the tokens that
 *    follow the login;
 * 2. after a login and a separator (`логин ivanov / Qwerty1`), the unlabelled token;
 * 3. after a password label and an explicit separator (`пароль: …`), whatever follows;
 * 4. after a password label without one, a word that looks like a secret.
 */

/** What replaces a password. */
export const PASSWORD_MASK = "********";

/**
 * Words that introduce a password, in both locales, with the usual shorthands and misspellings
 * («пороль», «парольь», «пасворд», «pasword»), in any case form («паролем»).
 */
const PASSWORD_WORD = String.raw`(?:п[ао]р[ао]л{1,2}(?:ь{1,3}|я|ю|е|и|ем|ей|ям|ями|ях)?|пасс|пас+в[оа]рд|pas+w(?:or|ro)d|pass(?:wd)?|pwd)(?![\p{L}])`;

/** A login label: «логин: ivanov». */
const LOGIN_WORD = String.raw`(?:логин|login|username|user|юзер|пользователь)(?![\p{L}])`;

/** «логин и пароль», «логин/пароль»: a heading for both, not a password label followed by the password. */
const LOGIN_AND = String.raw`(?:логин|login)\s*(?:и|and|&|/|\\)\s*`;

/**
 * A keyword, up to three qualifying words («от панели», «for ftp»), then an explicit separator
 * (`:`, `=`, a dash, «is», «это»), then the secret: with a separator, whatever follows is taken as
 * the password, because people type anything after «пароль:».
 */
const WITH_SEPARATOR = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?<!${LOGIN_AND})(${PASSWORD_WORD}(?:\s+[\p{L}\p{N}_.-]+){0,3}?(\s*[:=：＝]|\s[-—–]|\s(?:is|это|такой|будет)(?:\s*[:=-])?)\s*)([^\s,;]+)`,
  "giu",
);

/**
 * A keyword followed by up to four words: one of them is masked only when it looks like a secret
 * (has a digit or a symbol, mixes case, or is Latin after a Russian keyword) and comes right after
 * the keyword or after a short qualifier («от почтового ящика»), so «пароль от панели» or
 * «password reset» stay readable.
 */
const WITHOUT_SEPARATOR = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?<!${LOGIN_AND})(${PASSWORD_WORD})((?:\s+\S+){1,4})`,
  "giu",
);

/** A login, then a separator (`/`, `|`, `,`, `;`, a line break), then a token that may be the password. */
const LOGIN_PAIR = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(${LOGIN_WORD}[ \t]*[:=：]?[ \t]*[^\s/|\\,;]+[ \t]*(?:[/|\\,;]|\r?\n)[ \t]*)([^\s,;]+)`,
  "giu",
);

/**
 * Words announcing credentials. The phrases are specific enough on their own; the bare «доступ» is
 * ordinary speech («нет доступа к сайту»), so it counts only with a colon.
 */
const CREDENTIALS = new RegExp(
  String.raw`(?<![\p{L}])(?:(?:данные\s+(?:для\s+)?(?:входа|проверки|авторизации|доступа)|уч[её]тн(?:ые|ых)\s+данн(?:ые|ых)|уч[её]тк[аиу]|креды|credentials|login\s+details)(?![\p{L}\p{N}])|${LOGIN_AND}${PASSWORD_WORD}|(?:доступы?|access)\s*[:：])`,
  "giu",
);

/**
 * The first word of every rule above, in one cheap scan: most messages have none, and then the four
 * rules are not run at all. Keep it a superset of the rules' first words.
 */
const ANY_RULE = new RegExp(
  String.raw`${PASSWORD_WORD}|${LOGIN_WORD}|данные|уч[её]т|креды|credentials|доступ|access`,
  "iu",
);

/** Tokens after credential words: split at spaces and the separators people put between login and password. */
const TOKEN = /[^\s/|\\,;]+/gu;

/** Prepositions that start a qualifier after the keyword: «пароль от …», «password for …». */
const QUALIFIER_START = new Set(["от", "для", "for", "to", "of", "from"]);

/** Words after a password keyword that are never the password itself. */
const NOT_A_SECRET = new Set([
  "от",
  "для",
  "к",
  "на",
  "не",
  "из",
  "в",
  "и",
  "сменить",
  "поменять",
  "for",
  "to",
  "of",
  "from",
  "reset",
  "change",
  "and",
  "not",
  "my",
  "is",
  "это",
  "такой",
  "будет",
  "wrong",
  "incorrect",
  "invalid",
  "expired",
  "неверный",
  "неправильный",
]);

/** Latin words that name a thing or fill a sentence, never a password given after a login. */
const LATIN_FILLER = new Set([
  "domain",
  "email",
  "mail",
  "site",
  "server",
  "hosting",
  "vps",
  "ftp",
  "ssh",
  "panel",
  "cpanel",
  "ispmanager",
  "help",
  "hello",
  "thanks",
  "please",
  "here",
  "below",
  "the",
  "are",
  "for",
  "my",
]);

/** An email address or a domain is what a password is *for*, not the password itself. */
const ADDRESS_LIKE = /^(?:[^@\s]+@)?[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}$/u;

/** The word without the punctuation that ends a clause after it. */
function bareWord(word: string): string {
  return word.replace(/[.,!?:=)»"'-]+$/u, "");
}

function looksLikeSecret(keyword: string, word: string): boolean {
  const bare = bareWord(word);
  if (bare.length < 3 || NOT_A_SECRET.has(bare.toLowerCase()) || ADDRESS_LIKE.test(bare)) return false;
  if (/\d/.test(bare) || /[^\p{L}\p{N}]/u.test(bare)) return true;
  if (/\p{Lu}/u.test(bare.slice(1)) && /\p{Ll}/u.test(bare)) return true;
  // A Latin word after a Russian keyword: «пароль qwerty» is almost surely the password.
  return /[а-яё]/i.test(keyword) && /^[a-z]+$/i.test(bare);
}

/**
 * A token that reads as a password with no label at all: letters with digits or symbols. Numbers alone
 * are contract and ticket numbers; addresses and links are what a password is for; mixed case alone is
 * a product name (WordPress, ISPmanager); a hyphen or a dot joins ordinary words (e-mail).
 */
function passwordLike(word: string): boolean {
  const bare = bareWord(word);
  const lower = bare.toLowerCase();
  if (bare.length < 4 || !/\p{L}/u.test(bare) || NOT_A_SECRET.has(lower) || LATIN_FILLER.has(lower))
    return false;
  if (ADDRESS_LIKE.test(bare) || /^[a-z]+:\/\//i.test(bare)) return false;
  return /\p{N}/u.test(bare) || /[^\p{L}\p{N}.'-]/u.test(bare);
}

/** A plain Latin word that is not a filler: the password when it comes second after a login. */
function latinWord(word: string): boolean {
  const bare = bareWord(word);
  return /^[a-z]{4,}$/i.test(bare) && !LATIN_FILLER.has(bare.toLowerCase());
}

/** True for a word of Cyrillic letters (with trailing punctuation): the sentence goes on. */
function cyrillicWord(word: string): boolean {
  return /^[\p{Script=Cyrillic}-]+$/u.test(bareWord(word));
}

/**
 * The tokens after credential words that hold values (login, password), up to three, skipping the
 * qualifier before them («для входа в панель: …») and stopping where the sentence goes on in words.
 */
function valuesAfter(text: string, from: number): { start: number; end: number; word: string }[] {
  const values: { start: number; end: number; word: string }[] = [];
  TOKEN.lastIndex = from;
  for (let seen = 0; seen < 8 && values.length < 3; seen++) {
    const m = TOKEN.exec(text);
    if (!m) break;
    const word = m[0];
    if (!/[\p{L}\p{N}*]/u.test(word)) continue; // a lone «:» or «—»
    const filler = cyrillicWord(word) || LATIN_FILLER.has(bareWord(word).toLowerCase());
    if (filler) {
      if (values.length > 0) break;
      continue;
    }
    values.push({ start: m.index, end: m.index + word.length, word });
  }
  return values;
}

/** Which of the values after credential words to mask: the password, not the login before it. */
function secretsAmong<T extends { word: string }>(values: T[]): T[] {
  const [first, ...rest] = values;
  if (!first) return [];
  if (rest.length === 0) return first.word !== PASSWORD_MASK && passwordLike(first.word) ? [first] : [];
  const after = rest.filter((v) => v.word !== PASSWORD_MASK && (passwordLike(v.word) || latinWord(v.word)));
  if (after.length > 0) return after;
  // «данные для входа: Qwerty1 ivanov»: the password came first.
  return first.word !== PASSWORD_MASK && passwordLike(first.word) ? [first] : [];
}

/** Replaces the given ranges of `text` by the mask, right to left so earlier offsets hold. */
function maskRanges(text: string, ranges: { start: number; end: number }[]): string {
  let out = text;
  for (const r of [...ranges].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, r.start) + PASSWORD_MASK + out.slice(r.end);
  }
  return out;
}

/** Masks passwords in `text` by the four rules above. */
export function maskPasswords(text: string): { text: string; masked: boolean } {
  if (!ANY_RULE.test(text)) return { text, masked: false };
  let masked = false;

  const ranges: { start: number; end: number }[] = [];
  for (const m of text.matchAll(CREDENTIALS)) {
    const from = (m.index ?? 0) + m[0].length;
    for (const secret of secretsAmong(valuesAfter(text, from))) {
      if (!ranges.some((r) => r.start === secret.start)) ranges.push(secret);
    }
  }
  let out = maskRanges(text, ranges);
  masked ||= ranges.length > 0;

  out = out.replace(LOGIN_PAIR, (whole, lead: string, token: string, offset: number, all: string) => {
    // «логин: ivanov\nВопрос: …» — a new label, not a password.
    if (token === PASSWORD_MASK || token.endsWith(":")) return whole;
    // A plain Latin word counts after a Russian label, and only at the end of the line: «логин ivanov /
    // qwerty», not «логин ivanov, WordPress не открывается».
    const endsLine = /^[ \t]*(?:\r?\n|$)/.test(all.slice(offset + whole.length));
    const plainPassword = /[а-яё]/i.test(lead) && endsLine && latinWord(token);
    if (!passwordLike(token) && !plainPassword) return whole;
    masked = true;
    return lead + PASSWORD_MASK;
  });

  out = out.replace(WITH_SEPARATOR, (whole, lead: string, separator: string, secret: string) => {
    if (secret === PASSWORD_MASK) return whole;
    // A word separator («is», «это») is also ordinary speech: «password is wrong» hides nothing.
    const wordSeparator = /\p{L}$/u.test(separator.trim());
    if (wordSeparator && NOT_A_SECRET.has(secret.replace(/[.,!?]+$/u, "").toLowerCase())) return whole;
    masked = true;
    return lead + PASSWORD_MASK;
  });

  out = out.replace(WITHOUT_SEPARATOR, (whole, keyword: string, tail: string) => {
    const parts = tail.split(/(\s+)/);
    // parts alternate: "", space, word, space, word… ; words sit at even indexes from 2.
    const tokens: { index: number; word: string }[] = [];
    for (let i = 2; i < parts.length; i += 2) tokens.push({ index: i, word: parts[i] ?? "" });
    const first = tokens[0]?.word.toLowerCase() ?? "";
    // Right after the keyword, or after «от/for» plus one or two words of qualifier.
    const candidates = QUALIFIER_START.has(first) ? tokens.slice(2, 4) : tokens.slice(0, 1);
    for (const c of candidates) {
      if (c.word === PASSWORD_MASK) return whole;
      if (looksLikeSecret(keyword, c.word)) {
        masked = true;
        parts[c.index] = PASSWORD_MASK;
        return keyword + parts.join("");
      }
    }
    return whole;
  });

  return { text: out, masked };
}
