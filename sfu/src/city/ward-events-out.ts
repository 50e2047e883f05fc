/**
 * City mode, ward side: the ward's health alerts and urgent bookmarks as NATS subjects (docs/city.md,
 * "Alerts and urgent bookmarks"). Published on the ward's leaf node; the leaf forwards them to the
 * hub while the link is up (core NATS: lost while it is down, which the centre's `alerts.list`
 * resync covers for alerts). What crosses is built field by field (`wardAlertOf`): no URL, no note.
 */
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Bookmark, HealthAlert } from '@wardwall/common';
import { encodeJson, WARD_ALERT_EVENT, WARD_URGENT_EVENT, wardAlertOf, wardEventSubject, type WardAlertEvent, type WardUrgentEvent } from '@wardwall/city';

export interface WardEventsOut {
  /** An alert opened, was acknowledged or closed at this ward. */
  alert(alert: HealthAlert): void;
  /** A bookmark became urgent at this ward (`by`: who marked it). */
  urgent(bookmark: Bookmark, by: string, at: number): void;
}

export function wardEventsOut(nc: NatsConnection, ward: string, log: Logger): WardEventsOut {
  const send = (name: string, body: unknown) => {
    try {
      nc.publish(wardEventSubject(ward, name), encodeJson(body));
    } catch (e) {
      // A closed or draining connection: the event is lost, the ward carries on.
      log.warn({ event: name, err: (e as Error).message }, 'city: ward event not published');
    }
  };
  return {
    alert(alert) {
      const event: WardAlertEvent = { alert: wardAlertOf(alert) };
      send(WARD_ALERT_EVENT, event);
    },
    urgent(b, by, at) {
      const event: WardUrgentEvent = { bookmark: { id: b.id, cameras: b.cameras.slice(0, 16), startMs: b.startMs, endMs: b.endMs, title: b.title.slice(0, 200), by: by.slice(0, 100), at } };
      send(WARD_URGENT_EVENT, event);
    },
  };
}
