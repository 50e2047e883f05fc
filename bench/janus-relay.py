#!/usr/bin/python3
"""The RTP feed of the latency bench's reference Janus (bench/janus-reference.ts).

Debian's Janus 1.1.2 binds an RTSP mountpoint's RTP/RTCP sockets to every interface whatever
`rtspiface` says, so the bench feeds an RTP mountpoint bound to 127.0.0.1 instead: this relay pulls
the camera over RTSP (TCP) and sends its H.264 to Janus as RTP, the way the SFU's ingest live branch
does (sfu/src/ingest/gst-ingest.py: rtspsrc latency 0 -> rtph264depay -> rtph264pay with SPS/PPS
before every keyframe, zero-latency aggregation -> udpsink), without the ingest's still branch.
Its CPU and memory count in Janus's column.

The configuration (URL, user, password, RTP port) arrives on stdin as JSON, never on the command
line. A failed or ended pull (the camera not published yet) is retried after 0.5 s, with a line on
stderr; SIGTERM ends the relay.
"""
import json
import os
import signal
import sys

import gi

gi.require_version('Gst', '1.0')
from gi.repository import GLib, Gst  # noqa: E402

Gst.init(None)


def make(factory, **props):
    el = Gst.ElementFactory.make(factory, None)
    if el is None:
        raise RuntimeError(f'no element {factory}')
    for k, v in props.items():
        el.set_property(k.replace('_', '-'), v)
    return el


def build(cfg):
    pipeline = Gst.Pipeline.new('janus-relay')
    src = make('rtspsrc', protocols='tcp', latency=0, do_rtcp=False)
    src.set_property('location', cfg['url'])
    src.set_property('user-id', cfg['user'])
    src.set_property('user-pw', cfg['password'])
    depay = make('rtph264depay')
    pay = make('rtph264pay', config_interval=-1, pt=96, mtu=1200)
    pay.set_property('aggregate-mode', 'zero-latency')
    udp = make('udpsink', host='127.0.0.1', port=int(cfg['rtpPort']), bind_address='127.0.0.1', sync=False)
    udp.set_property('async', False)
    for el in (src, depay, pay, udp):
        pipeline.add(el)
    depay.link(pay)
    pay.link(udp)

    def on_pad(_src, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        s = caps.get_structure(0) if caps and caps.get_size() else None
        if s and s.get_string('media') == 'video' and not depay.get_static_pad('sink').is_linked():
            pad.link(depay.get_static_pad('sink'))

    src.connect('pad-added', on_pad)
    return pipeline


def main():
    cfg = json.loads(sys.stdin.read())
    loop = GLib.MainLoop()
    state = {'pipeline': None}

    def start():
        state['pipeline'] = build(cfg)
        bus = state['pipeline'].get_bus()
        bus.add_signal_watch()
        bus.connect('message', on_message)
        state['pipeline'].set_state(Gst.State.PLAYING)
        return False

    def on_message(_bus, msg):
        if msg.type in (Gst.MessageType.ERROR, Gst.MessageType.EOS):
            if msg.type == Gst.MessageType.ERROR:
                sys.stderr.write(f'ERROR: {msg.parse_error()[0].message} (retrying)\n')
            old = state['pipeline']
            old.get_bus().remove_signal_watch()
            old.set_state(Gst.State.NULL)
            GLib.timeout_add(500, start)

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, lambda: (loop.quit(), False)[1])
    start()
    loop.run()
    state['pipeline'].set_state(Gst.State.NULL)
    sys.stderr.flush()
    os._exit(0)


if __name__ == '__main__':
    main()
