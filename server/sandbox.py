"""Confinement for the processes that evaluate users' queries.

Applied once, at the start of each query worker, before it opens the store:

- **no network**: a seccomp filter (libseccomp, loaded through ctypes) makes
  ``socket()`` and ``socketpair()`` fail with EACCES for every address family but
  ``AF_UNIX``, and ``io_uring_setup`` fail outright (io_uring can create sockets
  without the syscall). A ``SERVICE`` or ``LOAD`` the query guard missed therefore
  cannot reach any host: Oxigraph's HTTP client cannot create its socket. The filter
  is inherited by every thread and child and cannot be lifted (``no_new_privs``).
- **bounded memory**: ``RLIMIT_AS`` caps the worker's address space, so a query
  that builds a huge intermediate result fails inside that worker only.

Fail closed: when the filter cannot be installed the worker does not start, and the
server answers no query rather than answering with the network reachable.
"""

from __future__ import annotations

import ctypes
import errno
import resource
import socket

_ALLOW = 0x7FFF0000  # SCMP_ACT_ALLOW
_CMP_NE = 1  # SCMP_CMP_NE


def _errno_action(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)  # SCMP_ACT_ERRNO(code)


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


class SandboxError(RuntimeError):
    """The confinement could not be applied; the process must not evaluate queries."""


def _libseccomp() -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    except OSError as exc:
        raise SandboxError(f"libseccomp is not available ({exc}); install libseccomp2") from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    return lib


def deny_network() -> None:
    """Install the no-network seccomp filter on this process (irreversible)."""
    lib = _libseccomp()
    context = lib.seccomp_init(_ALLOW)
    if not context:
        raise SandboxError("seccomp_init failed")
    try:
        refuse = _errno_action(errno.EACCES)
        for name in (b"socket", b"socketpair"):
            number = lib.seccomp_syscall_resolve_name(name)
            only_unix = (_ArgCmp * 1)(_ArgCmp(0, _CMP_NE, socket.AF_UNIX, 0))
            if number < 0 or lib.seccomp_rule_add_array(context, refuse, number, 1, only_unix) != 0:
                raise SandboxError(f"cannot add the seccomp rule for {name.decode()}")
        number = lib.seccomp_syscall_resolve_name(b"io_uring_setup")
        if number >= 0 and lib.seccomp_rule_add_array(context, refuse, number, 0, None) != 0:
            raise SandboxError("cannot add the seccomp rule for io_uring_setup")
        if lib.seccomp_load(context) != 0:
            raise SandboxError("seccomp_load failed: the kernel refused the filter")
    finally:
        lib.seccomp_release(context)
    # Prove it rather than trust it.
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return
    raise SandboxError("the seccomp filter is loaded but an AF_INET socket could still be created")


M_ARENA_MAX = -8  # glibc mallopt parameter (malloc.h)


def cap_memory(limit_bytes: int) -> None:
    """Cap this process's address space at ``limit_bytes`` (RLIMIT_AS).

    The cap counts reserved address space, not memory in use. glibc reserves 64 MiB per
    malloc arena and makes up to eight arenas per core as threads appear, so a process
    that opens a store (RocksDB's threads) could reserve past a 1 GiB cap before it did
    any work and abort at start; two arenas keep what is reserved close to what is used.
    """
    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 2)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit_bytes = min(limit_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, hard))


def confine(memory_bytes: int) -> None:
    """Everything a query worker needs before it touches a query: no network, bounded memory."""
    deny_network()
    cap_memory(memory_bytes)
