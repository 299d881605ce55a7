import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * Canned replies for `/t <key>`: the built-in ones (the standard routes from the support-channels
 * page), overridden and extended by an operator-editable JSON file of `key → text`.
 */
export const BUILT_IN_TEMPLATES: Record<string, string> = {
  panel:
    "Этот вопрос нужно решать через заявку из панели управления (раздел «Поддержка»): там мы проверим, что вы владелец аккаунта. Заявки обрабатываются в течение часа.",
  email:
    "Если доступа к панели управления нет, напишите на email поддержки и в начале письма укажите логин аккаунта, номер договора или домен — без этого ответ будет общим.",
  phone:
    "Для срочного вопроса лучше позвонить: подготовьте логин, номер договора, домен или данные владельца (например, ИНН организации).",
  status:
    "Статус заявки можно узнать по телефону или в чате, назвав её номер (для письма — последние 6 цифр номера из ответа с номером заявки).",
  details:
    "Опишите, пожалуйста, пошагово: что вы делаете, что ожидаете увидеть и что видите вместо этого (текст или код ошибки, время, ссылка).",
};

const FileSchema = z.record(z.string().regex(/^[\w-]{1,32}$/), z.string().min(1).max(4000));

/** The templates the desk offers. */
export class Templates {
  private readonly all: Record<string, string>;

  /** Built-ins plus the file's (the file wins); a bad file fails at start with the reason. */
  constructor(file?: string) {
    let extra: Record<string, string> = {};
    if (file) {
      const parsed = FileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
      if (!parsed.success)
        throw new Error(
          `DESK_TEMPLATES_FILE ${file} must be a JSON object of key → text: ${parsed.error.message}`,
        );
      extra = parsed.data;
    }
    this.all = { ...BUILT_IN_TEMPLATES, ...extra };
  }

  /** A template's text, or undefined. */
  get(key: string): string | undefined {
    return Object.hasOwn(this.all, key) ? this.all[key] : undefined;
  }

  /** Every key, sorted. */
  keys(): string[] {
    return Object.keys(this.all).sort();
  }
}
