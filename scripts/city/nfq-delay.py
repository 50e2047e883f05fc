#!/usr/bin/python3
"""Link delay and random loss in user space, for kernels without sch_netem.

Holds every packet that an iptables NFQUEUE rule hands to queue <num> for <delay_ms>, drops
<loss_pct> % of them at random, and gives the others back in order (verdicts may be given
later than the callback: libnetfilter_queue allows it). Debian's libnetfilter-queue1 through ctypes.
Usage: nfq-delay.py <queue-num> <delay-ms> <loss-pct>; prints "ready" once bound; ends on SIGTERM/stdin EOF.
"""
import ctypes, ctypes.util, heapq, os, random, select, signal, socket, struct, sys, time

num, delay_ms, loss_pct = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
lib = ctypes.CDLL("libnetfilter_queue.so.1", use_errno=True)
lib.nfq_open.restype = ctypes.c_void_p
lib.nfq_create_queue.restype = ctypes.c_void_p
lib.nfq_create_queue.argtypes = [ctypes.c_void_p, ctypes.c_uint16, ctypes.c_void_p, ctypes.c_void_p]
lib.nfq_set_mode.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32]
lib.nfq_set_queue_maxlen.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
lib.nfq_fd.argtypes = [ctypes.c_void_p]
lib.nfq_handle_packet.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
lib.nfq_get_msg_packet_hdr.restype = ctypes.c_void_p
lib.nfq_get_msg_packet_hdr.argtypes = [ctypes.c_void_p]
lib.nfq_set_verdict.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_void_p]
lib.nfq_destroy_queue.argtypes = [ctypes.c_void_p]
lib.nfq_close.argtypes = [ctypes.c_void_p]

NF_DROP, NF_ACCEPT, NFQNL_COPY_META = 0, 1, 1
pending = []  # (release_at, seq, packet_id)
seq = 0

CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)

def on_packet(qh, _msg, nfad, _data):
    global seq
    hdr = lib.nfq_get_msg_packet_hdr(nfad)
    pid = struct.unpack("!I", ctypes.string_at(hdr, 4))[0]
    if loss_pct > 0 and random.random() * 100 < loss_pct:
        lib.nfq_set_verdict(qh, pid, NF_DROP, 0, None)
    else:
        seq += 1
        heapq.heappush(pending, (time.monotonic() + delay_ms / 1000, seq, pid))
    return 0

cb = CB(on_packet)
h = lib.nfq_open()
if not h:
    sys.exit("nfq_open failed (root? nfnetlink_queue in the kernel?)")
qh = lib.nfq_create_queue(h, num, ctypes.cast(cb, ctypes.c_void_p), None)
if not qh:
    sys.exit(f"cannot bind queue {num} (taken?)")
lib.nfq_set_mode(qh, NFQNL_COPY_META, 0)
lib.nfq_set_queue_maxlen(qh, 20000)
fd = lib.nfq_fd(h)
sock = socket.socket(fileno=os.dup(fd))
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
running = True

def stop(*_):
    global running
    running = False

signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
print("ready", flush=True)
while running:
    now = time.monotonic()
    while pending and pending[0][0] <= now:
        _, _, pid = heapq.heappop(pending)
        lib.nfq_set_verdict(qh, pid, NF_ACCEPT, 0, None)
    timeout = max(0.0, pending[0][0] - now) if pending else 0.5
    r, _, _ = select.select([fd, sys.stdin], [], [], timeout)
    if sys.stdin in r and not sys.stdin.buffer.read1(4096):
        break
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            continue
        except OSError:  # ENOBUFS: the kernel dropped queue messages; carry on
            continue
        lib.nfq_handle_packet(h, data, len(data))
for _, _, pid in pending:
    lib.nfq_set_verdict(qh, pid, NF_ACCEPT, 0, None)
lib.nfq_destroy_queue(qh)
lib.nfq_close(h)
