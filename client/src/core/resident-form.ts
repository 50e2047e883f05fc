/** The resident camera form of the admin page: typed values <-> request fields (pure). */
import type { ResidentView } from '@wardwall/common';
import type { ResidentFields } from '../services/residents-api.js';

/** The form's values as typed (strings), before they become a request. */
export interface FormValues {
  id: string;
  name: string;
  ownerName: string;
  ownerContact: string;
  address: string;
  x: string;
  y: string;
  consent: boolean;
  consentDate: string;
  sharing: string;
  retentionDays: string;
  note: string;
  source: string;
  url: string;
}

export const EMPTY_FORM: FormValues = {
  id: '', name: '', ownerName: '', ownerContact: '', address: '', x: '', y: '', consent: false, consentDate: '',
  sharing: 'live_recorded', retentionDays: '7', note: '', source: 'push', url: '',
};

/** Form values -> the request's fields (the server validates; this only shapes types). */
export function fieldsOf(v: FormValues): ResidentFields {
  const x = v.x.trim() === '' ? NaN : Number(v.x);
  const y = v.y.trim() === '' ? NaN : Number(v.y);
  return {
    name: v.name,
    ownerName: v.ownerName,
    ownerContact: v.ownerContact,
    address: v.address,
    position: Number.isFinite(x) && Number.isFinite(y) ? { x, y } : null,
    consent: v.consent,
    consentDate: v.consentDate || null,
    sharing: v.sharing as ResidentFields['sharing'],
    retentionDays: Number(v.retentionDays),
    note: v.note,
  };
}

export function valuesOf(c: ResidentView): FormValues {
  return {
    ...EMPTY_FORM, id: c.id, name: c.name, ownerName: c.ownerName, ownerContact: c.ownerContact, address: c.address,
    x: c.position ? String(c.position.x) : '', y: c.position ? String(c.position.y) : '', consent: c.consent, consentDate: c.consentDate ?? '',
    sharing: c.sharing, retentionDays: String(c.retentionDays), note: c.note, source: c.source,
  };
}

