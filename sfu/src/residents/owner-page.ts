/**
 * The owner's page behind the private link `/owner/<token>`: a small server-rendered page (no
 * script, works on any phone) showing the camera's sharing state with one button to pause or
 * resume. Vietnamese by default, English with `?lang=en`. Pure rendering.
 */
import type { ResidentView } from './store.js';

export type OwnerLang = 'vi' | 'en';

const TEXT = {
  vi: {
    title: 'Camera của bạn',
    heading: 'Chia sẻ camera với công an phường',
    camera: 'Camera',
    address: 'Địa chỉ',
    sharing: 'Hình thức chia sẻ',
    state: 'Trạng thái',
    live_recorded: 'Xem trực tiếp và ghi hình',
    recorded_only: 'Chỉ ghi hình',
    on_request: 'Cung cấp khi được yêu cầu',
    pending: 'Đang chờ duyệt',
    approved: 'Đang chia sẻ',
    paused: 'Đã tạm dừng',
    revoked: 'Đã ngừng (thu hồi)',
    pause: 'Tạm dừng chia sẻ',
    resume: 'Tiếp tục chia sẻ',
    pausedNote: 'Khi tạm dừng, camera không được xem trực tiếp và không được ghi hình.',
    pausedByStation: 'Công an phường đã tạm dừng camera này; chỉ công an phường có thể cho chia sẻ lại.',
    otherLang: 'English',
    notFound: 'Liên kết không hợp lệ, đã hết hạn hoặc đã được thay.',
  },
  en: {
    title: 'Your camera',
    heading: 'Sharing your camera with the ward police',
    camera: 'Camera',
    address: 'Address',
    sharing: 'Sharing',
    state: 'State',
    live_recorded: 'Live and recorded',
    recorded_only: 'Recorded only',
    on_request: 'On request',
    pending: 'Waiting for approval',
    approved: 'Sharing',
    paused: 'Paused',
    revoked: 'Withdrawn',
    pause: 'Pause sharing',
    resume: 'Resume sharing',
    pausedNote: 'While paused, the camera is neither watched live nor recorded.',
    pausedByStation: 'The ward police paused this camera; only they can resume sharing.',
    otherLang: 'Tiếng Việt',
    notFound: 'This link is not valid, has expired or has been replaced.',
  },
} as const;

export function ownerLang(query: string | null, acceptLanguage: string | undefined): OwnerLang {
  if (query === 'en' || query === 'vi') return query;
  return /^\s*en\b/i.test(acceptLanguage ?? '') ? 'en' : 'vi';
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#0f1720;color:#e6edf3;margin:0;padding:24px;max-width:560px}
h1{font-size:1.3rem}dl{display:grid;grid-template-columns:auto 1fr;gap:6px 16px}dt{color:#8b98a5}dd{margin:0}
button{font:inherit;padding:10px 18px;border-radius:6px;border:0;background:#2f81f7;color:#fff;cursor:pointer}
.paused{color:#e3b341}.approved{color:#3fb950}a{color:#58a6ff}p.note{color:#8b98a5}`;

function page(lang: OwnerLang, body: string): string {
  const t = TEXT[lang];
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${t.title}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function renderOwnerPage(cam: ResidentView, lang: OwnerLang, selfPath: string): string {
  const t = TEXT[lang];
  const other: OwnerLang = lang === 'vi' ? 'en' : 'vi';
  const byStation = cam.status === 'paused' && cam.statusBy === 'admin';
  const action = cam.status === 'approved' ? 'pause' : cam.status === 'paused' && !byStation ? 'resume' : null;
  const form = action
    ? `<form method="post" action="${escapeHtml(selfPath)}?lang=${lang}"><input type="hidden" name="action" value="${action}"><button type="submit" data-action="${action}">${t[action]}</button></form>`
    : '';
  return page(
    lang,
    `<h1>${t.heading}</h1><dl>
<dt>${t.camera}</dt><dd>${escapeHtml(cam.name)}</dd>
<dt>${t.address}</dt><dd>${escapeHtml(cam.address)}</dd>
<dt>${t.sharing}</dt><dd>${t[cam.sharing]}</dd>
<dt>${t.state}</dt><dd class="${cam.status}" data-status="${cam.status}">${t[cam.status]}</dd></dl>
${form}${byStation ? `<p class="note" data-paused-by="admin">${t.pausedByStation}</p>` : ''}<p class="note">${t.pausedNote}</p><p><a href="${escapeHtml(selfPath)}?lang=${other}">${t.otherLang}</a></p>`,
  );
}

export function renderOwnerNotFound(lang: OwnerLang): string {
  return page(lang, `<h1>${TEXT[lang].notFound}</h1>`);
}
