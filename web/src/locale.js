// The language of the command centre: chosen from the browser, switchable and
// remembered; the vue-i18n instance that holds the messages of i18n.js.
import { createI18n } from 'vue-i18n';
import { messages } from './i18n.js';

export const LOCALES = [
  { code: 'zh-CN', name: '中文' },
  { code: 'en', name: 'English' },
];

function initial() {
  const saved = localStorage.getItem('muster.locale');
  if (saved && LOCALES.some((l) => l.code === saved)) return saved;
  return (navigator.language || 'zh-CN').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

// Keys asked for with no translation are recorded (the browser tests read them).
window.__musterMissing = [];

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: false,
  messages,
  missingWarn: false,
  fallbackWarn: false,
  missing: (locale, key) => {
    window.__musterMissing.push(`${locale}:${key}`);
    return key;
  },
});

export function setLocale(code) {
  i18n.global.locale.value = code;
  localStorage.setItem('muster.locale', code);
  document.documentElement.lang = code;
}
document.documentElement.lang = i18n.global.locale.value;
