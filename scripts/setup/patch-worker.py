"""Adapts mediasoup 3.14.16's worker sources to Debian 12's libsrtp 2.5 and meson 1.0 (see DESIGN.md)."""
import pathlib, re, sys

src = pathlib.Path(sys.argv[1])

def edit(rel, fn):
    p = src / rel
    text = p.read_text()
    new = fn(text)
    if new == text:
        sys.exit(f"patch-worker: nothing changed in {rel}; the sources differ from the recipe")
    p.write_text(new)

edit("meson.build", lambda t: t.replace("meson_version: '>= 1.1.0'", "meson_version: '>= 1.0.0'"))
edit("include/RTC/SrtpSession.hpp", lambda t: t.replace("srtp_stream_remove(", "srtp_remove_stream("))

ADAPTER = """
namespace
{
	// libsrtp 2 takes the packet length as int*, mediasoup passes size_t*.
	using MsSrtpFn = srtp_err_status_t (*)(srtp_t, void*, int*);
	inline srtp_err_status_t MsSrtpLen(MsSrtpFn fn, srtp_t session, void* data, size_t* len)
	{
		int intLen = static_cast<int>(*len);
		const srtp_err_status_t err = fn(session, data, &intLen);
		*len = static_cast<size_t>(intLen);
		return err;
	}
} // namespace
"""

def srtp_cpp(t):
    t, n = re.subn(r"\b(srtp_(?:un)?protect(?:_rtcp)?)\(this->session, ", r"MsSrtpLen(\1, this->session, ", t)
    if n != 4:
        sys.exit(f"patch-worker: expected 4 srtp calls, found {n}")
    i = t.index("namespace RTC")
    return t[:i] + ADAPTER + "\n" + t[i:]

edit("src/RTC/SrtpSession.cpp", srtp_cpp)
