/**
 * The wall's i18n: the current language, message lookup with parameters, and time formatting in
 * Asia/Ho_Chi_Minh. No DOM; components re-render through the LocaleController.
 */
import { DEFAULT_LANG, LANGS, MESSAGES, type Lang, type MessageKey } from './messages.js';

export { LANGS, DEFAULT_LANG, type Lang, type MessageKey };

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';
const LOCALES: Record<Lang, string> = { vi: 'vi-VN', en: 'en-GB' };

export type Params = Record<string, string | number>;

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

const pluralRules = new Map<string, Intl.PluralRules>();
function pluralCategory(locale: string, n: number): Intl.LDMLPluralRule {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  return rules.select(n);
}

/** `{n, plural, one {# camera} other {# cameras}}` (the ICU MessageFormat subset the tables use). */
const PLURAL = /\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*\})+)\s*\}/g;
const PLURAL_CASE = /(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}/g;

/**
 * Replaces `{name}` with params and picks plural forms by `Intl.PluralRules` of the language
 * (`{n, plural, one {# hop} other {# hops}}`; `#` is the number; `=0` matches exactly). Unknown
 * placeholders stay visible (so a missing one is noticed).
 */
export function interpolate(template: string, params?: Params, lang: Lang = current): string {
  if (!params) return template;
  const plural = template.replace(PLURAL, (whole, name: string, body: string) => {
    if (!(name in params)) return whole;
    const n = Number(params[name]);
    const cases = new Map([...body.matchAll(PLURAL_CASE)].map((m) => [m[1]!, m[2]!]));
    const chosen = cases.get(`=${n}`) ?? cases.get(Number.isFinite(n) ? pluralCategory(LOCALES[lang], n) : 'other') ?? cases.get('other') ?? whole;
    return chosen.replace(/#/g, String(params[name]));
  });
  return plural.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Placeholder names used by a template, plural arguments included (for the completeness test). */
export function placeholders(template: string): string[] {
  const names = new Set<string>();
  const rest = template.replace(PLURAL, (_whole, name: string) => {
    names.add(name);
    return '';
  });
  for (const m of rest.matchAll(/\{(\w+)\}/g)) names.add(m[1]!);
  return [...names].sort();
}

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  return interpolate(MESSAGES[lang][key] ?? MESSAGES[DEFAULT_LANG][key] ?? key, params, lang);
}

type Listener = (lang: Lang) => void;
let current: Lang = DEFAULT_LANG;
const listeners = new Set<Listener>();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  for (const l of [...listeners]) {
    try {
      l(lang);
    } catch (err) {
      console.warn('[i18n] listener failed', err);
    }
  }
}

export function onLangChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Looks a message up in the current language. */
export function t(key: MessageKey, params?: Params): string {
  return translate(current, key, params);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: Lang, kind: 'time' | 'date' | 'dateTime'): Intl.DateTimeFormat {
  const k = `${lang}/${kind}`;
  let f = formatters.get(k);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'time'
        ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
        : kind === 'date'
          ? { weekday: 'short', day: '2-digit', month: '2-digit', year: 'numeric' }
          : { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', day: '2-digit', month: '2-digit', year: 'numeric' };
    f = new Intl.DateTimeFormat(LOCALES[lang], { ...options, timeZone: TIME_ZONE });
    formatters.set(k, f);
  }
  return f;
}

/** HH:mm:ss in Asia/Ho_Chi_Minh. */
export function formatTime(ms: number, lang: Lang = current): string {
  return formatter(lang, 'time').format(ms);
}

/** Weekday and date in Asia/Ho_Chi_Minh. */
export function formatDate(ms: number, lang: Lang = current): string {
  return formatter(lang, 'date').format(ms);
}

/** Date and time in Asia/Ho_Chi_Minh. */
export function formatDateTime(ms: number, lang: Lang = current): string {
  return formatter(lang, 'dateTime').format(ms);
}

/** A number with the language's grouping, at most `digits` decimals. */
export function formatNumber(value: number, digits = 0, lang: Lang = current): string {
  return new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
}

/** A user-facing message for an error code (from the server or local). */
export function errorMessage(code: string, lang: Lang = current): string {
  const key = `err.${code}`;
  if (key in MESSAGES[lang]) return translate(lang, key as MessageKey);
  return translate(lang, 'err.OTHER', { code });
}

/** A user-facing text for a stream's offline reason code (the code itself when unknown). */
export function reasonText(reason: string | null | undefined, lang: Lang = current): string {
  if (!reason) return '';
  const key = `reason.${reason}`;
  return key in MESSAGES[lang] ? translate(lang, key as MessageKey) : reason;
}

